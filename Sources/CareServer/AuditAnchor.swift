package import CareStore
import Crypto
package import Foundation
package import GRDB

/// What anchors the audit chain outside the database: a key for the keyed hash (HMAC-SHA256), and two
/// small files beside it, the chain's head as last written (`.head`) and the last entry a verification
/// passed (`.checkpoint`). On an appliance they live in /etc/carehome beside the backup key
/// (`audit_key` in carehome.conf); by default in the data directory, outside the database file.
///
/// Without the key nobody can write an entry, or rewrite one and every later one, that verifies; and
/// the head recorded outside the database shows entries removed from the end, or all of them.
package struct AuditAnchor: Sendable {
    package let keyFile: URL
    let key: [UInt8]

    package struct Mark: Codable, Sendable, Equatable {
        package var id: Int64
        package var hash: String
        /// The first entry written with the key (entries before it, from an older version, are plain SHA-256).
        package var keyedFrom: Int64?
    }

    /// Reads the key, creating one (32 random bytes, mode 0600) when the file does not exist yet.
    package static func load(keyFile: URL) throws -> AuditAnchor {
        if !FileManager.default.fileExists(atPath: keyFile.path) {
            try FileManager.default.createDirectory(at: keyFile.deletingLastPathComponent(), withIntermediateDirectories: true)
            var bytes = [UInt8](repeating: 0, count: 32)
            var generator = SystemRandomNumberGenerator()
            for index in bytes.indices { bytes[index] = generator.next() }
            let hex = bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
            try write(Data((hex + "\n").utf8), to: keyFile)
        }
        let text = try String(contentsOf: keyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count >= 32 else { throw AuditAnchorError("the audit key \(keyFile.path) is too short (at least 32 characters)") }
        return AuditAnchor(keyFile: keyFile, key: Array(text.utf8))
    }

    package static func defaultKeyFile(dataDirectory: URL) -> URL { dataDirectory.appendingPathComponent("audit.key") }

    /// The home's key: read, or made when the home has no keyed entry yet. A home whose entries are keyed
    /// and whose key is missing (a replacement box, a deleted file) is refused with what to do: a new key
    /// would make every earlier entry fail verification.
    package static func forHome(keyFile: URL, pool: DatabasePool) throws -> AuditAnchor {
        if !FileManager.default.fileExists(atPath: keyFile.path) {
            let keyed = try pool.read { db in
                try db.tableExists("core_audit") && Int.fetchOne(db, sql: "SELECT 1 FROM core_audit WHERE hash LIKE 'k1:%' LIMIT 1") != nil
            }
            if keyed {
                throw AuditAnchorError("The audit trail's key \(keyFile.path) is missing, and the trail's entries are keyed with it. Put the home's audit.key there (it is kept with the backup key), or set audit_key in carehome.conf to where it is, and try again.")
            }
        }
        return try load(keyFile: keyFile)
    }

    /// After a restore the trail ends where the backup's did: the head and checkpoint start again from it.
    package func forgetHeadAndCheckpoint() {
        try? FileManager.default.removeItem(at: headFile)
        try? FileManager.default.removeItem(at: checkpointFile)
    }

    var headFile: URL { URL(fileURLWithPath: keyFile.path + ".head") }
    var checkpointFile: URL { URL(fileURLWithPath: keyFile.path + ".checkpoint") }

    /// HMAC-SHA256 of text with the key, as hex, marked `k1:` so a verifier knows it is keyed.
    package func keyedHash(_ text: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: SymmetricKey(data: key))
        return "k1:" + code.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// The key that seals the plugins' records (derived from this one: RecordSeals).
    package var recordSealer: RecordSealer { RecordSealer(auditKey: key) }

    package func head() -> Mark? { AuditAnchor.read(headFile) }
    package func checkpoint() -> Mark? { AuditAnchor.read(checkpointFile) }
    package func saveHead(_ mark: Mark) throws { try AuditAnchor.write(try JSONEncoder().encode(mark), to: headFile) }
    func saveCheckpoint(_ mark: Mark) throws { try AuditAnchor.write(try JSONEncoder().encode(mark), to: checkpointFile) }

    private static func read(_ file: URL) -> Mark? {
        guard let data = try? Data(contentsOf: file) else { return nil }
        return try? JSONDecoder().decode(Mark.self, from: data)
    }

    /// Written whole or not at all (a temporary file, fsync, rename), mode 0600.
    private static func write(_ data: Data, to file: URL) throws {
        let temporary = URL(fileURLWithPath: file.path + ".partial-\(getpid())")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AuditAnchorError("cannot write \(temporary.path): \(String(cString: strerror(errno)))") }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        try handle.write(contentsOf: data)
        try handle.synchronize()
        try handle.close()
        guard rename(temporary.path, file.path) == 0 else {
            throw AuditAnchorError("cannot write \(file.path): \(String(cString: strerror(errno)))")
        }
    }
}

package struct AuditAnchorError: Error, CustomStringConvertible {
    package let message: String
    init(_ message: String) { self.message = message }
    package var description: String { message }
}
