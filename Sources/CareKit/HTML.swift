/// A fragment of HTML that is safe to send: text interpolated into it is escaped.
///
/// ```swift
/// let row: HTML = "<td>\(resident.name)</td>"      // name is escaped
/// let page: HTML = "<table>\(rows)</table>"          // rows is HTML: inserted as is
/// ```
/// The only way to insert unescaped text is `HTML(trusted:)`, which is meant for constant markup
/// written by the plugin's author, never for anything a user typed.
public struct HTML: Sendable, Equatable, CustomStringConvertible, ExpressibleByStringInterpolation {
    /// The markup.
    public private(set) var rendered: String

    /// Markup written by the plugin's author. Never pass user input here.
    public init(trusted markup: String) { rendered = markup }

    /// Plain text, escaped.
    public init(text: String) { rendered = HTML.escape(text) }

    /// An empty fragment.
    public static let empty = HTML(trusted: "")

    public init(stringLiteral value: String) { rendered = value }

    public init(stringInterpolation: Interpolation) { rendered = stringInterpolation.output }

    public var description: String { rendered }

    /// Joins fragments.
    public static func + (lhs: HTML, rhs: HTML) -> HTML { HTML(trusted: lhs.rendered + rhs.rendered) }

    /// Appends a fragment.
    public static func += (lhs: inout HTML, rhs: HTML) { lhs.rendered += rhs.rendered }

    /// Escapes `&`, `<`, `>`, `"` and `'` so that text can sit in element content or a quoted attribute.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Interpolation that escapes text and inserts `HTML` as is.
    public struct Interpolation: StringInterpolationProtocol {
        var output = ""
        public init(literalCapacity: Int, interpolationCount: Int) { output.reserveCapacity(literalCapacity * 2) }
        public mutating func appendLiteral(_ literal: String) { output += literal }
        /// Text: escaped.
        public mutating func appendInterpolation(_ text: String) { output += HTML.escape(text) }
        /// Optional text: escaped; nothing when nil.
        public mutating func appendInterpolation(_ text: String?) { output += HTML.escape(text ?? "") }
        /// Markup: inserted as is.
        public mutating func appendInterpolation(_ html: HTML) { output += html.rendered }
        /// A list of fragments, concatenated.
        public mutating func appendInterpolation(_ list: [HTML]) { for item in list { output += item.rendered } }
        /// A number.
        public mutating func appendInterpolation<N: BinaryInteger>(_ number: N) { output += String(number) }
        /// A number with a fractional part.
        public mutating func appendInterpolation(_ number: Double) { output += String(number) }
    }
}

extension Array where Element == HTML {
    /// Concatenates the fragments.
    public func joined() -> HTML { HTML(trusted: map(\.rendered).joined()) }
}
