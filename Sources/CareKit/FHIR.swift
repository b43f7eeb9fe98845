public import Foundation

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
        return "gp-" + String(fnv1a64(normal.utf8), radix: 16)
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
