import Crypto
package import Foundation

/// A keyed digest (HMAC-SHA256 with the audit key, which is kept outside the database) of a whole plain
/// backup, in a file beside it (`<backup>.digest`). `backup verify` and `restore` check it, so a backup
/// changed by one byte after it was written (a resident's allergies edited in the file) is refused even
/// though SQLite's integrity check would pass it. Encrypted backups need none: AES-GCM authenticates them.
package enum BackupDigest {
    package static func file(for backup: URL) -> URL { URL(fileURLWithPath: backup.path + ".digest") }

    package static func write(for backup: URL, anchor: AuditAnchor) throws {
        let line = "hmac-sha256 \(try digest(of: backup, anchor: anchor))\n"
        let target = file(for: backup)
        let fd = open(target.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw BackupDigestError("cannot write \(target.path): \(String(cString: strerror(errno)))") }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        try handle.write(contentsOf: Data(line.utf8))
        try handle.synchronize()
        try handle.close()
    }

    /// Throws, saying why, unless the backup matches its digest.
    package static func check(_ backup: URL, anchor: AuditAnchor) throws {
        let sidecar = file(for: backup)
        guard let text = try? String(contentsOf: sidecar, encoding: .utf8) else {
            throw BackupDigestError("\(backup.lastPathComponent) has no digest (\(sidecar.lastPathComponent)), so nothing shows it is unchanged since it was written. Use a backup that has one, or an encrypted backup.")
        }
        let parts = text.split(whereSeparator: \.isWhitespace)
        guard parts.count == 2, parts[0] == "hmac-sha256" else { throw BackupDigestError("\(sidecar.lastPathComponent) is not a backup digest.") }
        let actual = try digest(of: backup, anchor: anchor)
        guard constantTimeEqual(Array(actual.utf8), Array(parts[1].utf8)) else {
            throw BackupDigestError("\(backup.lastPathComponent) has been changed since it was written (its keyed digest does not match), or was made with another audit key. Do not restore it.")
        }
    }

    private static func digest(of file: URL, anchor: AuditAnchor) throws -> String {
        var mac = HMAC<SHA256>(key: SymmetricKey(data: anchor.key))
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { mac.update(data: chunk) }
        return mac.finalize().map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}

package struct BackupDigestError: Error, CustomStringConvertible {
    package let message: String
    init(_ message: String) { self.message = message }
    package var description: String { message }
}
