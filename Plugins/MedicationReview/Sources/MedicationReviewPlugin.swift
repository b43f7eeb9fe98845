public import CareKit

/// Medication review (placeholder until the plugin's issue is built).
public final class MedicationReviewPlugin: CarePlugin {
    public let manifest = PluginManifest(id: "medication-review", displayName: "Medication review", version: "0.1.0", requires: ["residents"])
    public init() {}
    public var migrations: [Migration] { [] }
    public func register(with registrar: any PluginRegistrar) throws {}
}
