/// What a plugin's `register(with:)` receives: the place to contribute routes, navigation, dashboard
/// cards, resident-page panels, services and event handlers, and the plugin's own context.
public protocol PluginRegistrar: AnyObject {
    /// The facilities a plugin uses while serving (database, services, audit, log). Keep it.
    var context: PluginContext { get }
    /// Adds a route. A path that another plugin already serves is refused and this plugin is not loaded.
    func add(_ route: Route)
    /// Adds an entry to the navigation bar.
    func add(_ entry: NavigationEntry)
    /// Adds a card to the dashboard.
    func add(_ card: DashboardCard)
    /// Adds a panel to every resident's page (shown by the resident registry).
    func add(_ panel: ResidentPanel)
    /// Publishes a service other plugins can resolve.
    func publish<Service>(_ key: ServiceKey<Service>, _ service: Service)
    /// Handles events; called after the transaction that published the event commits.
    func onEvent(_ handler: @escaping @Sendable (CareEvent) throws -> Void)
    /// Adds figures to `/metrics` (counts and indicators, no personal data).
    func add(_ metrics: MetricSource)
    /// Adds a quick action to the top of every resident's page ("Record a fall", "Soft signs").
    func add(_ action: ResidentQuickAction)
    /// Adds the plugin's records to the home's FHIR export (`/fhir`, `carehome export fhir`).
    func add(_ contributor: any FHIRContributor)
    /// Adds a stylesheet the plugin ships inside its library (see `PluginStylesheet`).
    func add(_ stylesheet: PluginStylesheet)
    /// Adds an image the plugin ships inside its library (see `PluginImage`).
    func add(_ image: PluginImage)
}

extension PluginRegistrar {
    /// A registrar that takes no metrics ignores them.
    public func add(_ metrics: MetricSource) {}
    /// A registrar that takes no quick actions ignores them.
    public func add(_ action: ResidentQuickAction) {}
    /// A registrar that takes no FHIR contributors ignores them.
    public func add(_ contributor: any FHIRContributor) {}
    /// A registrar that takes no stylesheets ignores them.
    public func add(_ stylesheet: PluginStylesheet) {}
    /// A registrar that takes no images ignores them.
    public func add(_ image: PluginImage) {}
}

/// A stylesheet a plugin ships inside its own library (a file in its `Sources/Data/`, compiled in).
/// While the plugin is loaded every page links it, since its cards and panels appear on other
/// plugins' pages too; a plugin that is not loaded adds nothing. It is served under the plugin's id,
/// `/assets/<plugin id>/<name>?v=<content hash>`, and cached by browsers until it changes.
public struct PluginStylesheet: Sendable {
    /// The file name (`falls-log.css`): lower-case letters, digits, hyphens and dots, ending `.css`.
    public var name: String
    /// The stylesheet's bytes (UTF-8 CSS, at most 256 KB).
    public var css: [UInt8]

    /// Creates a stylesheet.
    public init(name: String, css: [UInt8]) {
        self.name = name
        self.css = css
    }
}

/// A button at the top of a resident's page (their hub), one tap from the task: every plugin's quick
/// actions stand together there, before the record's details.
public struct ResidentQuickAction: Sendable {
    /// The button's label (`Record a fall`).
    public var title: String
    /// Who sees it.
    public var roles: Set<Role>
    /// Lower comes first.
    public var order: Int
    /// `primary`, `secondary` or `warning`.
    public var kind: String
    /// The page it opens for a resident.
    public var path: @Sendable (Int64) -> String

    /// Creates a quick action.
    public init(title: String, roles: Set<Role>, order: Int = 100, kind: String = "secondary", path: @escaping @Sendable (Int64) -> String) {
        self.title = title
        self.roles = roles
        self.order = order
        self.kind = kind
        self.path = path
    }
}

/// The facilities a plugin uses while serving. A value: capture it in route handlers.
public struct PluginContext: Sendable {
    /// The plugin's manifest.
    public let manifest: PluginManifest
    /// The home's database.
    public let database: any CareDatabase
    /// Services published by plugins (resolve at request time: the publisher may load after you).
    public let services: any ServiceDirectory
    /// The audit trail, which records this plugin as the source.
    public let audit: any AuditTrail
    /// Structured log with dotted keys. Never log a resident's name or NHS number.
    public let log: any PluginLog
    /// Resident-page panels contributed by every plugin (used by the registry's resident page).
    public let panels: any ResidentPanelDirectory

    /// Creates a context (the server does this; tests may too).
    public init(manifest: PluginManifest, database: any CareDatabase, services: any ServiceDirectory,
                audit: any AuditTrail, log: any PluginLog, panels: any ResidentPanelDirectory) {
        self.manifest = manifest
        self.database = database
        self.services = services
        self.audit = audit
        self.log = log
        self.panels = panels
    }
}

