import CZstd
package import Foundation

/// Zstandard compression of one backup chunk at a time, so memory stays at a couple of chunks however
/// large the home's database is. A ten-year home's database is mostly audit text and indexes, which
/// compress about four to one (2.85 GB to 0.70 GB measured with zstd at level 3). The audit trail's
/// archive segments (CareServer's AuditArchive) are compressed with the same code.
package enum BackupCompression {
    /// Level 3 is zstd's default: hundreds of MB/s on one core, so compressing never dominates a backup.
    static let level: Int32 = 3

    /// The largest compressed size of `count` bytes.
    static func bound(_ count: Int) -> Int { ZSTD_compressBound(count) }

    package static func compress(_ plain: Data) throws -> Data {
        var output = Data(count: bound(plain.count))
        let written = output.withUnsafeMutableBytes { out in
            plain.withUnsafeBytes { input in
                ZSTD_compress(out.baseAddress, out.count, input.baseAddress, input.count, level)
            }
        }
        guard ZSTD_isError(written) == 0 else {
            throw StoreError(.backupFailed, "Compressing the backup failed: \(String(cString: ZSTD_getErrorName(written))).")
        }
        output.count = written
        return output
    }

    /// Decompresses one chunk whose original size is at most `limit` bytes; nil when it is not a
    /// valid frame or claims to be larger (a damaged file must not make the box allocate gigabytes).
    package static func decompress(_ compressed: Data, limit: Int) -> Data? {
        let claimed = compressed.withUnsafeBytes { ZSTD_getFrameContentSize($0.baseAddress, $0.count) }
        // ZSTD_CONTENTSIZE_UNKNOWN and _ERROR are the two largest UInt64 values.
        guard claimed <= UInt64(limit) else { return nil }
        var output = Data(count: Int(claimed))
        let written = output.withUnsafeMutableBytes { out in
            compressed.withUnsafeBytes { input in
                ZSTD_decompress(out.baseAddress, out.count, input.baseAddress, input.count)
            }
        }
        guard ZSTD_isError(written) == 0, written == Int(claimed) else { return nil }
        return output
    }
}
