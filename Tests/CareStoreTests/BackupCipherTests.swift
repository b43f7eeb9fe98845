import CareStore
import Foundation
import Testing

@Suite("Backup encryption key files and format")
struct BackupCipherTests {
    private func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("carehome-cipher-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("a key file may hold 64 hex characters (openssl rand -hex 32) or 32 raw bytes, and both encrypt alike")
    func keyFileForms() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bytes = Data((0..<32).map { UInt8($0 * 7 % 256) })
        let raw = directory.appendingPathComponent("raw.key")
        try bytes.write(to: raw)
        let hex = directory.appendingPathComponent("hex.key")
        try (bytes.map { String(format: "%02X", $0) }.joined() + "\n").write(to: hex, atomically: true, encoding: .utf8)
        let plain = directory.appendingPathComponent("plain.bin")
        try Data("resident record".utf8).write(to: plain)
        let sealed = directory.appendingPathComponent("sealed.bin")
        try BackupCipher(keyFile: raw).encrypt(plain, to: sealed)
        let opened = directory.appendingPathComponent("opened.bin")
        try BackupCipher(keyFile: hex).decrypt(sealed, to: opened)
        #expect(try Data(contentsOf: opened) == Data("resident record".utf8))
        #expect(try BackupCipher.isEncrypted(sealed))
        #expect(try !BackupCipher.isEncrypted(plain))
    }

    @Test("a key file of the wrong length or with non-hex text is refused with how to make one")
    func badKeyFiles() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, content) in [("short.key", String(repeating: "ab", count: 16)), ("text.key", String(repeating: "zz", count: 32)), ("empty.key", "")] {
            let url = directory.appendingPathComponent(name)
            try content.write(to: url, atomically: true, encoding: .utf8)
            let error = #expect(throws: StoreError.self) { try BackupCipher(keyFile: url) }
            #expect(error?.message.contains("openssl rand -hex 32") == true)
        }
        let missing = #expect(throws: StoreError.self) { try BackupCipher(keyFile: directory.appendingPathComponent("absent.key")) }
        #expect(missing?.message.contains("Cannot read the backup key file") == true)
    }

    @Test("an empty file and a file of exactly one chunk round-trip; a chunk removed from the middle is refused")
    func chunkBoundaries() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cipher = try BackupCipher(keyBytes: Data(repeating: 9, count: 32))
        for size in [0, 1 << 20, (1 << 20) + 1, 3 << 20] {
            let plain = directory.appendingPathComponent("p\(size)")
            try Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: plain)
            let sealed = directory.appendingPathComponent("s\(size)")
            let opened = directory.appendingPathComponent("o\(size)")
            try cipher.encrypt(plain, to: sealed)
            try cipher.decrypt(sealed, to: opened)
            #expect(try Data(contentsOf: opened) == Data(contentsOf: plain), "size \(size)")
        }
        // Three 1 MiB chunks: drop the second and the file must not open.
        let sealed = try Data(contentsOf: directory.appendingPathComponent("s\(3 << 20)"))
        func chunkLength(at offset: Int) -> Int { sealed[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) } }
        let first = 28, second = first + 4 + chunkLength(at: first), third = second + 4 + chunkLength(at: second)
        let spliced = directory.appendingPathComponent("spliced")
        try (sealed[..<second] + sealed[third...]).write(to: spliced)
        #expect(throws: StoreError.self) { try cipher.decrypt(spliced, to: directory.appendingPathComponent("x")) }
    }
}
