import Foundation
import Synchronization

/// A complete HTTP request as libmicrohttpd delivered it (path and query already percent-decoded).
package struct HTTPRequest: Sendable {
    /// A form field from the post processor.
    package struct Field: Sendable {
        package var name: String
        package var filename: String?
        package var contentType: String?
        package var bytes: [UInt8]
        package init(name: String, filename: String? = nil, contentType: String? = nil, bytes: [UInt8]) {
            self.name = name
            self.filename = filename
            self.contentType = contentType
            self.bytes = bytes
        }
        package var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    package var method: String
    package var path: String
    /// Header names in lower case.
    package var headers: [String: String]
    package var query: [(name: String, value: String)]
    package var fields: [Field]
    package var body: [UInt8]
    package var bodyTooLarge: Bool
    /// The body limit that applied to this request (small before signing in); 0 when not known.
    package var bodyLimit: Int = 0
    package var formParseFailed: Bool
    package var remoteAddress: String

    package init(method: String, path: String, headers: [String: String] = [:], query: [(name: String, value: String)] = [],
                 fields: [Field] = [], body: [UInt8] = [], bodyTooLarge: Bool = false, formParseFailed: Bool = false,
                 remoteAddress: String = "127.0.0.1") {
        self.method = method
        self.path = path
        self.headers = headers
        self.query = query
        self.fields = fields
        self.body = body
        self.bodyTooLarge = bodyTooLarge
        self.formParseFailed = formParseFailed
        self.remoteAddress = remoteAddress
    }

    /// Cookies from the `Cookie` header.
    package var cookies: [String: String] { HTTPRequest.cookies(header: headers["cookie"]) }

    /// Cookies from a `Cookie` header's value.
    package static func cookies(header: String?) -> [String: String] {
        guard let header else { return [:] }
        var cookies = [String: String]()
        for part in header.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            cookies[pair[0].trimmingCharacters(in: .whitespaces)] = pair[1].trimmingCharacters(in: .whitespaces)
        }
        return cookies
    }
}

/// A file sent as a response body straight from its descriptor (libmicrohttpd reads it as it sends,
/// with sendfile where it can), so a 2 GB backup never has to fit in memory. The descriptor is handed
/// to the server, which closes it once sent; if the response is never sent it is closed here.
package final class ResponseFile: Sendable {
    package let size: UInt64
    private let descriptor: Atomic<Int32>

    /// Takes ownership of an open, readable descriptor of a regular file of `size` bytes.
    package init(descriptor: Int32, size: UInt64) {
        self.descriptor = Atomic(descriptor)
        self.size = size
    }

    /// The descriptor, once: whoever takes it closes it.
    package func take() -> Int32? {
        let fd = descriptor.exchange(-1, ordering: .acquiringAndReleasing)
        return fd >= 0 ? fd : nil
    }

    deinit {
        let fd = descriptor.load(ordering: .acquiring)
        if fd >= 0 { close(fd) }
    }
}

/// A response to send.
package struct HTTPResponse: Sendable {
    package var status: Int
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]
    /// A file to send as the body instead of `body`.
    package var file: ResponseFile?

    package init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of a header (case-insensitive).
    package func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}
