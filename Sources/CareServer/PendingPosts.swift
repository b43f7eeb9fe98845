import CareHTTP
import CareKit
import Foundation
import GRDB

/// What someone typed and sent after their session had ended (a fall recorded after the idle timeout):
/// kept in the home's database for that person only, for a short time, and sent again once when they
/// sign in, so that nothing typed is lost. Bounded: a few per person, a size limit, a lifetime. A file sent
/// with the form (a resident's photo) is kept with it, in the same row, within its own limit.
package struct PendingPosts: Sendable {
    let pool: DatabasePool

    /// How long a kept form waits for its owner to sign in again.
    static let lifetime: TimeInterval = 2 * 3600
    /// At most this many kept forms per person (the oldest goes first).
    static let perPerson = 5
    /// At most this many bytes of fields (a form sent without a live session is limited well below it).
    package static let maxBytes = 64 * 1024
    /// At most this many bytes of files in one kept form: a phone camera's photo, not a video.
    package static let maxFileBytes = 8 * 1024 * 1024
    /// How long after its last use a session's forms may still be kept (its owner's shift).
    package static let sessionWindow: Double = 12 * 3600

    /// Whether a cookie is that of a session last used within `sessionWindow`: the only requests without a
    /// live session that may send more than the sign-in form's few kilobytes (a photo chosen as the
    /// session ran out). The token is a 256-bit secret the server gave; someone without one still gets
    /// the small limit.
    static func isRecentSession(token: String, pool: DatabasePool, now: Date = Date()) -> Bool {
        (try? recentSession(token: token, pool: pool, now: now)) != nil
    }

    /// The person whose session, ended within the last 12 hours, the cookie and the form's CSRF token
    /// belong to: only a form rendered in that very session is kept.
    static func owner(of token: String, csrf: String?, pool: DatabasePool, now: Date = Date()) throws -> Int64? {
        guard let csrf, !csrf.isEmpty, let row = try recentSession(token: token, pool: pool, now: now),
              constantTimeEqual(Array((row["csrf_token"] as String).utf8), Array(csrf.utf8)) else { return nil }
        return row["user_id"]
    }

    /// The session of `token` when it was last used within `sessionWindow` (one rule for the body limit and the owner).
    private static func recentSession(token: String, pool: DatabasePool, now: Date) throws -> Row? {
        guard token.count == 64, let row = try pool.read({ db in
            try Row.fetchOne(db, sql: "SELECT user_id, csrf_token, last_seen_at FROM core_sessions WHERE token_hash = ?", arguments: [sha256Hex(token)])
        }), let lastSeen = Timestamp.parse(row["last_seen_at"]), now.timeIntervalSince(lastSeen) < sessionWindow else { return nil }
        return row
    }

    /// Keeps a form for its owner; returns the id to resume it with.
    func keep(userID: Int64, request: HTTPRequest, now: Date = Date()) throws -> String? {
        let fields = request.fields.filter { $0.name != "_csrf" && $0.filename == nil }
        let files = request.fields.filter { $0.filename != nil }
        guard fields.reduce(0, { $0 + $1.name.utf8.count + $1.bytes.count }) <= PendingPosts.maxBytes,
              files.reduce(0, { $0 + $1.bytes.count }) <= PendingPosts.maxFileBytes else { return nil }
        let payload = try JSONEncoder().encode(Kept(path: request.path, query: request.query.map { [$0.name, $0.value] },
                                                    fields: fields.map { [$0.name, $0.text] },
                                                    files: files.map { KeptFile(name: $0.name, filename: $0.filename ?? "", contentType: $0.contentType, bytes: Data($0.bytes)) }))
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
        let files = (kept.files ?? []).map { HTTPRequest.Field(name: $0.name, filename: $0.filename, contentType: $0.contentType, bytes: Array($0.bytes)) }
        return (kept.path, kept.query.compactMap { $0.count == 2 ? (name: $0[0], value: $0[1]) : nil },
                kept.fields.compactMap { $0.count == 2 ? HTTPRequest.Field(name: $0[0], bytes: Array($0[1].utf8)) : nil } + files)
    }

    struct Kept: Codable {
        var path: String
        var query: [[String]]
        var fields: [[String]]
        /// Absent in forms kept before files were (read as none).
        var files: [KeptFile]?
    }

    /// A file sent with a kept form; its bytes are base64 in the row's JSON.
    struct KeptFile: Codable {
        var name: String
        var filename: String
        var contentType: String?
        var bytes: Data
    }
}
