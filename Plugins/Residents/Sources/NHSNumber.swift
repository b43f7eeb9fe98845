/// The NHS number check (Modulus 11), with a message that says what is wrong.
///
/// Rule RES-NHS-MOD11. Source: NHS Data Dictionary, "NHS Number": 10 digits; weights 10 down to 2
/// on the first nine; check digit = 11 − (sum mod 11); 11 becomes 0; 10 means the number is not valid.
/// Passing the check does not mean the number belongs to this person: whether it has been verified
/// (against the NHS card, GP letter or the Personal Demographics Service) is recorded separately.
enum NHSNumber {
    /// The outcome of checking what someone typed.
    enum Check: Equatable {
        /// Valid: the 10 digits without spaces.
        case valid(String)
        /// Not valid, with a message for the person who typed it.
        case invalid(String)
    }

    /// Checks a number as typed (spaces and hyphens between digits are allowed: `943 476 5919`).
    static func check(_ typed: String) -> Check {
        let compact = typed.filter { $0 != " " && $0 != "-" }
        if compact.isEmpty { return .invalid("Enter the NHS number") }
        guard compact.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return .invalid("An NHS number is 10 digits: this one contains letters or other characters")
        }
        let digits = compact.compactMap { Int(String($0)) }
        guard digits.count == 10 else {
            return .invalid("An NHS number is 10 digits: you entered \(digits.count)")
        }
        guard let expected = checkDigit(ofFirstNine: Array(digits.prefix(9))) else {
            return .invalid("This is not a valid NHS number: no real NHS number starts with these 9 digits. Check each digit")
        }
        guard expected == digits[9] else {
            return .invalid("This is not a valid NHS number: the last digit does not match the others. Check each digit against an NHS letter or card")
        }
        if Set(digits).count == 1 { return .invalid("This is not a valid NHS number: all 10 digits are the same") }
        return .valid(compact)
    }

    /// The Modulus 11 check digit for the first nine digits, or nil when no check digit exists (result 10).
    static func checkDigit(ofFirstNine digits: [Int]) -> Int? {
        guard digits.count == 9 else { return nil }
        var sum = 0
        for (index, digit) in digits.enumerated() { sum += digit * (10 - index) }
        let result = 11 - sum % 11
        if result == 11 { return 0 }
        if result == 10 { return nil }
        return result
    }

    /// `943 476 5919`.
    static func spaced(_ digits: String) -> String {
        guard digits.count == 10 else { return digits }
        let chars = Array(digits)
        return String(chars[0..<3]) + " " + String(chars[3..<6]) + " " + String(chars[6..<10])
    }
}
