import CareHTTP
import CareKit
import Foundation
import GRDB

/// What someone typed and sent after their session had ended (a fall recorded after the idle timeout):
/// kept in the home's database for that person only, for a short time, and sent again once when they
/// sign in, so that nothing typed is lost. Bounded: a few per person, a size limit, a lifetime.
struct PendingPosts: Sendable {
    let pool: DatabasePool

    /// How long a kept form waits for its owner to sign in again.
    static let lifetime: TimeInterval = 2 * 3600
    /// At most this many kept forms per person (the oldest goes first).
    static let perPerson = 5
    /// At most this many bytes of fields (a form sent without a live session is limited well below it).
    static let maxBytes = 64 * 1024

    /// The person whose session, ended within the last 12 hours, the cookie and the form's CSRF token
    /// belong to: only a form rendered in that very session is kept.
    static func owner(of token: String, csrf: String?, pool: DatabasePool, now: Date = Date()) throws -> Int64? {
        guard token.count == 64, let csrf, !csrf.isEmpty else { return nil }
        let row = try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT user_id, csrf_token, ended_at, last_seen_at FROM core_sessions WHERE token_hash = ?", arguments: [sha256Hex(token)])
        }
        guard let row, let lastSeen = Timestamp.parse(row["last_seen_at"]), now.timeIntervalSince(lastSeen) < 12 * 3600,
              constantTimeEqual(Array((row["csrf_token"] as String).utf8), Array(csrf.utf8)) else { return nil }
        return row["user_id"]
    }

    /// Keeps a form for its owner; returns the id to resume it with.
    func keep(userID: Int64, request: HTTPRequest, now: Date = Date()) throws -> String? {
        let fields = request.fields.filter { $0.name != "_csrf" && $0.filename == nil }
        guard fields.reduce(0, { $0 + $1.name.utf8.count + $1.bytes.count }) <= PendingPosts.maxBytes else { return nil }
        let payload = try JSONEncoder().encode(Kept(path: request.path, query: request.query.map { [$0.name, $0.value] },
                                                    fields: fields.map { [$0.name, $0.text] }))
        var generator = SystemRandomNumberGenerator()
        let id = (0..<4).map { _ in String(format: "%08x", generator.next() as UInt32) }.joined()
        try pool.write { db in
            try db.execute(sql: "DELETE FROM core_pending_posts WHERE created_at < ?", arguments: [Timestamp.format(now.addingTimeInterval(-PendingPosts.lifetime))])
            try db.execute(sql: """
                DELETE FROM core_pending_posts WHERE user_id = ? AND id NOT IN
                (SELECT id FROM core_pending_posts WHERE user_id = ? ORDER BY created_at DESC LIMIT ?)
                """, arguments: [userID, userID, PendingPosts.perPerson - 1])
            try db.execute(sql: "INSERT INTO core_pending_posts (id, user_id, payload, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [id, userID, String(decoding: payload, as: UTF8.self), Timestamp.format(now)])
        }
        return id
    }

    /// Takes a kept form out, once, for its owner only (another person signing in leaves it there).
    func take(id: String, userID: Int64, now: Date = Date()) throws -> (path: String, query: [(name: String, value: String)], fields: [HTTPRequest.Field])? {
        guard id.count == 32, id.allSatisfy(\.isHexDigit) else { return nil }
        let payload: String? = try pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT payload, created_at FROM core_pending_posts WHERE id = ? AND user_id = ?", arguments: [id, userID]),
                  let created = Timestamp.parse(row["created_at"]), now.timeIntervalSince(created) < PendingPosts.lifetime else { return nil }
            try db.execute(sql: "DELETE FROM core_pending_posts WHERE id = ?", arguments: [id])
            return row["payload"]
        }
        guard let payload, let kept = try? JSONDecoder().decode(Kept.self, from: Data(payload.utf8)) else { return nil }
        return (kept.path, kept.query.compactMap { $0.count == 2 ? (name: $0[0], value: $0[1]) : nil },
                kept.fields.compactMap { $0.count == 2 ? HTTPRequest.Field(name: $0[0], bytes: Array($0[1].utf8)) : nil })
    }

    struct Kept: Codable {
        var path: String
        var query: [[String]]
        var fields: [[String]]
    }
}
