package import CareKit
package import Foundation
package import GRDB

extension AuditLog {
    /// The outcome of the last full check of the chain (`carehome check`, `carehome audit verify`),
    /// kept so that the manager's page can show it: re-reading millions of entries on every view of the
    /// page took a minute in a home's tenth year.
    package struct LastVerification: Sendable, Equatable, Codable {
        package var at: Date
        package var entries: Int
        package var firstBrokenID: Int64?
        package var problem: String?
    }

    static let lastVerificationKey = "audit.last_verification"

    /// Records the outcome of a verification that has just run.
    package static func record(_ verification: Verification, at: Date = Date(), pool: DatabasePool) throws {
        let last = LastVerification(at: at, entries: verification.entries, firstBrokenID: verification.firstBrokenID, problem: verification.problem)
        let json = String(decoding: try JSONEncoder().encode(last), as: UTF8.self)
        try pool.write { db in
            try db.execute(sql: "INSERT INTO core_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                           arguments: [lastVerificationKey, json])
        }
    }

    /// The last recorded verification, or nil when none has run on this home.
    package static func lastVerification(pool: DatabasePool) throws -> LastVerification? {
        try pool.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM core_settings WHERE key = ?", arguments: [lastVerificationKey])
        }.flatMap { try? JSONDecoder().decode(LastVerification.self, from: Data($0.utf8)) }
    }
}
