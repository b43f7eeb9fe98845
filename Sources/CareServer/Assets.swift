package import CareHTTP
package import Foundation
package import Logging

/// The appliance's own static files (CSS, icons), read into memory at start. Requests are answered
/// by exact name from that table, so no path outside it (`..`, encoded dots, absolute paths) can
/// ever be reached.
struct Assets: Sendable {
    struct File: Sendable {
        let bytes: [UInt8]
        let contentType: String
    }

    let files: [String: File]

    /// `app.css` first, then every plugin's stylesheet.
    var stylesheets: [String] {
        let sheets = files.keys.filter { $0.hasSuffix(".css") && $0 != "app.css" && $0 != "print.css" }.sorted()
        return (files["app.css"] == nil ? [] : ["app.css"]) + sheets
    }

    /// The script every page loads (`defer`): enhancements only, as every page works without it. A
    /// page's own script (the admin's) is named by that page.
    var scripts: [String] { files["app.js"] == nil ? [] : ["app.js"] }

    static func defaultDirectory() -> URL {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        let candidates = [
            executable.appendingPathComponent("../share/carehome/assets"),
            executable.appendingPathComponent("carehome_CareServer.resources/Assets"),
            executable.appendingPathComponent("carehome_CareServer.resources"),
        ]
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("app.css").path) } ?? candidates[0]
    }

    static func load(from directory: URL, logger: Logger) -> Assets {
        var files = [String: File]()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names {
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else { continue }
            files[name] = File(bytes: [UInt8](data), contentType: contentType(name))
        }
        if files["app.css"] == nil {
            logger.warning("no stylesheet found; pages will be unstyled", metadata: ["assets.dir": .string(directory.path)])
        }
        return Assets(files: files)
    }

    static func contentType(_ name: String) -> String {
        switch name.split(separator: ".").last {
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "ico": "image/x-icon"
        case "woff2": "font/woff2"
        default: "application/octet-stream"
        }
    }

    func response(for name: String) -> HTTPResponse? {
        guard let file = files[name] else { return nil }
        return HTTPResponse(status: 200, headers: [("Content-Type", file.contentType), ("Cache-Control", "public, max-age=3600")], body: file.bytes)
    }
}
