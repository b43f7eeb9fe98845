import Crypto
package import Foundation

/// Encrypts and decrypts backup files with AES-256-GCM and a key kept in a key file.
///
/// The file is cut into chunks so a large database never has to fit in memory on a 1 GB box.
/// Each chunk is sealed on its own; its index, a random file id and whether it is the last chunk
/// are authenticated with it, so a reordered, spliced, truncated or edited file fails to open
/// instead of restoring something subtly wrong.
///
/// Layout: `CHBKENC2` (8 bytes) · file id (16) · chunk size (UInt32 BE) · chunks, each
/// ciphertext length (UInt32 BE) then nonce (12) · ciphertext · tag (16). Each chunk is up to
/// `chunkSize` bytes of the database, compressed with zstd and then sealed (compressing after
/// encrypting would gain nothing). The last chunk (possibly empty) carries the "final" flag in its
/// authenticated data. Files from before compression (`CHBKENC1`: the same layout, chunks not
/// compressed) still open.
package struct BackupCipher: Sendable {
    /// The first bytes of an encrypted backup, as written now.
    package static let magic = Data("CHBKENC2".utf8)
    /// The first bytes of an encrypted backup written before backups were compressed.
    package static let uncompressedMagic = Data("CHBKENC1".utf8)
    /// The first bytes of a plain SQLite file.
    package static let sqliteMagic = Data("SQLite format 3\0".utf8)
    static let chunkSize = 1 << 20

    // The raw key (Data is Sendable; SymmetricKey is not marked so).
    private let keyBytes: Data
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    /// A cipher for a 256-bit key given as 32 bytes.
    package init(keyBytes: Data) throws {
        guard keyBytes.count == 32 else {
            throw StoreError(.backupFailed, "The backup key must be 256 bits (32 bytes); this one has \(keyBytes.count) bytes.")
        }
        self.keyBytes = keyBytes
    }

    /// Reads a key file: 32 raw bytes, or 64 hexadecimal characters (what `openssl rand -hex 32` writes).
    package init(keyFile: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: keyFile)
        } catch {
            throw StoreError(.backupFailed, "Cannot read the backup key file \(keyFile.path): \(error.localizedDescription)")
        }
        // 32 raw bytes — unless they are all hex digits: that is `openssl rand -hex 16`, a half-length key.
        let isHexText = data.allSatisfy { BackupCipher.hexValue($0) != nil }
        if data.count == 32 && !isHexText {
            try self.init(keyBytes: data)
            return
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count == 64, let bytes = BackupCipher.hexBytes(text) else {
            throw StoreError(.backupFailed, "The backup key file \(keyFile.path) must hold 32 bytes or 64 hexadecimal characters (make one with `openssl rand -hex 32`).")
        }
        try self.init(keyBytes: bytes)
    }

    /// Whether the file at `url` starts like an encrypted backup.
    package static func isEncrypted(_ url: URL) throws -> Bool {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        let head = try handle.read(upToCount: magic.count)
        return head == magic || head == uncompressedMagic
    }

    /// Encrypts `source` into a new file `destination` and flushes it to the disk.
    package func encrypt(_ source: URL, to destination: URL) throws {
        let input = try FileHandle(forReadingFrom: source)
        defer { try? input.close() }
        let output = try BackupFile.create(destination)
        defer { try? output.close() }
        let fileID = Data((0..<16).map { _ in UInt8.random(in: .min ... .max) })
        var header = BackupCipher.magic
        header.append(fileID)
        header.append(BackupCipher.bigEndian(UInt32(BackupCipher.chunkSize)))
        try output.write(contentsOf: header)
        var index: UInt64 = 0
        var chunk = try input.read(upToCount: BackupCipher.chunkSize) ?? Data()
        while true {
            // Read one ahead so the last chunk is known to be the last when it is sealed.
            let next = chunk.count == BackupCipher.chunkSize ? (try input.read(upToCount: BackupCipher.chunkSize) ?? Data()) : Data()
            let isFinal = next.isEmpty
            let sealed = try AES.GCM.seal(try BackupCompression.compress(chunk), using: key,
                                          authenticating: BackupCipher.associatedData(fileID: fileID, index: index, isFinal: isFinal, compressed: true))
            guard let combined = sealed.combined else {
                throw StoreError(.backupFailed, "Encryption failed (no combined representation).")
            }
            try output.write(contentsOf: BackupCipher.bigEndian(UInt32(combined.count)) + combined)
            if isFinal { break }
            chunk = next
            index += 1
        }
        try output.synchronize()
    }

    /// Decrypts `source` into a new file `destination`. Throws when the key is wrong or the file was
    /// damaged, truncated or altered; `destination` is then incomplete and the caller removes it.
    package func decrypt(_ source: URL, to destination: URL) throws {
        let input = try FileHandle(forReadingFrom: source)
        defer { try? input.close() }
        let output = try BackupFile.create(destination)
        defer { try? output.close() }
        func damaged(_ why: String) -> StoreError {
            StoreError(.damaged, "The encrypted backup \(source.lastPathComponent) cannot be opened: \(why). Either the key file is not the one it was made with, or the file is damaged.")
        }
        guard let header = try input.read(upToCount: 28), header.count == 28,
              header.prefix(8) == BackupCipher.magic || header.prefix(8) == BackupCipher.uncompressedMagic else {
            throw damaged("it does not start like a carehome encrypted backup")
        }
        let compressed = header.prefix(8) == BackupCipher.magic
        let fileID = header.subdata(in: 8..<24)
        let chunkLimit = Int(BackupCipher.uint32(header.subdata(in: 24..<28)))
        guard chunkLimit > 0, chunkLimit <= 64 << 20 else { throw damaged("its header is invalid") }
        let sealedLimit = (compressed ? BackupCompression.bound(chunkLimit) : chunkLimit) + 28
        /// A chunk's database bytes, or nil when it is not a valid compressed chunk.
        func contents(_ opened: Data) -> Data? {
            compressed ? BackupCompression.decompress(opened, limit: chunkLimit) : opened
        }
        var index: UInt64 = 0
        while true {
            guard let lengthBytes = try input.read(upToCount: 4), lengthBytes.count == 4 else {
                throw damaged("it ends early (truncated)")
            }
            let length = Int(BackupCipher.uint32(lengthBytes))
            guard length >= 28, length <= sealedLimit else { throw damaged("chunk \(index) has an invalid length") }
            guard let combined = try input.read(upToCount: length), combined.count == length else {
                throw damaged("it ends early (truncated)")
            }
            let box: AES.GCM.SealedBox
            do { box = try AES.GCM.SealedBox(combined: combined) } catch { throw damaged("chunk \(index) is malformed") }
            // Try as a middle chunk first, then as the last one: the flag is only in the authenticated data.
            if let opened = try? AES.GCM.open(box, using: key, authenticating: BackupCipher.associatedData(fileID: fileID, index: index, isFinal: false, compressed: compressed)) {
                guard let plain = contents(opened) else { throw damaged("chunk \(index) does not decompress") }
                try output.write(contentsOf: plain)
                index += 1
                continue
            }
            guard let opened = try? AES.GCM.open(box, using: key, authenticating: BackupCipher.associatedData(fileID: fileID, index: index, isFinal: true, compressed: compressed)) else {
                throw damaged("chunk \(index) does not authenticate")
            }
            guard let plain = contents(opened) else { throw damaged("chunk \(index) does not decompress") }
            try output.write(contentsOf: plain)
            guard let rest = try input.read(upToCount: 1), !rest.isEmpty else { break }
            throw damaged("there is data after the last chunk")
        }
        try output.synchronize()
    }

    /// What each chunk's seal authenticates besides its bytes. The format version is part of it, so a
    /// compressed chunk can never be passed off as an uncompressed one or the other way round.
    static func associatedData(fileID: Data, index: UInt64, isFinal: Bool, compressed: Bool) -> Data {
        var data = Data((compressed ? "carehome-backup-v2" : "carehome-backup-v1").utf8)
        data.append(fileID)
        withUnsafeBytes(of: index.bigEndian) { data.append(contentsOf: $0) }
        data.append(isFinal ? 1 : 0)
        return data
    }

    static func bigEndian(_ value: UInt32) -> Data {
        withUnsafeBytes(of: value.bigEndian) { Data($0) }
    }

    static func uint32(_ data: Data) -> UInt32 {
        data.reduce(0) { $0 << 8 | UInt32($1) }
    }

    static func hexBytes(_ text: String) -> Data? {
        var bytes = Data()
        var iterator = text.utf8.makeIterator()
        while let high = iterator.next() {
            guard let low = iterator.next(), let h = hexValue(high), let l = hexValue(low) else { return nil }
            bytes.append(h << 4 | l)
        }
        return bytes
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
