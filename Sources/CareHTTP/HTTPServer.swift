import CHTTPShim
import Foundation
import Logging
import Synchronization

/// An HTTP(S) server on libmicrohttpd with its internal thread pool. Handlers run synchronously on
/// MHD's threads (which suits SQLite); the server knows nothing of pages, sessions or plugins.
package final class HTTPServer: Sendable {
    package struct Configuration: Sendable {
        package var address: String
        package var port: UInt16
        package var threadPoolSize: Int = 4
        package var connectionLimit: Int = 256
        /// A browser opens at most 6 connections to a host; 16 per address means that filling the
        /// connection cap takes 16 machines, not one.
        package var perIPConnectionLimit: Int = 16
        /// A connection that sends nothing for this long is closed.
        package var connectionTimeoutSeconds: Int = 30
        /// A request's headers must be complete within this many seconds of the connection opening (or
        /// of the previous answer on a kept-alive connection), however slowly they trickle in: a client
        /// cannot hold a connection for ever by sending a byte now and then. 2 seconds when the server is
        /// crowded. 0: no deadline.
        package var headerTimeoutSeconds: Int = 10
        /// A request's body must be complete within this many seconds of its headers.
        package var bodyTimeoutSeconds: Int = 120
        package var connectionMemoryLimit: Int = 64 * 1024
        package var maxBodySize: Int = 8 * 1024 * 1024
        package var tlsKeyPEM: String?
        package var tlsCertificatePEM: String?
        /// GnuTLS priority string; nil: TLS 1.2 and 1.3 with forward-secret AEAD suites only.
        package var tlsPriorities: String?

        package init(address: String, port: UInt16) {
            self.address = address
            self.port = port
        }
    }

    package typealias Handler = @Sendable (HTTPRequest) -> HTTPResponse
    /// How many bytes of body a request may send, asked once its headers are in and before any of the
    /// body is read: (method, path, Cookie header or nil). The server's maximum applies above it.
    package typealias BodyLimit = @Sendable (_ method: String, _ path: String, _ cookieHeader: String?) -> Int

    // The C server handle, set by start() and cleared by stop(); guarded by the mutex.
    private let server = Mutex<OpaquePointer?>(nil)
    private let box: HandlerBox
    private let configuration: Configuration

    package init(configuration: Configuration, bodyLimit: BodyLimit? = nil, handler: @escaping Handler) {
        self.configuration = configuration
        self.box = HandlerBox(handler, bodyLimit: bodyLimit)
    }

    /// The libmicrohttpd version in use.
    package static var libraryVersion: String { String(cString: chs_mhd_version()) }

    /// Starts listening. Throws with the reason when it cannot.
    package func start() throws {
        var errorBuffer = [CChar](repeating: 0, count: 256)
        let context = Unmanaged.passUnretained(box).toOpaque()
        let handle: OpaquePointer? = configuration.address.withCString { address in
            withOptionalCString(configuration.tlsKeyPEM) { key in
                withOptionalCString(configuration.tlsCertificatePEM) { certificate in
                  withOptionalCString(configuration.tlsPriorities) { priorities in
                    var config = chs_config()
                    config.address = address
                    config.port = configuration.port
                    config.thread_pool_size = UInt32(configuration.threadPoolSize)
                    config.connection_limit = UInt32(configuration.connectionLimit)
                    config.per_ip_connection_limit = UInt32(configuration.perIPConnectionLimit)
                    config.connection_timeout_seconds = UInt32(configuration.connectionTimeoutSeconds)
                    config.header_timeout_seconds = UInt32(configuration.headerTimeoutSeconds)
                    config.body_timeout_seconds = UInt32(configuration.bodyTimeoutSeconds)
                    config.connection_memory_limit = configuration.connectionMemoryLimit
                    config.max_body_size = configuration.maxBodySize
                    config.tls_key_pem = key
                    config.tls_cert_pem = certificate
                    config.tls_priorities = priorities
                    return chs_start(&config, shimHandler, box.bodyLimit == nil ? nil : shimBodyLimit, context,
                                     &errorBuffer, errorBuffer.count)
                  }
                }
            }
        }
        guard let handle else {
            let reason = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw HTTPServerError(message: reason)
        }
        let pointer = UInt(bitPattern: handle)
        server.withLock { $0 = OpaquePointer(bitPattern: pointer) }
    }

    /// The port actually bound (useful when started on port 0).
    package var port: UInt16 {
        server.withLock { handle in handle.map { chs_bound_port($0) } ?? 0 }
    }

    /// Connections cut so far for sending their headers or body too slowly.
    package var cutConnections: Int {
        server.withLock { handle in handle.map { chs_cut_connections($0) } ?? 0 }
    }

    /// Stops accepting connections, lets requests in flight finish (up to `grace`), then stops.
    package func stop(grace: Duration = .seconds(10)) {
        guard let handle = server.withLock({ $0 }) else { return }
        chs_quiesce(handle)
        let deadline = ContinuousClock.now + grace
        while chs_in_flight(handle) > 0 && ContinuousClock.now < deadline {
            usleep(10_000)
        }
        server.withLock { $0 = nil }
        chs_stop(handle)
    }
}

