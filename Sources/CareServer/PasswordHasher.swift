import Crypto
import _CryptoExtras
package import Foundation

/// Password hashing with PBKDF2-HMAC-SHA256, 600,000 rounds (OWASP's 2023 figure for this KDF), a
/// 16-byte random salt, stored as `pbkdf2-sha256$rounds$salt$hash` (base64) so rounds can rise later.
enum PasswordHasher {
    static let rounds = 600_000
    static let minimumLength = 10
    static let maximumLength = 256

    static func hash(_ password: String) throws -> String {
        var salt = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for index in salt.indices { salt[index] = generator.next() }
        let key = try derive(password, salt: salt, rounds: rounds)
        return "pbkdf2-sha256$\(rounds)$\(Data(salt).base64EncodedString())$\(Data(key).base64EncodedString())"
    }

    static func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$")
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let rounds = Int(parts[1]), rounds >= 210_000,
              let salt = Data(base64Encoded: String(parts[2])), let expected = Data(base64Encoded: String(parts[3])),
              let actual = try? derive(password, salt: [UInt8](salt), rounds: rounds) else { return false }
        return constantTimeEqual([UInt8](expected), actual)
    }

    /// A hash that matches nothing, used to spend the same time when a username does not exist.
    static let decoy = "pbkdf2-sha256$600000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

    /// Why a new password is not acceptable, or nil.
    static func problem(with password: String, username: String) -> String? {
        if password.count < minimumLength { return "Use at least \(minimumLength) characters. A short sentence is easy to remember." }
        if password.count > maximumLength { return "Use at most \(maximumLength) characters." }
        if password.lowercased().contains(username.lowercased()) { return "The password must not contain the username." }
        if isCommon(password) {
            return "That password is one of the most common, so it is among the first anyone guesses. Choose another: a short sentence is easy to remember."
        }
        return nil
    }

    /// Whether a password is common (ASVS 2.1.7): on the list as it stands, or a listed word with digits or
    /// symbols around it ("Password123!"), or one character repeated.
    static func isCommon(_ password: String) -> Bool {
        let lowered = password.lowercased()
        if CommonPasswords.whole.contains(lowered) { return true }
        let core = lowered.trimmingCharacters(in: CharacterSet.letters.inverted)
        if CommonPasswords.bases.contains(core) || CommonPasswords.bases.contains(lowered) { return true }
        if let first = lowered.first, lowered.allSatisfy({ $0 == first }) { return true }
        return false
    }

    private static func derive(_ password: String, salt: [UInt8], rounds: Int) throws -> [UInt8] {
        let key = try KDF.Insecure.PBKDF2.deriveKey(from: Array(password.utf8), salt: salt, using: .sha256,
                                                     outputByteCount: 32, rounds: rounds)
        return key.withUnsafeBytes { [UInt8]($0) }
    }
}

/// Compares without stopping at the first difference, so timing does not reveal how much matched.
func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for index in a.indices { difference |= a[index] ^ b[index] }
    return difference == 0
}

/// Random tokens: 32 bytes from the system's generator, as hex (256 bits).
func randomToken() -> String {
    var generator = SystemRandomNumberGenerator()
    return (0..<4).map { _ in
        let hex = String(generator.next() as UInt64, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }.joined()
}

/// SHA-256 of text, as hex.
func sha256Hex(_ text: String) -> String {
    SHA256.hash(data: Array(text.utf8)).map { byte in
        let hex = String(byte, radix: 16)
        return byte < 16 ? "0" + hex : hex
    }.joined()
}
