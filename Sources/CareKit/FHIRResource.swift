public import Foundation

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
