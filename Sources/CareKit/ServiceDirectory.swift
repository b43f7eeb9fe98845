
/// A typed name for a service one plugin publishes and others resolve.
///
/// CareKit knows no service: a key and its protocol are declared where the plugins that share them
/// can both see them (the first-party services in CareServices, a library versioned on its own), as
/// `ServiceKey<any MyService>("my-plugin.my-service")`. The provider publishes it with
/// `PluginRegistrar.publish`; a consumer resolves it and does without it when it resolves to nil.
public struct ServiceKey<Service>: Sendable, Hashable {
    /// The service's name (`residents.directory`).
    public let name: String
    /// Creates a key.
    public init(_ name: String) { self.name = name }
}

/// Where published services are found.
public protocol ServiceDirectory: Sendable {
    /// The service published under `key`, or nil when its plugin is not loaded.
    func resolve<Service>(_ key: ServiceKey<Service>) -> Service?
}

extension ServiceDirectory {
    /// The service, or a `CareError` (503) with `message` (what staff should do meanwhile) when its
    /// plugin is not loaded: for pages that cannot work without it.
    public func require<Service>(_ key: ServiceKey<Service>, orSay message: String) throws -> Service {
        guard let service = resolve(key) else { throw CareError(.unavailable, message) }
        return service
    }
}
