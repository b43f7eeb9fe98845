import CareStore
package import Foundation

/// A run of the audit chain moved out of the live table: its entries, in id order, as the archive keeps
/// them (`core_audit_segments.data`, zstd-compressed).
///
/// Each entry keeps every field its hash covers and whether that hash was keyed, not the hash itself: the
/// hashes are 64 random hex digits each, about a third of a compressed entry, and a verifier recomputes
/// them anyway. The segment row keeps the hash before its first entry and the hash of its last, so the
/// chain runs through the archive into the live table unchanged.
package struct AuditSegment: Sendable {
    package struct Entry: Sendable, Equatable {
        package var id: Int64
        /// As stored in `core_audit.at` (the text the hash covers).
        package var at: String
        package var userID: Int64?
        package var username: String
        package var address: String
        package var source: String
        package var action: String
        package var residentID: Int64?
        package var detail: String
        /// The entry's hash was keyed (`k1:`, HMAC with the home's key); otherwise plain SHA-256 (older homes).
        package var keyed: Bool

        /// The text its hash covers, after the previous entry's hash.
        func hashedText(previous: String) -> String {
            AuditLog.text(previous: previous, at: at, userID: userID, username: username, address: address, source: source,
                          action: action, residentID: residentID, detail: detail)
        }
    }

    /// The layout of `data` (the segment row's `format`).
    static let format = 1
    /// No segment is larger than this decompressed: a damaged row must not make the box allocate gigabytes.
    static let plainLimit = 256 << 20

    /// The entries as one compressed blob. Each field is written as its UTF-8 length, a colon and its bytes
    /// (an absent number is empty), ten fields an entry, so any text round-trips exactly.
    static func encode(_ entries: [Entry]) throws -> (data: Data, plainBytes: Int) {
        var bytes = [UInt8]()
        bytes.reserveCapacity(entries.count * 200)
        func field(_ text: String) {
            let utf8 = text.utf8
            bytes.append(contentsOf: String(utf8.count).utf8)
            bytes.append(UInt8(ascii: ":"))
            bytes.append(contentsOf: utf8)
        }
        for entry in entries {
            field(String(entry.id)); field(entry.at); field(entry.userID.map(String.init) ?? ""); field(entry.username)
            field(entry.address); field(entry.source); field(entry.action); field(entry.residentID.map(String.init) ?? "")
            field(entry.detail); field(entry.keyed ? "k" : "s")
        }
        return (try BackupCompression.compress(Data(bytes)), bytes.count)
    }

    /// The entries of a compressed blob, or nil when it cannot be read (damaged, or not this format).
    static func decode(_ data: Data) -> [Entry]? {
        guard let plain = BackupCompression.decompress(data, limit: plainLimit) else { return nil }
        return plain.withUnsafeBytes { raw -> [Entry]? in
            let bytes = raw.bindMemory(to: UInt8.self)
            var index = 0
            func field() -> String? {
                var length = 0
                var digits = 0
                while index < bytes.count, bytes[index] != UInt8(ascii: ":") {
                    let digit = Int(bytes[index]) - 48
                    guard digit >= 0, digit <= 9, digits < 10 else { return nil }
                    length = length * 10 + digit
                    digits += 1
                    index += 1
                }
                guard digits > 0, index < bytes.count, length <= bytes.count - index - 1 else { return nil }
                index += 1
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<(index + length)]), as: UTF8.self)
                index += length
                return text
            }
            func number(_ text: String) -> Int64?? { text.isEmpty ? .some(nil) : Int64(text).map { .some($0) } }
            var entries = [Entry]()
            while index < bytes.count {
                guard let idText = field(), let id = Int64(idText), let at = field(), let userText = field(), let userID = number(userText),
                      let username = field(), let address = field(), let source = field(), let action = field(),
                      let residentText = field(), let residentID = number(residentText), let detail = field(), let kind = field(),
                      kind == "k" || kind == "s" else { return nil }
                entries.append(Entry(id: id, at: at, userID: userID, username: username, address: address, source: source, action: action,
                                     residentID: residentID, detail: detail, keyed: kind == "k"))
            }
            return entries
        }
    }
}
