/// A plugin: a shared library in the plugins directory that contributes routes, navigation,
/// dashboard cards, services, event handlers and database migrations to the appliance.
///
/// Lifecycle: the server loads the library, checks the API version, creates the plugin, reads its
/// `manifest`, orders plugins by `requires`, runs the plugin's `migrations` (each in its own
/// transaction), calls `register(with:)` once, serves, and calls `stop()` on shutdown.
///
/// A plugin must never trap (`try!`, `fatalError`, force unwraps on input): a trap takes down the
/// whole appliance. Throw instead; the server turns a thrown error into an error page and a log line.
public protocol CarePlugin: AnyObject, Sendable {
    /// Who the plugin is and what it needs.
    var manifest: PluginManifest { get }
    /// The plugin's numbered schema migrations, oldest first. Tables are prefixed with the plugin id.
    var migrations: [Migration] { get }
    /// Contribute routes, navigation, cards, services and event handlers. Called once, after migrations.
    func register(with registrar: any PluginRegistrar) throws
    /// Release resources. Called once when the server stops.
    func stop()
    /// Adds fictional records for `carehome demo` (never called on a real home). Called in load
    /// order after every plugin has registered, so services of required plugins can be resolved.
    func seedDemoData(_ context: PluginContext, today: Day) throws
}

extension CarePlugin {
    /// Default: nothing to release.
    public func stop() {}
    /// Default: no demo data.
    public func seedDemoData(_ context: PluginContext, today: Day) throws {}
}

/// What a plugin says about itself before anything else happens.
public struct PluginManifest: Sendable, Equatable {
    /// Stable identifier, lower-case with hyphens (`falls-log`). Prefix of the plugin's tables and routes.
    public var id: String
    /// Name shown to staff (`Falls log`).
    public var displayName: String
    /// The plugin's own version (`1.0.0`).
    public var version: String
    /// Ids of plugins that must be loaded first; if one is missing, disabled or failed, this one is not loaded.
    public var requires: [String]
    /// One line for the admin page: what the plugin contributes.
    public var summary: String
    /// Where the plugin's pages live: every route must be one of these paths or below one (`/falls`,
    /// `/falls/…`), or the plugin is refused at load. Empty (the default) means `/<id>` alone.
    public var routePrefixes: [String]

    /// Creates a manifest whose routes live under `/<id>`.
    public init(id: String, displayName: String, version: String, requires: [String] = [], summary: String = "") {
        self.init(id: id, displayName: displayName, version: version, requires: requires, summary: summary, routePrefixes: [])
    }

    /// Creates a manifest whose routes live under the prefixes named (the exceptions to `/<id>` declared here,
    /// where the admin page and the loader can see them).
    public init(id: String, displayName: String, version: String, requires: [String] = [], summary: String = "", routePrefixes: [String]) {
        self.id = id
        self.displayName = displayName
        self.version = version
        self.requires = requires
        self.summary = summary
        self.routePrefixes = routePrefixes
    }

    /// The prefixes in force: those declared, or `/<id>`.
    public var effectiveRoutePrefixes: [String] { routePrefixes.isEmpty ? ["/" + id] : routePrefixes }

    /// Whether `path` (a route pattern) lies under one of the plugin's prefixes.
    public func allowsRoute(_ path: String) -> Bool {
        effectiveRoutePrefixes.contains { prefix in path == prefix || path.hasPrefix(prefix + "/") }
    }
}
