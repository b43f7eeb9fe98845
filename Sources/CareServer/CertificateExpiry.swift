package import Foundation

/// When a PEM certificate stops being valid (its `notAfter`), read from the DER without a TLS library:
/// the admin page warns a month ahead, before tablets start refusing the appliance.
package enum CertificateExpiry {
    /// The `notAfter` of the first certificate in `pem`, or nil when it cannot be read.
    package static func notAfter(pem: String) -> Date? {
        guard let begin = pem.range(of: "-----BEGIN CERTIFICATE-----"),
              let end = pem.range(of: "-----END CERTIFICATE-----", range: begin.upperBound..<pem.endIndex) else { return nil }
        let base64 = pem[begin.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
        guard let der = Data(base64Encoded: String(base64)) else { return nil }
        return notAfter(der: [UInt8](der))
    }

    /// Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL, serialNumber, signature,
    /// issuer, validity SEQUENCE { notBefore, notAfter }, … }, … } (RFC 5280, 4.1).
    static func notAfter(der: [UInt8]) -> Date? {
        var reader = DER(bytes: der[...])
        guard let certificate = reader.next(), certificate.tag == 0x30 else { return nil }
        var inCertificate = DER(bytes: certificate.content)
        guard let tbs = inCertificate.next(), tbs.tag == 0x30 else { return nil }
        var fields = DER(bytes: tbs.content)
        guard var field = fields.next() else { return nil }
        if field.tag == 0xA0 { guard let next = fields.next() else { return nil }; field = next }   // version
        // field is the serial number; then the signature algorithm and the issuer.
        guard field.tag == 0x02, fields.next()?.tag == 0x30, fields.next()?.tag == 0x30,
              let validity = fields.next(), validity.tag == 0x30 else { return nil }
        var times = DER(bytes: validity.content)
        guard times.next() != nil, let notAfter = times.next() else { return nil }
        return time(notAfter.tag, String(decoding: notAfter.content, as: UTF8.self))
    }

    /// UTCTime `YYMMDDHHMMSSZ` (years 1950–2049) or GeneralizedTime `YYYYMMDDHHMMSSZ`.
    static func time(_ tag: UInt8, _ text: String) -> Date? {
        var digits = text
        guard digits.hasSuffix("Z") else { return nil }
        digits.removeLast()
        if tag == 0x17 {
            guard digits.count == 12, let year = Int(digits.prefix(2)) else { return nil }
            digits = (year < 50 ? "20" : "19") + digits
        } else if tag != 0x18 || digits.count != 14 {
            return nil
        }
        let characters = Array(digits)
        func number(_ from: Int, _ count: Int) -> Int? { Int(String(characters[from..<from + count])) }
        guard let year = number(0, 4), let month = number(4, 2), let day = number(6, 2),
              let hour = number(8, 2), let minute = number(10, 2), let second = number(12, 2) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))
    }

    /// Reads one TLV after another.
    struct DER {
        var bytes: ArraySlice<UInt8>

        mutating func next() -> (tag: UInt8, content: ArraySlice<UInt8>)? {
            guard bytes.count >= 2 else { return nil }
            var index = bytes.startIndex
            let tag = bytes[index]; index += 1
            var length = Int(bytes[index]); index += 1
            if length & 0x80 != 0 {
                let count = length & 0x7F
                guard count > 0, count <= 4, bytes.endIndex - index >= count else { return nil }
                length = 0
                for _ in 0..<count { length = length << 8 | Int(bytes[index]); index += 1 }
            }
            guard length >= 0, bytes.endIndex - index >= length else { return nil }
            let content = bytes[index..<index + length]
            bytes = bytes[(index + length)...]
            return (tag, content)
        }
    }
}
