/// An image a plugin ships inside its own library (a PNG or SVG file in its `Sources/Data/`, compiled
/// in): an icon beside a link, a diagram on a help page. It is served under the plugin's id,
/// `/assets/<plugin id>/<name>?v=<version>`, only while the plugin is loaded, and cached by browsers
/// until it changes. A page links it with `href(pluginID:)` and gives it a text alternative (`alt`).
///
/// The server refuses the plugin, with the reason, when an image breaks the rules below: a PNG must
/// be a PNG; an SVG must be plain drawing, with no script, no event attributes, no `foreignObject`
/// and nothing fetched from elsewhere (the appliance's LAN may have no internet, and an SVG opened on
/// its own runs with the appliance's origin).
public struct PluginImage: Sendable {
    /// The file name (`help.svg`): lower-case letters, digits, hyphens and dots, ending `.png` or `.svg`.
    public var name: String
    /// The file's bytes, at most 256 KB.
    public var bytes: [UInt8]

    /// Creates an image.
    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }

    /// 16 hexadecimal digits that change when the bytes do (FNV-1a, 64 bits): the `v` of its address,
    /// so a browser that cached the old image fetches the new one. Not a security check.
    public var version: String {
        let digits = String(fnv1a64(bytes), radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// Where a page of plugin `pluginID` links it: `/assets/falls-log/help.svg?v=…`.
    public func href(pluginID: String) -> String { "/assets/\(pluginID)/\(name)?v=\(version)" }
}

/// FNV-1a, 64 bits: a hash that is the same on every run and machine (unlike `Hasher`), for ids and cache
/// versions; not a security check.
func fnv1a64(_ bytes: some Sequence<UInt8>) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
    return hash
}
