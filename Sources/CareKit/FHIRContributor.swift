public import Foundation

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
