public import Foundation

/// A JSON value of a FHIR resource. Objects keep their keys in the order written and leave out a key
/// whose value is nil, so a resource reads as it is built:
/// `["status": "active", "note": note.isEmpty ? nil : .string(note)]`.
public indirect enum FHIRValue: Sendable, ExpressibleByStringLiteral, ExpressibleByStringInterpolation, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    /// A string, code, id, uri, date or dateTime.
    case string(String)
    /// An integer.
    case integer(Int)
    /// A decimal (written with at most three places).
    case decimal(Double)
    /// A boolean.
    case bool(Bool)
    /// An array.
    case array([FHIRValue])
    /// An object, its keys in order.
    case object([(key: String, value: FHIRValue)])

    /// A string.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An integer.
    public init(integerLiteral value: Int) { self = .integer(value) }
    /// A boolean.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An array.
    public init(arrayLiteral elements: FHIRValue...) { self = .array(elements) }
    /// An object; a key whose value is nil is left out.
    public init(dictionaryLiteral elements: (String, FHIRValue?)...) {
        self = .object(elements.compactMap { key, value in value.map { (key, $0) } })
    }

    /// The value of `key` in an object (nil for a missing key or a value that is not an object).
    public subscript(key: String) -> FHIRValue? {
        guard case .object(let pairs) = self else { return nil }
        return pairs.first { $0.key == key }?.value
    }

    /// The text of a string value.
    public var text: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// A copy of an object with `value` set at `key` (replacing any value there, else added at the end).
    public func setting(_ key: String, _ value: FHIRValue) -> FHIRValue {
        guard case .object(var pairs) = self else { return self }
        if let index = pairs.firstIndex(where: { $0.key == key }) { pairs[index].value = value } else { pairs.append((key, value)) }
        return .object(pairs)
    }

    /// The value as Foundation objects, for `JSONSerialization`.
    public var foundationObject: Any {
        switch self {
        case .string(let text): text
        case .integer(let number): number
        case .decimal(let number): NSDecimalNumber(string: FHIRValue.decimalText(number))
        case .bool(let flag): flag
        case .array(let items): items.map(\.foundationObject)
        case .object(let pairs): Dictionary(pairs.map { ($0.key, $0.value.foundationObject) }, uniquingKeysWith: { _, last in last })
        }
    }

    /// A decimal written as a person would (`37.5`, `80`), never `37.500000000000001`.
    static func decimalText(_ number: Double) -> String {
        let rounded = (number * 1000).rounded() / 1000
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        return String(format: "%.3f", rounded).replacingOccurrences(of: "0+$", with: "", options: .regularExpression)
    }
}
