import CareKit
import Crypto
import Foundation

/// A plugin's stylesheet as the server keeps it: checked once at load, with a hash of its content so
/// that its address changes when it does (browsers may then cache it for a year).
struct PluginAsset: Sendable {
    let pluginID: String
    let name: String
    let bytes: [UInt8]
    /// The first 16 hexadecimal digits of the content's SHA-256.
    let hash: String

    static let largest = 256 * 1024

    init?(pluginID: String, stylesheet: PluginStylesheet) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-.")
        guard stylesheet.name.hasSuffix(".css"), stylesheet.name.count <= 64, !stylesheet.name.hasPrefix("."),
              stylesheet.name.allSatisfy({ allowed.contains($0) }), stylesheet.css.count <= PluginAsset.largest else { return nil }
        self.pluginID = pluginID
        name = stylesheet.name
        bytes = stylesheet.css
        hash = SHA256.hash(data: stylesheet.css).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// Where pages link it.
    var href: String { "/assets/\(pluginID)/\(name)?v=\(hash)" }
}
