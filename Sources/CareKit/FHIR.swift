public import Foundation

/// A JSON value of a FHIR resource. Objects keep their keys in the order written and leave out a key
/// whose value is nil, so a resource reads as it is built:
/// `["status": "active", "note": note.isEmpty ? nil : .string(note)]`.
public indirect enum FHIRValue: Sendable, ExpressibleByStringLiteral, ExpressibleByStringInterpolation, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    case string(String)
    case integer(Int)
    case decimal(Double)
    case bool(Bool)
    case array([FHIRValue])
    case object([(key: String, value: FHIRValue)])

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .integer(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: FHIRValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, FHIRValue?)...) {
        self = .object(elements.compactMap { key, value in value.map { (key, $0) } })
    }

    /// The value of `key` in an object (nil for a missing key or a value that is not an object).
    public subscript(key: String) -> FHIRValue? {
        guard case .object(let pairs) = self else { return nil }
        return pairs.first { $0.key == key }?.value
    }

    /// The text of a string value.
    public var text: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// A copy of an object with `value` set at `key` (replacing any value there, else added at the end).
    public func setting(_ key: String, _ value: FHIRValue) -> FHIRValue {
        guard case .object(var pairs) = self else { return self }
        if let index = pairs.firstIndex(where: { $0.key == key }) { pairs[index].value = value } else { pairs.append((key, value)) }
        return .object(pairs)
    }

    /// The value as Foundation objects, for `JSONSerialization`.
    public var foundationObject: Any {
        switch self {
        case .string(let text): text
        case .integer(let number): number
        case .decimal(let number): NSDecimalNumber(string: FHIRValue.decimalText(number))
        case .bool(let flag): flag
        case .array(let items): items.map(\.foundationObject)
        case .object(let pairs): Dictionary(pairs.map { ($0.key, $0.value.foundationObject) }, uniquingKeysWith: { _, last in last })
        }
    }

    /// A decimal written as a person would (`37.5`, `80`), never `37.500000000000001`.
    static func decimalText(_ number: Double) -> String {
        let rounded = (number * 1000).rounded() / 1000
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        return String(format: "%.3f", rounded).replacingOccurrences(of: "0+$", with: "", options: .regularExpression)
    }
}

/// One FHIR R4 resource made from a plugin's records.
public struct FHIRResource: Sendable {
    /// The resource type (`Observation`).
    public var type: String
    /// The logical id: unique within the type and stable across exports (`obs-12-news2`). Letters, digits, `-` and `.`.
    public var id: String
    /// The resident it is about, for search by patient and a resident's whole record; nil for the home's own resources.
    public var residentID: Int64?
    /// The clinical date searched by `date=` (when taken, recorded, started); nil when none applies.
    public var date: Date?
    /// The resource's elements, without `resourceType` and `id` (added when it is written).
    public var elements: FHIRValue
    /// What the resource says, in one or two sentences: written as its narrative (`text`), so that a
    /// receiving system that reads no codes still shows the meaning.
    public var summary: String

    /// Creates a resource.
    public init(type: String, id: String, residentID: Int64?, date: Date?, summary: String, _ elements: FHIRValue) {
        self.type = type
        self.id = id
        self.residentID = residentID
        self.date = date
        self.summary = summary
        self.elements = elements
    }

    /// `Type/id`.
    public var reference: String { "\(type)/\(id)" }

    /// The whole resource as a JSON object: `resourceType`, `id`, the narrative, then the elements.
    public var json: FHIRValue {
        var pairs: [(key: String, value: FHIRValue)] = [("resourceType", .string(type)), ("id", .string(id))]
        let escaped = summary.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        pairs.append(("text", ["status": "generated", "div": .string("<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>\(escaped)</p></div>")]))
        if case .object(let rest) = elements { pairs += rest.filter { !["resourceType", "id", "text"].contains($0.key) } }
        return .object(pairs)
    }
}

/// What a search asks a contributor for. A contributor may use `from`/`to` to read less; the server
/// applies them again to each resource's `date`, so a contributor that ignores them is still correct.
public struct FHIRQuery: Sendable {
    /// The resource types wanted.
    public var types: Set<String>
    /// Only resources about this resident.
    public var residentID: Int64?
    /// Only the resource with this id (a read).
    public var id: String?
    /// Only resources dated at or after this instant.
    public var from: Date?
    /// Only resources dated before this instant.
    public var to: Date?

    /// Creates a query.
    public init(types: Set<String>, residentID: Int64? = nil, id: String? = nil, from: Date? = nil, to: Date? = nil) {
        self.types = types
        self.residentID = residentID
        self.id = id
        self.from = from
        self.to = to
    }

    /// Whether the query wants `type`.
    public func wants(_ type: String) -> Bool { types.contains(type) }
}

/// What a plugin contributes to the home's FHIR export (`/fhir`, `carehome export fhir`): its records as
/// FHIR R4 resources. The server never reads a plugin's tables; it asks each contributor.
public protocol FHIRContributor: Sendable {
    /// The resource types this contributor makes.
    var resourceTypes: Set<String> { get }
    /// Calls `emit` with each resource that matches `query`, in a stable order (the same data gives the
    /// same order, so paging is repeatable), reading in batches: a ten-year home is never held in memory.
    /// Stops as soon as `emit` returns false. Records entered in error are left out.
    func resources(matching query: FHIRQuery, emit: (FHIRResource) throws -> Bool) throws
}