/// One HTTP route. The server checks the session, the role and (for POST) the CSRF token before the
/// handler runs; a handler never sees a request it should not.
public struct Route: Sendable {
    /// GET or POST (HTML forms use those two).
    public var method: HTTPMethod
    /// Pattern with `:name` segments, e.g. `/falls/:id/amend`.
    public var path: String
    /// Roles that may use it. Anyone else gets a 403 page.
    public var roles: Set<Role>
    /// The handler.
    public var handler: @Sendable (Request) throws -> Response

    /// Creates a route.
    public init(_ method: HTTPMethod, _ path: String, roles: Set<Role>, handler: @escaping @Sendable (Request) throws -> Response) {
        self.method = method
        self.path = path
        self.roles = roles
        self.handler = handler
    }
}

/// An entry in the navigation bar, shown only to the roles that may follow it.
public struct NavigationEntry: Sendable {
    /// Link text.
    public var title: String
    /// Where it goes.
    public var path: String
    /// Who sees it.
    public var roles: Set<Role>
    /// Lower comes first.
    public var order: Int

    /// Creates an entry.
    public init(title: String, path: String, roles: Set<Role>, order: Int = 100) {
        self.title = title
        self.path = path
        self.roles = roles
        self.order = order
    }
}

/// A card on the dashboard. `render` returns nil when it has nothing to show.
public struct DashboardCard: Sendable {
    /// Unique within the plugin.
    public var id: String
    /// The card's heading.
    public var title: String
    /// Who sees it.
    public var roles: Set<Role>
    /// Lower comes first.
    public var order: Int
    /// A different place for some roles (each person's home screen puts their own work first: a
    /// carer's "Record a fall", a visiting clinician's round).
    public var roleOrder: [Role: Int]
    /// The card's content.
    public var render: @Sendable (Request) throws -> HTML?

    /// Creates a card.
    public init(id: String, title: String, roles: Set<Role>, order: Int = 100, roleOrder: [Role: Int] = [:],
                render: @escaping @Sendable (Request) throws -> HTML?) {
        self.id = id
        self.title = title
        self.roles = roles
        self.order = order
        self.roleOrder = roleOrder
        self.render = render
    }

    /// Where the card stands on `role`'s dashboard.
    public func order(for role: Role) -> Int { roleOrder[role] ?? order }
}

/// A section of a resident's page contributed by a plugin (falls, medicines, round concerns…).
public struct ResidentPanel: Sendable {
    /// Unique within the plugin.
    public var id: String
    /// The section's heading.
    public var title: String
    /// Who sees it.
    public var roles: Set<Role>
    /// Lower comes first.
    public var order: Int
    /// The section's content for a resident; nil to leave it out.
    public var render: @Sendable (Request, Int64) throws -> HTML?

    /// Creates a panel.
    public init(id: String, title: String, roles: Set<Role>, order: Int = 100, render: @escaping @Sendable (Request, Int64) throws -> HTML?) {
        self.id = id
        self.title = title
        self.roles = roles
        self.order = order
        self.render = render
    }
}

/// Renders every plugin's panels for a resident, each in a titled section, in order.
/// A panel that throws is replaced by a short notice and logged; the page still renders.
public protocol ResidentPanelDirectory: Sendable {
    /// The panels the request's role may see, rendered.
    func render(for request: Request, residentID: Int64) -> HTML
    /// Every plugin's quick actions the request's role may use, as one row of buttons.
    func quickActions(for request: Request, residentID: Int64) -> HTML
}

extension ResidentPanelDirectory {
    /// A directory without quick actions shows none.
    public func quickActions(for request: Request, residentID: Int64) -> HTML { .empty }
}

/// Structured log lines with dotted keys (`resident.id`, `fall.id`).
public protocol PluginLog: Sendable {
    /// Something worth knowing.
    func info(_ message: String, _ metadata: [String: String])
    /// Something that went wrong but was handled.
    func warning(_ message: String, _ metadata: [String: String])
    /// Something that failed.
    func error(_ message: String, _ metadata: [String: String])
}

extension PluginLog {
    /// Something worth knowing.
    public func info(_ message: String) { info(message, [:]) }
    /// Something that went wrong but was handled.
    public func warning(_ message: String) { warning(message, [:]) }
    /// Something that failed.
    public func error(_ message: String) { error(message, [:]) }
}

/// What the audit trail records about a resident's record.
@frozen public enum AuditAction: String, Sendable {
    case view, create, amend, enteredInError = "entered-in-error", export, print
}

/// The tamper-evident audit trail. Read entries are batched; change entries are written at once.
public protocol AuditTrail: Sendable {
    /// Records that the request's user did `action` to a resident's record (or to the home's data
    /// when `residentID` is nil). `detail` is a short description without names or NHS numbers.
    func record(_ request: Request, _ action: AuditAction, residentID: Int64?, detail: String)
}