package struct HTTPServerError: Error, CustomStringConvertible {
    package let message: String
    package var description: String { message }
}

private func withOptionalCString<T>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> T) -> T {
    guard let string else { return body(nil) }
    return string.withCString { body($0) }
}

/// Holds the Swift handler for the C callback, which cannot capture context.
private final class HandlerBox: Sendable {
    let handler: HTTPServer.Handler
    let bodyLimit: HTTPServer.BodyLimit?
    init(_ handler: @escaping HTTPServer.Handler, bodyLimit: HTTPServer.BodyLimit?) {
        self.handler = handler
        self.bodyLimit = bodyLimit
    }
}

private let shimBodyLimit: chs_body_limit = { context, method, url, cookie in
    guard let context, let method, let url else { return 0 }
    let box = Unmanaged<HandlerBox>.fromOpaque(context).takeUnretainedValue()
    let limit = box.bodyLimit?(String(cString: method), String(cString: url), cookie.map { String(cString: $0) }) ?? Int.max
    return limit < 0 ? 0 : limit
}

private let shimHandler: chs_handler = { context, request, response in
    guard let context, let request, let response else { return 500 }
    let box = Unmanaged<HandlerBox>.fromOpaque(context).takeUnretainedValue()
    let reply = box.handler(HTTPRequest(request.pointee))
    let created: OpaquePointer?
    if let file = reply.file, let descriptor = file.take() {
        // libmicrohttpd closes the descriptor when it destroys the response.
        created = MHD_create_response_from_fd64(file.size, descriptor)
        if created == nil { close(descriptor) }
    } else {
        created = reply.body.withUnsafeBytes { bytes in
            chs_response_copy(bytes.baseAddress, bytes.count)
        }
    }
    guard let created else { return 500 }
    for header in reply.headers {
        _ = MHD_add_response_header(created, header.name, header.value)
    }
    response.pointee = created
    return UInt32(reply.status)
}

extension HTTPRequest {
    init(_ raw: chs_request) {
        func string(_ pointer: UnsafePointer<CChar>?) -> String { pointer.map { String(cString: $0) } ?? "" }
        var headers = [String: String]()
        for index in 0..<raw.header_count {
            let pair = raw.headers[index]
            headers[string(pair.name).lowercased()] = string(pair.value)
        }
        var query = [(name: String, value: String)]()
        for index in 0..<raw.query_count {
            let pair = raw.query[index]
            query.append((string(pair.name), string(pair.value)))
        }
        var fields = [Field]()
        for index in 0..<raw.field_count {
            let field = raw.fields[index]
            let bytes = field.data.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: field.size)) } ?? []
            fields.append(Field(name: string(field.name), filename: field.filename.map { String(cString: $0) },
                                contentType: field.content_type.map { String(cString: $0) }, bytes: bytes))
        }
        let body = raw.body.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: raw.body_size)) } ?? []
        let address = withUnsafeBytes(of: raw.remote_address) { buffer in
            String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self)
        }
        self.init(method: string(raw.method), path: string(raw.url), headers: headers, query: query, fields: fields,
                  body: body, bodyTooLarge: raw.body_too_large != 0, formParseFailed: raw.form_parse_failed != 0,
                  remoteAddress: address)
        bodyLimit = Int(clamping: raw.body_limit)
    }
}
