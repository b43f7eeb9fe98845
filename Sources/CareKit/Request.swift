/// An HTTP method a route answers.
public enum HTTPMethod: String, Sendable, Hashable {
    case get = "GET", post = "POST", put = "PUT", delete = "DELETE", head = "HEAD"

    /// Whether a request with this method may change state (and so needs a CSRF token).
    public var changesState: Bool { self == .post || self == .put || self == .delete }
}

/// A file sent in a multipart form.
public struct UploadedFile: Sendable, Equatable {
    /// The form field's name.
    public var field: String
    /// The name the browser gave the file.
    public var filename: String
    /// The declared content type.
    public var contentType: String
    /// The file's bytes.
    public var bytes: [UInt8]

    /// Creates an uploaded file.
    public init(field: String, filename: String, contentType: String, bytes: [UInt8]) {
        self.field = field
        self.filename = filename
        self.contentType = contentType
        self.bytes = bytes
    }
}

/// Form fields (urlencoded or multipart) or query parameters: each name can carry several values.
public struct FormData: Sendable, Equatable {
    /// Values by field name, in the order sent.
    public var fields: [String: [String]]
    /// Files sent in a multipart form.
    public var files: [UploadedFile]

    /// Creates form data.
    public init(fields: [String: [String]] = [:], files: [UploadedFile] = []) {
        self.fields = fields
        self.files = files
    }

    /// The first value sent for `name`, with surrounding white space removed; nil when absent.
    public subscript(name: String) -> String? {
        fields[name]?.first.map { $0.trimmingWhitespace() }
    }

    /// Every value sent for `name` (checkbox groups, repeated fields), trimmed.
    public func all(_ name: String) -> [String] {
        (fields[name] ?? []).map { $0.trimmingWhitespace() }
    }

    /// The first value for `name`, trimmed; nil when absent or empty.
    public func nonEmpty(_ name: String) -> String? {
        guard let value = self[name], !value.isEmpty else { return nil }
        return value
    }

    /// Whether a checkbox named `name` was ticked.
    public func isChecked(_ name: String) -> Bool {
        guard let value = self[name] else { return false }
        return value == "on" || value == "yes" || value == "true" || value == "1"
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and line breaks.
    public func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}

/// A request as a plugin sees it: already authenticated, authorised and CSRF-checked by the server.
public struct Request: Sendable {
    /// The HTTP method.
    public var method: HTTPMethod
    /// The path, decoded, without the query string (`/falls/12`).
    public var path: String
    /// Values of the `:name` segments of the route's pattern.
    public var pathParameters: [String: String]
    /// Query-string parameters.
    public var query: FormData
    /// Form fields of a POST.
    public var form: FormData
    /// Request headers, names in lower case.
    public var headers: [String: String]
    /// The signed-in staff member.
    public var principal: Principal
    /// An id for this request, shown on error pages and in the log.
    public var requestID: String
    /// The client's address.
    public var remoteAddress: String
    /// The session's CSRF token; `Form` puts it in every form.
    public var csrfToken: String

    /// Creates a request (the server does this; tests may too).
    public init(method: HTTPMethod, path: String, pathParameters: [String: String] = [:], query: FormData = FormData(),
                form: FormData = FormData(), headers: [String: String] = [:], principal: Principal,
                requestID: String = "", remoteAddress: String = "", csrfToken: String = "") {
        self.method = method
        self.path = path
        self.pathParameters = pathParameters
        self.query = query
        self.form = form
        self.headers = headers
        self.principal = principal
        self.requestID = requestID
        self.remoteAddress = remoteAddress
        self.csrfToken = csrfToken
    }

    /// A path parameter as a database id; throws `CareError.notFound` when it is not a number,
    /// so `/residents/abc` is a 404 page, not a crash.
    public func id(_ name: String) throws -> Int64 {
        guard let text = pathParameters[name], let value = Int64(text), value > 0 else {
            throw CareError.notFound("No such record.")
        }
        return value
    }
}
