package import CareKit
package import Foundation

/// A bearer token that lets one named outside system (a shared care record, a GP system) read the home's
/// records through `/fhir`: limited to some resource types, until a day, revocable. Only the token's
/// SHA-256 is kept; the token itself is shown once, when it is made.
package struct APIToken: Sendable, Equatable {
    package var id: Int64
    /// Who it is for (`Dorset shared care record`): written in the audit trail with every read.
    package var name: String
    /// The resource types it may read; nil: every type.
    package var scope: Set<String>?
    /// The last day it works (the home's calendar).
    package var expiresOn: Day
    package var createdAt: Date
    package var createdBy: String
    package var revokedAt: Date?
    package var revokedBy: String?

    /// `all`, or the types in order (`Observation,Patient`): how the scope is stored and shown.
    package var scopeText: String { scope.map { $0.sorted().joined(separator: ",") } ?? "all" }

    /// Whether it may read `type`.
    package func allows(_ type: String) -> Bool { scope?.contains(type) ?? true }

    /// Whether it still works on `day`.
    package func isUsable(on day: Day) -> Bool { revokedAt == nil && day <= expiresOn }

    /// `Active`, `Expired` or `Revoked`, on `day`.
    package func state(on day: Day) -> String { revokedAt != nil ? "Revoked" : (day > expiresOn ? "Expired" : "Active") }

    /// The name in the audit trail: marked as a system, never mistaken for a staff account.
    package var auditName: String { "api:\(name)" }
}

/// Why a token was refused (or the token).
package enum APITokenCheck: Sendable, Equatable {
    case valid(APIToken)
    /// None was sent, or it matches no token: nothing to name in the audit trail.
    case unknown
    case expired(APIToken)
    case revoked(APIToken)
}

/// A problem with what was asked for, in words for the person making the token.
package struct APITokenError: Error, Sendable {
    package var field: String
    package var message: String
}
