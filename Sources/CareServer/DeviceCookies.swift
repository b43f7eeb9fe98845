import Crypto
import Foundation
import GRDB

/// Device cookies for sign-in throttling (OWASP's "device cookie" proposal): after a successful
/// sign-in the browser keeps a cookie naming the username and when it was issued, signed with a key
/// that stays on the box. An attempt that carries a valid one for the username it names is throttled
/// only by that cookie's own failures (`LoginThrottle`), so a guesser elsewhere, or on the same shared
/// tablet's address, cannot keep that person out.
///
/// The cookie holds up to 6 entries `username:issued:mac` joined by `~` (a shared tablet used by a few
/// people); each is valid for 90 days. The key is 32 random bytes in `core_settings`, made on first use.
struct DeviceCookies: Sendable {
    static let name = "carehome_device"
    static let lifetime: TimeInterval = 90 * 24 * 3600
    static let maximumEntries = 6
    /// The signing key's bytes (SymmetricKey itself is not Sendable).
    let key: [UInt8]

    init(pool: DatabasePool) throws {
        let hex = try pool.write { db -> String in
            if let existing = try String.fetchOne(db, sql: "SELECT value FROM core_settings WHERE key = 'device_cookie_key'") { return existing }
            let fresh = randomToken()
            try db.execute(sql: "INSERT INTO core_settings (key, value) VALUES ('device_cookie_key', ?)", arguments: [fresh])
            return fresh
        }
        key = Array(hex.utf8)
    }

    private func mac(_ username: String, _ issued: Int) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Array("\(username):\(issued)".utf8), using: SymmetricKey(data: key))
        return code.prefix(16).map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
    }

    private struct Entry { var username: String; var issued: Int; var mac: String }

    private func validEntries(_ cookie: String?, now: Date) -> [Entry] {
        guard let cookie, cookie.utf8.count <= 1024 else { return [] }
        return cookie.split(separator: "~").prefix(DeviceCookies.maximumEntries).compactMap { part in
            let fields = part.split(separator: ":").map(String.init)
            guard fields.count == 3, let issued = Int(fields[1]),
                  now.timeIntervalSince1970 - Double(issued) < DeviceCookies.lifetime,
                  constantTimeEqual(Array(fields[2].utf8), Array(mac(fields[0], issued).utf8)) else { return nil }
            return Entry(username: fields[0], issued: issued, mac: fields[2])
        }
    }

    /// The device's id for this username (its entry's signature), when the cookie holds a valid entry for it.
    func device(for username: String, cookie: String?, now: Date = Date()) -> String? {
        validEntries(cookie, now: now).first { $0.username == username }?.mac
    }

    /// The cookie's new value after `username` signed in: a fresh entry for them first, then the other valid ones.
    func issue(username: String, cookie: String?, now: Date = Date()) -> String {
        let issued = Int(now.timeIntervalSince1970)
        let others = validEntries(cookie, now: now).filter { $0.username != username }
        let entries = [Entry(username: username, issued: issued, mac: mac(username, issued))] + others
        return entries.prefix(DeviceCookies.maximumEntries).map { "\($0.username):\($0.issued):\($0.mac)" }.joined(separator: "~")
    }
}
