/// A page for the server to place inside the appliance's shell (header, navigation, footer).
public struct Page: Sendable {
    /// The page title: the `<title>` and the `<h1>`.
    public var title: String
    /// The page's content, below the heading.
    public var body: HTML
    /// Links shown above the heading, from the top level down: (title, path).
    public var breadcrumbs: [(title: String, path: String)]
    /// Whether the page shows personal data (it is then sent with `Cache-Control: no-store`). Default true.
    public var containsPersonalData: Bool

    /// Creates a page.
    public init(title: String, breadcrumbs: [(title: String, path: String)] = [], containsPersonalData: Bool = true, body: HTML) {
        self.title = title
        self.body = body
        self.breadcrumbs = breadcrumbs
        self.containsPersonalData = containsPersonalData
    }
}

/// What a route handler answers.
public struct Response: Sendable {
    /// What the body is.
    public enum Body: Sendable {
        /// A page to be placed in the shell.
        case page(Page)
        /// Bytes sent as they are, with the given content type.
        case bytes([UInt8], contentType: String)
        /// No body.
        case empty
    }

    /// The HTTP status.
    public var status: Int
    /// Extra headers.
    public var headers: [String: String]
    /// The body.
    public var body: Body
    /// A one-line message shown at the top of the next page (after a redirect), such as "Fall saved".
    public var flash: String?

    /// Creates a response.
    public init(status: Int = 200, headers: [String: String] = [:], body: Body, flash: String? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.flash = flash
    }

    /// A page in the shell. Use status 422 for a form returned with errors.
    public static func page(_ page: Page, status: Int = 200) -> Response {
        Response(status: status, body: .page(page))
    }

    /// A page in the shell, built inline.
    public static func page(title: String, status: Int = 200, breadcrumbs: [(title: String, path: String)] = [], _ body: HTML) -> Response {
        Response(status: status, body: .page(Page(title: title, breadcrumbs: breadcrumbs, body: body)))
    }

    /// A 303 redirect (after a successful POST), optionally with a message for the next page.
    public static func redirect(to path: String, flash: String? = nil) -> Response {
        Response(status: 303, headers: ["Location": path], body: .empty, flash: flash)
    }

    /// A downloadable CSV file. Cells are given as text; quoting and formula-injection guards are applied.
    public static func csv(filename: String, header: [String], rows: [[String]]) -> Response {
        var text = CSV.line(header)
        for row in rows { text += CSV.line(row) }
        return Response(headers: ["Content-Disposition": "attachment; filename=\"\(filename)\""],
                        body: .bytes(Array(text.utf8), contentType: "text/csv; charset=utf-8"))
    }

    /// Plain text (UTF-8).
    public static func text(_ text: String, status: Int = 200) -> Response {
        Response(status: status, body: .bytes(Array(text.utf8), contentType: "text/plain; charset=utf-8"))
    }

    /// An SVG image.
    public static func svg(_ svg: HTML) -> Response {
        Response(body: .bytes(Array(svg.rendered.utf8), contentType: "image/svg+xml"))
    }
}

/// CSV writing shared by every export.
public enum CSV {
    /// One CSV line with RFC 4180 quoting. A cell that a spreadsheet would run as a formula
    /// (starting with `=`, `+`, `-`, `@`) is prefixed with `'` so that an export cannot carry one.
    public static func line(_ cells: [String]) -> String {
        cells.map { cell -> String in
            var value = cell
            if let first = value.first, "=+-@".contains(first), Double(value) == nil { value = "'" + value }
            if value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
                value = "\"" + value.replacingAll("\"", with: "\"\"") + "\""
            }
            return value
        }.joined(separator: ",") + "\r\n"
    }
}

extension String {
    /// Every occurrence of `target` replaced with `replacement` (no Foundation needed).
    public func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        result += rest
        return result
    }
}
