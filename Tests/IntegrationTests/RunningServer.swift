import Foundation
import Testing

/// Where the built pieces are: the appliance tree (`make build`) and the test plugin libraries.
enum Built {
    /// The directory holding the test binary, where SwiftPM also puts libProbePlugin.so.
    static let binDirectory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()

    static let appliance: URL = {
        if let path = ProcessInfo.processInfo.environment["CAREHOME_APPLIANCE"] { return URL(fileURLWithPath: path) }
        // `swift test` run by hand after `make build`: the tree sits beside the build products.
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.build/appliance").standardizedFileURL
    }()

    static var carehome: URL { appliance.appendingPathComponent("bin/carehome") }
    static var realPlugins: URL { appliance.appendingPathComponent("plugins") }
    static func testPlugin(_ name: String) -> URL { binDirectory.appendingPathComponent("lib\(name).so") }
}

/// The result of running a command.
struct CommandResult {
    let status: Int32
    let output: String
    let error: String
}

/// Runs a program to completion and collects what it printed.
@discardableResult
func run(_ executable: URL, _ arguments: [String], input: String? = nil, environment: [String: String] = [:]) throws -> CommandResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let output = Pipe(), error = Pipe(), stdin = Pipe()
    process.standardOutput = output
    process.standardError = error
    process.standardInput = stdin
    try process.run()
    if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
    try stdin.fileHandleForWriting.close()
    let out = output.fileHandleForReading.readDataToEndOfFile()
    let err = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus, output: String(decoding: out, as: UTF8.self), error: String(decoding: err, as: UTF8.self))
}

/// An HTTP response as curl saw it.
struct HTTPReply {
    let status: Int
    let headers: [String: String]
    let body: String
}

/// A fresh home: a data directory and a plugins directory holding the chosen libraries.
final class TestInstallation {
    let root: URL
    let dataDirectory: URL
    let pluginsDirectory: URL

    init(plugins: [URL]) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("carehome-it-\(UUID().uuidString)")
        dataDirectory = root.appendingPathComponent("data")
        pluginsDirectory = root.appendingPathComponent("plugins")
        try FileManager.default.createDirectory(at: pluginsDirectory, withIntermediateDirectories: true)
        for plugin in plugins {
            try FileManager.default.copyItem(at: plugin, to: pluginsDirectory.appendingPathComponent(plugin.lastPathComponent))
        }
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    /// Adds an account with the `carehome user add` command.
    func addUser(_ username: String, role: String, password: String = "integration-pass-1") throws {
        let result = try run(Built.carehome, ["user", "add", "--data-dir", dataDirectory.path, "--username", username, "--role", role], input: password + "\n")
        #expect(result.status == 0, "user add failed: \(result.error)")
    }

    func start(environment: [String: String] = [:], extraArguments: [String] = []) throws -> RunningServer {
        try RunningServer(installation: self, environment: environment, extraArguments: extraArguments)
    }
}

/// The real `carehome serve` on a free port, and a curl-based client with a cookie jar.
/// @unchecked Sendable: its stored properties are set once in init; requests run separate curl processes.
final class RunningServer: @unchecked Sendable {
    let process = Process()
    private(set) var port: Int
    let installation: TestInstallation
    let cookies: URL
    private let errorPipe = Pipe()
    private let outputPipe = Pipe()

    init(installation: TestInstallation, environment: [String: String], extraArguments: [String]) throws {
        self.installation = installation
        cookies = installation.root.appendingPathComponent("cookies-\(UUID().uuidString).txt")
        process.executableURL = Built.carehome
        process.arguments = ["serve", "--data-dir", installation.dataDirectory.path, "--plugins-dir", installation.pluginsDirectory.path,
                             "--listen", "127.0.0.1:0"] + extraArguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment.merging(["CAREHOME_LOG_LEVEL": "warning"]) { $1 }) { $1 }
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        try process.run()
        // The first line on standard output names the address.
        var buffer = Data()
        let handle = outputPipe.fileHandleForReading
        while !buffer.contains(UInt8(ascii: "\n")) {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
        }
        let line = String(decoding: buffer, as: UTF8.self)
        guard let range = line.range(of: "127.0.0.1:"), let port = Int(line[range.upperBound...].prefix { $0.isNumber }) else {
            process.waitUntilExit()
            let error = String(decoding: errorPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw ServerDidNotStart(output: line, error: error, status: process.terminationStatus)
        }
        self.port = port
    }

