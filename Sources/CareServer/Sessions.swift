package import CareKit
package import CareStore
package import Foundation
package import GRDB

/// A signed-in session.
package struct Session: Sendable {
    package var tokenHash: String
    package var account: Account
    package var csrfToken: String
    package var createdAt: Date
    package var lastSeenAt: Date
}

/// Server-side sessions. The cookie holds a random 256-bit token; the database holds only its SHA-256,
/// so a copy of the database does not let anyone sign in.
package final class Sessions: Sendable {
    let pool: DatabasePool
    package let idleTimeout: TimeInterval
    package let absoluteLifetime: TimeInterval
    /// How stale `last_seen_at` may get before it is written again (saves a write on every click).
    static let touchInterval: TimeInterval = 60

    package init(home: HomeDatabase, idleTimeout: TimeInterval = 15 * 60, absoluteLifetime: TimeInterval = 12 * 3600) {
        pool = home.pool
        self.idleTimeout = idleTimeout
        self.absoluteLifetime = absoluteLifetime
    }

    /// Starts a session; returns the token for the cookie.
    package func start(account: Account, address: String, now: Date = Date()) throws -> (token: String, session: Session) {
        let token = randomToken()
        let csrf = randomToken()
        let hash = sha256Hex(token)
        let stamp = Timestamp.format(now)
        try pool.write { db in
            try db.execute(sql: "INSERT INTO core_sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, address) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [hash, account.id, csrf, stamp, stamp, address])
        }
        return (token, Session(tokenHash: hash, account: account, csrfToken: csrf, createdAt: now, lastSeenAt: now))
    }

    /// The live session for a cookie token, or nil (unknown, ended, idle too long, too old, or the account blocked).
    package func find(token: String, now: Date = Date()) throws -> Session? {
        guard token.count == 64 else { return nil }
        let hash = sha256Hex(token)
        guard let row = try pool.read({ db in
            try Row.fetchOne(db.cachedStatement(sql: """
                SELECT s.csrf_token, s.created_at, s.last_seen_at, u.* FROM core_sessions s JOIN core_users u ON u.id = s.user_id
                WHERE s.token_hash = ? AND s.ended_at IS NULL
                """), arguments: [hash])
        }) else { return nil }
        let account = Accounts.account(row)
        guard let created = Timestamp.parse(row["created_at"]), let seen = Timestamp.parse(row["last_seen_at"]) else { return nil }
        if now.timeIntervalSince(seen) > idleTimeout || now.timeIntervalSince(created) > absoluteLifetime
            || account.blockReason(today: HomeTime.today(now)) != nil {
            try end(tokenHash: hash, now: now)
            return nil
        }
        if now.timeIntervalSince(seen) > Sessions.touchInterval {
            try pool.write { db in
                try db.execute(sql: "UPDATE core_sessions SET last_seen_at = ? WHERE token_hash = ?", arguments: [Timestamp.format(now), hash])
            }
        }
        return Session(tokenHash: hash, account: account, csrfToken: row["csrf_token"], createdAt: created, lastSeenAt: seen)
    }

    /// Ends a session (log out, timeout).
    package func end(tokenHash: String, now: Date = Date()) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE core_sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL",
                           arguments: [Timestamp.format(now), tokenHash])
        }
    }

    /// Ends every session of an account (disabled, password reset), or every one but `except` (the
    /// session that changed its own password).
    package func endAll(userID: Int64, except: String? = nil, now: Date = Date()) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE core_sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL AND token_hash IS NOT ?",
                           arguments: [Timestamp.format(now), userID, except])
        }
    }

    /// Ends every session (a restore: the sessions in the restored file are from another time).
    package func endEverySession(now: Date = Date()) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE core_sessions SET ended_at = ? WHERE ended_at IS NULL", arguments: [Timestamp.format(now)])
        }
    }
}
