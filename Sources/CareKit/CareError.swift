/// An error a plugin throws, with a stable code and a message written for the person who will read it.
///
/// The server shows `message` on an error page with the matching status; any other error thrown by a
/// handler becomes a bare 500 page with the request id, and its detail goes only to the log.
public struct CareError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable codes. New codes may be added; match with `==` on the static values, not exhaustively.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let name: String
        let status: Int
        /// The record does not exist (404).
        public static let notFound = Code(name: "not-found", status: 404)
        /// The user may not do this (403).
        public static let forbidden = Code(name: "forbidden", status: 403)
        /// The request is not acceptable as sent (400).
        public static let badRequest = Code(name: "bad-request", status: 400)
        /// The record changed since the user opened it (409).
        public static let conflict = Code(name: "conflict", status: 409)
        /// A service this page needs is not available (503).
        public static let unavailable = Code(name: "unavailable", status: 503)
        /// A stored record cannot be read as it should (500): the database may be damaged.
        public static let damagedRecord = Code(name: "damaged-record", status: 500)
        /// The HTTP status the server answers with.
        public var httpStatus: Int { status }
        public var description: String { name }
    }

    /// The stable code.
    public var code: Code
    /// Plain-English message for staff.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The record does not exist.
    public static func notFound(_ message: String = "That page or record does not exist.") -> CareError { CareError(.notFound, message) }
    /// The user may not do this.
    public static func forbidden(_ message: String = "Your role does not allow this.") -> CareError { CareError(.forbidden, message) }
    /// The request is not acceptable.
    public static func badRequest(_ message: String) -> CareError { CareError(.badRequest, message) }
    /// Someone else changed the record first.
    public static func conflict(_ message: String) -> CareError { CareError(.conflict, message) }

    public var description: String { "\(code): \(message)" }
}