/// Code systems, identifiers and small builders shared by every contributor, so that a code system's
/// address or a reference's shape is written once.
public enum FHIR {
    /// SNOMED CT.
    public static let snomed = "http://snomed.info/sct"
    /// LOINC.
    public static let loinc = "http://loinc.org"
    /// UCUM units.
    public static let ucum = "http://unitsofmeasure.org"
    /// The NHS number's identifier system.
    public static let nhsNumberSystem = "https://fhir.nhs.uk/Id/nhs-number"
    /// UK Core profiles' base address (`UKCore-Patient` is appended).
    public static let ukCoreProfileBase = "https://fhir.hl7.org.uk/StructureDefinition/"

    /// `meta` naming the UK Core profile the resource claims (`UKCore-Patient`).
    public static func meta(profile: String) -> FHIRValue {
        ["profile": [.string(ukCoreProfileBase + profile)]]
    }

    /// A reference with a display text.
    public static func reference(_ reference: String, display: String? = nil) -> FHIRValue {
        ["reference": .string(reference), "display": display.flatMap { $0.isEmpty ? nil : .string($0) }]
    }

    /// The resident's Patient resource id.
    public static func patientID(_ residentID: Int64) -> String { "\(residentID)" }

    /// A reference to the resident's Patient resource.
    public static func patient(_ residentID: Int64) -> FHIRValue { reference("Patient/\(patientID(residentID))") }

    /// A reference to the staff account's Practitioner resource (the server makes one per account).
    public static func practitioner(userID: Int64, name: String) -> FHIRValue { reference("Practitioner/\(userID)", display: name) }

    /// The home's own Organization resource (the server makes it).
    public static let homeOrganizationID = "home"

    /// A reference to the home's Organization.
    public static func home(display: String? = nil) -> FHIRValue { reference("Organization/\(homeOrganizationID)", display: display) }

    /// The id of a GP practice's Organization, from its name as recorded (the appliance holds practices as
    /// names only): the same name, in any case or spacing, gives the same id.
    public static func practiceID(_ name: String) -> String {
        let normal = name.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a: stable across runs and machines, unlike Hasher.
        for byte in normal.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return "gp-" + String(hash, radix: 16)
    }

    /// A concept known only by its words (no code is guessed).
    public static func text(_ text: String) -> FHIRValue { ["text": .string(text)] }

    /// A coded concept, with its words as text.
    public static func concept(system: String, code: String, display: String, text: String? = nil) -> FHIRValue {
        ["coding": [["system": .string(system), "code": .string(code), "display": .string(display)]], "text": .string(text ?? display)]
    }

    /// An instant or dateTime (`2026-11-23T08:00:00Z`).
    public static func dateTime(_ date: Date) -> FHIRValue { .string(Timestamp.format(date)) }

    /// A date (`2026-11-23`).
    public static func date(_ day: Day) -> FHIRValue { .string(day.iso) }

    /// A period from `start` to `end` (either may be nil; an empty period gives nil).
    public static func period(start: FHIRValue?, end: FHIRValue?) -> FHIRValue? {
        guard start != nil || end != nil else { return nil }
        return ["start": start, "end": end]
    }

    /// An annotation (a note) with its text.
    public static func note(_ text: String) -> FHIRValue? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : [["text": .string(trimmed)]]
    }

    /// The midnight that starts `day` (UTC), for a resource dated by day.
    public static func instant(_ day: Day) -> Date { Date(timeIntervalSince1970: TimeInterval(day.daysSinceEpoch) * 86_400) }
}

extension FHIR {
    /// Reads a plugin table's rows in `id` order, `batch` at a time (so a ten-year table is never held in
    /// memory), turns each row into resources with `make` and passes them to `emit` until it returns
    /// false. `select` is `SELECT … FROM table`; `condition` the filter (`entered_in_error = 0 AND …`).
    public static func emitRows(from database: any CareDatabase, select: String, where condition: String, arguments: [SQLValue] = [],
                                batch: Int = 500, make: (SQLRow) throws -> [FHIRResource], emit: (FHIRResource) throws -> Bool) throws {
        var after: Int64 = 0
        while true {
            let rows = try database.read { db in
                try db.query("\(select) WHERE (\(condition)) AND id > ? ORDER BY id LIMIT \(batch)", arguments + [.integer(after)])
            }
            for row in rows {
                for resource in try make(row) { guard try emit(resource) else { return } }
            }
            guard rows.count == batch, let last = rows.last?.int64("id") else { return }
            after = last
        }
    }

    /// For a read by id, `id = ?` and the row id in a resource id made as `prefix` + row id (+ `-…`):
    /// `("1 = 1", [])` when the query reads no one id; nil when its id cannot come from this table.
    public static func rowFilter(_ query: FHIRQuery, prefix: String) -> (sql: String, arguments: [SQLValue])? {
        guard let id = query.id else { return ("1 = 1", []) }
        guard id.hasPrefix(prefix), let row = Int64(id.dropFirst(prefix.count).prefix { $0 != "-" }) else { return nil }
        return ("id = ?", [.integer(row)])
    }

    /// `resident_id = ?` and its argument when the query names a resident, for `emitRows`.
    public static func residentFilter(_ query: FHIRQuery, column: String = "resident_id") -> (sql: String, arguments: [SQLValue]) {
        guard let resident = query.residentID else { return ("1 = 1", []) }
        return ("\(column) = ?", [.integer(resident)])
    }
}
