import CareKit
import Crypto
import Foundation

/// A plugin's stylesheet or image as the server keeps it: checked once at load, with a hash of its
/// content so that its address changes when it does (browsers may then cache it for a year).
struct PluginAsset: Sendable {
    let pluginID: String
    let name: String
    let bytes: [UInt8]
    /// `text/css; charset=utf-8`, `image/png`, `image/svg+xml`.
    let contentType: String
    /// 16 hexadecimal digits that change with the content.
    let hash: String

    static let largest = 256 * 1024

    /// A name of lower-case letters, digits, hyphens and dots, not hidden, ending with one of `suffixes`.
    static func acceptableName(_ name: String, endingWith suffixes: [String]) -> Bool {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-.")
        return suffixes.contains { name.hasSuffix($0) } && name.count <= 64 && !name.hasPrefix(".") && name.allSatisfy { allowed.contains($0) }
    }

    init?(pluginID: String, stylesheet: PluginStylesheet) {
        guard PluginAsset.acceptableName(stylesheet.name, endingWith: [".css"]), stylesheet.css.count <= PluginAsset.largest else { return nil }
        self.pluginID = pluginID
        name = stylesheet.name
        bytes = stylesheet.css
        contentType = "text/css; charset=utf-8"
        hash = SHA256.hash(data: stylesheet.css).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// Nil, with `problem` set, when the image breaks a rule of `PluginImage`.
    init?(pluginID: String, image: PluginImage, problem: inout String) {
        guard PluginAsset.acceptableName(image.name, endingWith: [".png", ".svg"]) else {
            problem = "a name of lower-case letters, digits, hyphens and dots ending .png or .svg"
            return nil
        }
        guard !image.bytes.isEmpty, image.bytes.count <= PluginAsset.largest else { problem = "at most 256 KB"; return nil }
        if image.name.hasSuffix(".png") {
            guard image.bytes.starts(with: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) else { problem = "a PNG file"; return nil }
            contentType = "image/png"
        } else {
            if let rule = PluginAsset.unsafeSVG(image.bytes) { problem = rule; return nil }
            contentType = "image/svg+xml"
        }
        self.pluginID = pluginID
        name = image.name
        bytes = image.bytes
        hash = image.version
    }

    /// What makes an SVG more than a drawing, or nil. Deliberately strict: a plugin's icon needs none of it.
    static func unsafeSVG(_ bytes: [UInt8]) -> String? {
        guard let text = String(bytes: bytes, encoding: .utf8) else { return "UTF-8 text" }
        let lower = text.lowercased()
        guard lower.contains("<svg") else { return "an SVG drawing (<svg …>)" }
        if lower.contains("<script") { return "an SVG without script" }
        if lower.contains("<foreignobject") { return "an SVG without foreignObject" }
        if lower.contains("<!entity") || lower.contains("<!doctype") { return "an SVG without a DOCTYPE or entities" }
        if lower.firstMatch(of: /\son[a-z]+\s*=/) != nil { return "an SVG without event attributes (onload=…)" }
        // Only references inside the file (href="#id"); nothing from elsewhere, no javascript: or data:.
        if lower.firstMatch(of: /href\s*=\s*["'][^#]/) != nil || lower.contains("url(http") || lower.contains("url(//") || lower.contains("@import") {
            return "an SVG that fetches nothing from elsewhere"
        }
        return nil
    }

    /// Where pages link it.
    var href: String { "/assets/\(pluginID)/\(name)?v=\(hash)" }
}
