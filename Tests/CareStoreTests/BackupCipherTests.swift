import CareStore
import Crypto
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

    @Test("a backup written before compression (CHBKENC1, chunks sealed as they are) still restores")
    func uncompressedFormatStillOpens() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyBytes = Data(repeating: 5, count: 32)
        let database = Data((0..<((1 << 20) + 300)).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        // The old layout, written here from its description rather than by the code under test.
        let fileID = Data(repeating: 0xAB, count: 16)
        var file = Data("CHBKENC1".utf8) + fileID + Data([0, 0x10, 0, 0])
        let chunks = [database.prefix(1 << 20), database.suffix(300)]
        for (index, chunk) in chunks.enumerated() {
            var authenticated = Data("carehome-backup-v1".utf8) + fileID
            authenticated.append(contentsOf: withUnsafeBytes(of: UInt64(index).bigEndian) { Array($0) })
            authenticated.append(index == chunks.count - 1 ? 1 : 0)
            let sealed = try AES.GCM.seal(Data(chunk), using: SymmetricKey(data: keyBytes), authenticating: authenticated).combined!
            file.append(contentsOf: withUnsafeBytes(of: UInt32(sealed.count).bigEndian) { Array($0) })
            file.append(sealed)
        }
        let old = directory.appendingPathComponent("old.enc")
        try file.write(to: old)
        #expect(try BackupCipher.isEncrypted(old))
        let opened = directory.appendingPathComponent("opened")
        try BackupCipher(keyBytes: keyBytes).decrypt(old, to: opened)
        #expect(try Data(contentsOf: opened) == database)
        // Relabelled as the compressed format, the same chunks do not authenticate (the version is sealed in).
        let relabelled = directory.appendingPathComponent("relabelled.enc")
        try (Data("CHBKENC2".utf8) + file.dropFirst(8)).write(to: relabelled)
        #expect(throws: StoreError.self) { try BackupCipher(keyBytes: keyBytes).decrypt(relabelled, to: directory.appendingPathComponent("x")) }
    }

    @Test("a repetitive database is stored compressed, several times smaller, and comes back byte for byte")
    func compressesBeforeSealing() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cipher = try BackupCipher(keyBytes: Data(repeating: 3, count: 32))
        let line = Data("2026-11-29T03:12:00Z|carer.jones|falls.record|resident 1042|Found on the floor by the bed\n".utf8)
        let plain = directory.appendingPathComponent("plain")
        try Data((0..<40_000).flatMap { _ in line }).write(to: plain)
        let sealed = directory.appendingPathComponent("sealed")
        try cipher.encrypt(plain, to: sealed)
        let plainBytes = try Data(contentsOf: plain).count, sealedBytes = try Data(contentsOf: sealed).count
        #expect(sealedBytes * 4 < plainBytes, "\(sealedBytes) bytes sealed for \(plainBytes) plain")
        let opened = directory.appendingPathComponent("opened")
        try cipher.decrypt(sealed, to: opened)
        #expect(try Data(contentsOf: opened) == Data(contentsOf: plain))
    }
}
