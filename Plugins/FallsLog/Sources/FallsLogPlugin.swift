public import CareKit

/// Falls log (placeholder until the plugin's issue is built).
public final class FallsLogPlugin: CarePlugin {
    public let manifest = PluginManifest(id: "falls-log", displayName: "Falls log", version: "0.1.0", requires: ["residents"])
    public init() {}
    public var migrations: [Migration] { [] }
    public func register(with registrar: any PluginRegistrar) throws {}
}