    deinit { if process.isRunning { process.terminate(); process.waitUntilExit() } }

    /// After a restart asked for on the admin page: waits for the next "serving" line (the process starts
    /// again in its own place, with the same arguments) and takes its port. Throws if none comes in `timeout`.
    func waitForRestart(timeout: TimeInterval = 30) throws {
        let handle = outputPipe.fileHandleForReading
        var buffer = Data()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            let text = String(decoding: buffer, as: UTF8.self)
            if let range = text.range(of: "127.0.0.1:"), text[range.upperBound...].contains("/"),
               let port = Int(text[range.upperBound...].prefix { $0.isNumber }) {
                self.port = port
                return
            }
        }
        throw ServerDidNotStart(output: String(decoding: buffer, as: UTF8.self), error: standardError, status: process.isRunning ? 0 : process.terminationStatus)
    }

    var base: String { "http://127.0.0.1:\(port)" }

    /// Sends a request with curl (no redirects followed, the path sent exactly as given).
    func request(_ method: String, _ path: String, form: [(String, String)] = [], body: Data? = nil, useCookies: Bool = true,
                 headers: [String] = []) throws -> HTTPReply {
        var arguments = ["-s", "-i", "--path-as-is", "-X", method, "--max-time", "20"]
        if useCookies { arguments += ["-b", cookies.path, "-c", cookies.path] }
        for header in headers { arguments += ["-H", header] }
        for (name, value) in form { arguments += ["--data-urlencode", "\(name)=\(value)"] }
        var bodyFile: URL?
        if let body {
            let file = installation.root.appendingPathComponent("body-\(UUID().uuidString)")
            try body.write(to: file)
            bodyFile = file
            arguments += ["-H", "Content-Type: application/x-www-form-urlencoded", "--data-binary", "@\(file.path)"]
        }
        defer { if let bodyFile { try? FileManager.default.removeItem(at: bodyFile) } }
        arguments.append(base + path)
        let result = try run(URL(fileURLWithPath: "/usr/bin/curl"), arguments)
        return RunningServer.parse(result.output)
    }

    func get(_ path: String) throws -> HTTPReply { try request("GET", path) }

    /// Signs in through the real form (CSRF cookie and all).
    func signIn(_ username: String, password: String = "integration-pass-1") throws {
        let page = try get("/login")
        let token = RunningServer.hiddenValue("_csrf", in: page.body) ?? ""
        let reply = try request("POST", "/login", form: [("_csrf", token), ("username", username), ("password", password), ("next", "/")])
        #expect(reply.status == 303, "sign-in failed: \(reply.status) \(reply.body.prefix(300))")
    }

    /// The session's CSRF token, read from any signed-in page.
    func csrfToken() throws -> String {
        RunningServer.hiddenValue("_csrf", in: try get("/").body) ?? ""
    }

    func stop(signal number: Int32 = SIGTERM) {
        kill(process.processIdentifier, number)
        process.waitUntilExit()
    }

    var standardError: String {
        String(decoding: errorPipe.fileHandleForReading.availableData, as: UTF8.self)
    }

    static func hiddenValue(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    static func parse(_ raw: String) -> HTTPReply {
        // curl -i may print several header blocks (100 Continue); the last one is the answer.
        var text = raw
        while text.hasPrefix("HTTP/1.1 100"), let end = text.range(of: "\r\n\r\n") { text = String(text[end.upperBound...]) }
        guard let split = text.range(of: "\r\n\r\n") else { return HTTPReply(status: 0, headers: [:], body: raw) }
        let head = text[..<split.lowerBound].split(separator: "\r\n")
        let status = head.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        var headers = [String: String]()
        for line in head.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 { headers[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        return HTTPReply(status: status, headers: headers, body: String(text[split.upperBound...]))
    }
}

struct ServerDidNotStart: Error, CustomStringConvertible {
    let output: String
    let error: String
    let status: Int32
    var description: String { "server did not start (exit \(status)): \(error) \(output)" }
}

/// Reads one value with the sqlite3 command-line tool (an outside view of the file).
func sqlite(_ database: URL, _ sql: String) throws -> String {
    try run(URL(fileURLWithPath: "/usr/bin/sqlite3"), [database.path, sql]).output.trimmingCharacters(in: .whitespacesAndNewlines)
}
