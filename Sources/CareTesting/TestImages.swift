/// Pictures for the photo tests, made here byte by byte so that the tests need no image library:
/// a PNG (stored, uncompressed deflate), and an EXIF segment to put into a JPEG the way a camera does.
package enum TestImages {
    /// A PNG of `width` x `height` RGB pixels, each coloured by `pixel(x, y)`.
    package static func png(width: Int, height: Int, pixel: (Int, Int) -> (UInt8, UInt8, UInt8)) -> [UInt8] {
        var raw = [UInt8]()
        for y in 0..<height {
            raw.append(0)   // filter: none
            for x in 0..<width {
                let (r, g, b) = pixel(x, y)
                raw += [r, g, b]
            }
        }
        return png(width: width, height: height, idat: zlibStored(raw))
    }

    /// A PNG whose header claims `width` x `height` but carries almost nothing (a "decompression bomb" probe).
    package static func pngClaiming(width: Int, height: Int) -> [UInt8] {
        png(width: width, height: height, idat: zlibStored([0, 0, 0, 0]))
    }

    /// `jpeg` with an EXIF APP1 segment right after its start marker, carrying the orientation, a
    /// camera make and a GPS latitude, as phones write them (little-endian TIFF).
    package static func withExif(_ jpeg: [UInt8], orientation: UInt16, make: String) -> [UInt8] {
        let makeBytes = Array(make.utf8) + [0]
        // TIFF header, IFD0 with three entries: Make (ASCII, at an offset), Orientation (SHORT), GPS IFD pointer.
        var tiff: [UInt8] = [0x49, 0x49, 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00]
        let ifd0Size = 2 + 3 * 12 + 4
        let makeOffset = 8 + ifd0Size
        let gpsOffset = makeOffset + makeBytes.count
        tiff += le16(3)
        tiff += le16(0x010F) + le16(2) + le32(UInt32(makeBytes.count)) + le32(UInt32(makeOffset))
        tiff += le16(0x0112) + le16(3) + le32(1) + le16(orientation) + le16(0)
        tiff += le16(0x8825) + le16(4) + le32(1) + le32(UInt32(gpsOffset))
        tiff += le32(0)
        tiff += makeBytes
        // GPS IFD: latitude ref "N" only (enough to be a location in the file).
        tiff += le16(1) + le16(0x0001) + le16(2) + le32(2) + [UInt8(ascii: "N"), 0, 0, 0] + le32(0)
        let payload = Array("Exif".utf8) + [0, 0] + tiff
        let length = payload.count + 2
        let segment: [UInt8] = [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
        return Array(jpeg.prefix(2)) + segment + Array(jpeg.dropFirst(2))
    }

    /// Width and height from a JPEG's start-of-frame marker.
    package static func jpegSize(_ jpeg: [UInt8]) -> (width: Int, height: Int)? {
        var at = 2
        while at + 9 < jpeg.count {
            guard jpeg[at] == 0xFF else { return nil }
            let marker = jpeg[at + 1]
            let length = Int(jpeg[at + 2]) << 8 | Int(jpeg[at + 3])
            if (0xC0...0xC3).contains(marker) {
                return (Int(jpeg[at + 7]) << 8 | Int(jpeg[at + 8]), Int(jpeg[at + 5]) << 8 | Int(jpeg[at + 6]))
            }
            at += 2 + length
        }
        return nil
    }

    private static func png(width: Int, height: Int, idat: [UInt8]) -> [UInt8] {
        let header = be32(UInt32(width)) + be32(UInt32(height)) + [8, 2, 0, 0, 0]   // 8-bit RGB
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", header) + chunk("IDAT", idat) + chunk("IEND", [])
    }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + data
        return be32(UInt32(data.count)) + typed + be32(crc32(typed))
    }

    /// zlib with stored (uncompressed) deflate blocks of at most 65,535 bytes.
    private static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let size = min(65_535, data.count - offset)
            let last: UInt8 = offset + size == data.count ? 1 : 0
            out += [last] + le16(UInt16(size)) + le16(~UInt16(size)) + data[offset..<offset + size]
            offset += size
        } while offset < data.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return out + be32(b << 16 | a)
    }

    private static func crc32(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    private static func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    private static func le32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)] }
    private static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
}
