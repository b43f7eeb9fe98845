public import CareKit

/// Home round (placeholder until the plugin's issue is built).
public final class HomeRoundPlugin: CarePlugin {
    public let manifest = PluginManifest(id: "home-round", displayName: "Home round", version: "0.1.0", requires: ["residents"])
    public init() {}
    public var migrations: [Migration] { [] }
    public func register(with registrar: any PluginRegistrar) throws {}
}
