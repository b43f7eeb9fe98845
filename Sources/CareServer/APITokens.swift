package import CareKit
package import CareStore
package import Foundation
package import GRDB

/// The home's API tokens (`core_api_tokens`, core migration 5).
package struct APITokens: Sendable {
    let pool: DatabasePool

    package init(home: HomeDatabase) { pool = home.pool }

    /// Every token begins so, which tells a reader (or a secret scanner) what it is.
    static let prefix = "chfhir_"

    /// Reads a scope as typed: `all`, or resource types separated by commas (checked against `known`).
    package static func parseScope(_ text: String, known: Set<String>) throws -> Set<String>? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.lowercased() == "all" { return nil }
        let types = Set(trimmed.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        guard !types.isEmpty else { throw APITokenError(field: "scope", message: "Choose what the system may read: all, or one or more resource types") }
        let unknown = types.subtracting(known)
        guard unknown.isEmpty else {
            throw APITokenError(field: "scope", message: "Not a resource type this appliance shares: \(unknown.sorted().joined(separator: ", ")). Use all or some of: \(known.sorted().joined(separator: ", "))")
        }
        return types
    }

    /// Makes a token; returns it (to show once) and its record.
    package func create(name: String, scope: Set<String>?, expiresOn: Day, createdBy: String, today: Day = HomeTime.today()) throws -> (token: String, record: APIToken) {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 80 else { throw APITokenError(field: "name", message: "Enter the name of the system that will use it (80 characters at most)") }
        guard !name.contains(where: { $0.isNewline }) else { throw APITokenError(field: "name", message: "Enter the name on one line") }
        guard expiresOn >= today else { throw APITokenError(field: "expires", message: "The last day must be today or later") }
        guard expiresOn <= today.adding(days: 731) else { throw APITokenError(field: "expires", message: "A token may last two years at most: make a new one then") }
        let token = APITokens.prefix + randomToken()
        let now = Date()
        let record = try pool.write { db -> APIToken in
            if try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM core_api_tokens WHERE name = ? AND revoked_at IS NULL", arguments: [name]) ?? 0 > 0 {
                throw APITokenError(field: "name", message: "A token with this name is already in use: revoke it first, or choose another name")
            }
            let scopeText = scope.map { $0.sorted().joined(separator: ",") } ?? "all"
            try db.execute(sql: """
                INSERT INTO core_api_tokens (name, token_hash, scope, expires_on, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [name, sha256Hex(token), scopeText, expiresOn.iso, Timestamp.format(now), createdBy])
            return APIToken(id: db.lastInsertedRowID, name: name, scope: scope, expiresOn: expiresOn, createdAt: now, createdBy: createdBy)
        }
        return (token, record)
    }

    /// Every token, newest first.
    package func all() throws -> [APIToken] {
        try pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM core_api_tokens ORDER BY id DESC").map(APITokens.token) }
    }

    /// One token by id.
    package func token(id: Int64) throws -> APIToken? {
        try pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM core_api_tokens WHERE id = ?", arguments: [id]).map(APITokens.token) }
    }

    /// Stops a token working at once. False when it was already revoked or does not exist.
    @discardableResult
    package func revoke(id: Int64, by person: String) throws -> Bool {
        try pool.write { db in
            try db.execute(sql: "UPDATE core_api_tokens SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL",
                           arguments: [Timestamp.format(Date()), person, id])
            return db.changesCount > 0
        }
    }

    /// Finds the token a request sent (compared by its hash, so the lookup reveals nothing by its timing).
    package func check(_ sent: String?, today: Day = HomeTime.today()) throws -> APITokenCheck {
        guard let sent, sent.hasPrefix(APITokens.prefix), sent.utf8.count <= 200 else { return .unknown }
        let hash = sha256Hex(sent)
        guard let token = try pool.read({ db in
            try Row.fetchOne(db, sql: "SELECT * FROM core_api_tokens WHERE token_hash = ?", arguments: [hash]).map(APITokens.token)
        }) else { return .unknown }
        if token.revokedAt != nil { return .revoked(token) }
        if today > token.expiresOn { return .expired(token) }
        return .valid(token)
    }

    private static func token(_ row: Row) -> APIToken {
        let scope: String = row["scope"]
        return APIToken(id: row["id"], name: row["name"], scope: scope == "all" ? nil : Set(scope.split(separator: ",").map(String.init)),
                        expiresOn: Day(iso: row["expires_on"]) ?? Day(daysSinceEpoch: 0),
                        createdAt: Timestamp.parse(row["created_at"]) ?? Date(timeIntervalSince1970: 0), createdBy: row["created_by"],
                        revokedAt: (row["revoked_at"] as String?).flatMap(Timestamp.parse), revokedBy: row["revoked_by"])
    }
}
