public import CareKit

/// Residents (placeholder until the plugin's issue is built).
public final class ResidentsPlugin: CarePlugin {
    public let manifest = PluginManifest(id: "residents", displayName: "Residents", version: "0.1.0", requires: [])
    public init() {}
    public var migrations: [Migration] { [] }
    public func register(with registrar: any PluginRegistrar) throws {}
}
