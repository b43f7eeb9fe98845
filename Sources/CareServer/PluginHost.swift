package import CareKit
package import CareStore
package import Foundation
package import Logging
import Synchronization

/// Whether a plugin is serving.
package enum PluginState: String, Sendable {
    case loaded, failed, disabled
}

/// What the admin page and /healthz say about one plugin.
package struct PluginStatus: Sendable {
    package var id: String
    package var displayName: String
    package var version: String
    package var source: String
    package var state: PluginState
    package var reason: String?
}

/// Loads plugins and holds everything they contribute: routes, navigation, cards, panels, services and
/// event handlers. It knows nothing of HTTP: the appliance and the in-process test harness both use it.
package final class PluginHost: Sendable {
    struct Loaded: Sendable {
        let plugin: any CarePlugin
        let context: PluginContext
    }

    struct Contributions: Sendable {
        var router = Router()
        var navigation: [(pluginID: String, entry: NavigationEntry)] = []
        var cards: [(pluginID: String, card: DashboardCard)] = []
        var panels: [(pluginID: String, panel: ResidentPanel)] = []
        var quickActions: [ResidentQuickAction] = []
        var metrics: [(pluginID: String, source: MetricSource)] = []
        var fhir: [(pluginID: String, contributor: any FHIRContributor)] = []
        var stylesheets: [PluginAsset] = []
        var images: [PluginAsset] = []
        var eventHandlers: [(pluginID: String, handler: @Sendable (CareEvent) throws -> Void)] = []
        var loaded: [String: Loaded] = [:]
        var loadOrder: [String] = []
        var statuses: [PluginStatus] = []
        /// Ids of the plugins built into the server (`loadBuiltIn`).
        var builtIn: Set<String> = []
    }

    private let state = Mutex(Contributions())
    package let services = ServiceRegistry()
    let home: HomeDatabase
    let events: EventSink
    let audit: AuditLog
    let logger: Logger

    package init(home: HomeDatabase, events: EventSink, audit: AuditLog, logger: Logger) {
        self.home = home
        self.events = events
        self.audit = audit
        self.logger = logger
        events.connect { [weak self] list, outboxIDs in self?.deliver(list, outboxIDs: outboxIDs) }
        events.connectOutbox { db, list in try Outbox.store(db, events: list) }
    }

    /// What happened to each plugin, in the order they were considered.
    package var statuses: [PluginStatus] { state.withLock { $0.statuses } }

    /// What each loaded plugin requires, by plugin id (the admin page names what disabling one stops).
    package var requirements: [String: [String]] { state.withLock { $0.loaded.mapValues { $0.plugin.manifest.requires } } }

    /// Loaded plugins' ids in load order.
    package var loadOrder: [String] { state.withLock { $0.loadOrder } }

    /// Loads the candidates that `enabled` allows (nil: all), or the admin page's `choices` where one was
    /// made, in `requires` order. Each refusal is
    /// recorded with a one-line reason and logged; every other plugin still loads.
    package func load(_ candidates: [PluginCandidate], enabled: Set<String>?, choices: [String: PluginChoice] = [:]) {
        var statuses = [PluginStatus]()
        var usable = [String: any CarePlugin]()
        var order = [String]()
        func refuse(_ manifest: PluginManifest?, source: String, state: PluginState, _ reason: String) {
            statuses.append(PluginStatus(id: manifest?.id ?? source, displayName: manifest?.displayName ?? source,
                                         version: manifest?.version ?? "", source: source, state: state, reason: reason))
            logger.warning("plugin not loaded", metadata: ["plugin.id": .string(manifest?.id ?? source), "plugin.state": .string(state.rawValue), "reason": .string(reason)])
        }
        for candidate in candidates {
            guard let plugin = candidate.plugin else {
                refuse(nil, source: candidate.source, state: .failed, candidate.problem ?? "not a plugin")
                continue
            }
            let manifest = plugin.manifest
            if let problem = PluginHost.manifestProblem(manifest) {
                refuse(manifest, source: candidate.source, state: .failed, problem)
            } else if usable[manifest.id] != nil || statuses.contains(where: { $0.id == manifest.id && $0.state != .failed }) {
                refuse(manifest, source: candidate.source, state: .failed, "another plugin already has the id \(manifest.id) (\(candidate.source) was not loaded)")
            } else if !PluginChoices.isEnabled(manifest.id, choices: choices, configured: enabled) {
                let why = choices[manifest.id].map { "disabled on the administration page by \($0.changedBy) on \(HomeTime.display($0.changedAt))" }
                refuse(manifest, source: candidate.source, state: .disabled, why ?? "not enabled in the configuration (plugins_enabled)")
            } else {
                usable[manifest.id] = plugin
                order.append(manifest.id)
            }
        }
        // Requirements: visit in discovery order, depth first, so load order follows `requires`.
        var visiting = [String]()
        var done = [String: Bool]()   // id → loaded?
        func visit(_ id: String) -> Bool {
            if let result = done[id] { return result }
            guard let plugin = usable[id] else { return false }
            if let index = visiting.firstIndex(of: id) {
                let cycle = (visiting[index...] + [id]).joined(separator: " → ")
                for member in visiting[index...] where done[member] == nil {
                    done[member] = false
                    refuse(usable[member]?.manifest, source: member, state: .failed, "requirement cycle: \(cycle)")
                }
                return false
            }
            visiting.append(id)
            defer { visiting.removeLast() }
            for requirement in plugin.manifest.requires {
                let requirementLoaded = visit(requirement)
                if done[id] != nil { return done[id] ?? false }
                guard requirementLoaded else {
                    let why: String
                    if let status = statuses.first(where: { $0.id == requirement }) {
                        why = status.state == .disabled ? "which is disabled" : "which failed to load"
                    } else if usable[requirement] != nil {
                        why = "which failed to load"
                    } else {
                        why = "which is not installed"
                    }
                    done[id] = false
                    refuse(plugin.manifest, source: id, state: .failed, "requires \(requirement), \(why)")
                    return false
                }
            }
            let loaded = start(plugin, statuses: &statuses)
            done[id] = loaded
            return loaded
        }
        for id in order { _ = visit(id) }
        state.withLock { $0.statuses = statuses }
    }

    /// Runs a plugin's migrations and registration; its contributions take effect only if all succeed.
    private func start(_ plugin: any CarePlugin, statuses: inout [PluginStatus]) -> Bool {
        let manifest = plugin.manifest
        func fail(_ reason: String) -> Bool {
            statuses.append(PluginStatus(id: manifest.id, displayName: manifest.displayName, version: manifest.version,
                                         source: manifest.id, state: .failed, reason: reason))
            logger.error("plugin failed to load", metadata: ["plugin.id": .string(manifest.id), "reason": .string(reason)])
            return false
        }
        do {
            try home.migrate(pluginID: manifest.id, migrations: plugin.migrations, events: events)
        } catch {
            return fail("\(error)")
        }
        if let refusal = install(plugin, builtIn: false) { return fail(refusal) }
        statuses.append(PluginStatus(id: manifest.id, displayName: manifest.displayName, version: manifest.version,
                                     source: manifest.id, state: .loaded, reason: nil))
        logger.info("plugin loaded", metadata: ["plugin.id": .string(manifest.id), "plugin.version": .string(manifest.version)])
        return true
    }

    /// Registers a plugin built into the server (the server's own pages, `CorePlugin`) before any plugin
    /// library loads: its routes go into the same router, so a plugin route that clashes with one of them
    /// is refused like a clash between two plugins. It has no migrations of its own here (the appliance
    /// migrates its tables before anything else) and is not listed among the plugins found.
    func loadBuiltIn(_ plugin: any CarePlugin) throws {
        if let refusal = install(plugin, builtIn: true) {
            throw BuiltInRefused(id: plugin.manifest.id, reason: refusal)
        }
        state.withLock { $0.builtIn.insert(plugin.manifest.id) }
    }

    /// Calls `register(with:)` and takes what the plugin contributes; nil when done, else why it was
    /// refused (and then none of it is kept).
    private func install(_ plugin: any CarePlugin, builtIn: Bool) -> String? {
        let manifest = plugin.manifest
        let context = makeContext(manifest)
        let staging = StagingRegistrar(context: context)
        do {
            try plugin.register(with: staging)
        } catch {
            return "registration failed: \(error)"
        }
        // A plugin's pages live under its prefixes (`/<id>`, or those its manifest declares); the built-in
        // plugin's are the server's own.
        if !builtIn, let outside = staging.routes.first(where: { !manifest.allowsRoute($0.path) }) {
            return "route \(outside.method.rawValue) \(outside.path) is outside the plugin's pages (\(manifest.effectiveRoutePrefixes.joined(separator: ", "))): declare its prefix in the manifest's routePrefixes"
        }
        let clash: String? = state.withLock { current in
            var trial = current.router
            for route in staging.routes {
                if let existing = trial.clash(with: route) {
                    return "route \(route.method.rawValue) \(route.path) clashes with \(existing.route.path) of plugin \(existing.pluginID)"
                }
                trial.add(route, pluginID: manifest.id)
            }
            return nil
        }
        if let clash { return clash }
        // One provider per service: a second would silently replace the first for every consumer.
        for (name, _) in staging.services {
            if let provider = services.provider(of: name) { return "its service \(name) is already offered by \(provider)" }
        }
        var sheets: [PluginAsset] = []
        for sheet in staging.stylesheets {
            guard let asset = PluginAsset(pluginID: manifest.id, stylesheet: sheet) else {
                return "its stylesheet '\(sheet.name)' is not acceptable: a name of lower-case letters, digits, hyphens and dots ending .css, at most 256 KB"
            }
            sheets.append(asset)
        }
        var images: [PluginAsset] = []
        for image in staging.images {
            var problem = ""
            guard let asset = PluginAsset(pluginID: manifest.id, image: image, problem: &problem) else {
                return "its image '\(image.name)' is not acceptable: it must be \(problem)"
            }
            images.append(asset)
        }
        state.withLock { current in
            current.stylesheets += sheets
            current.images += images
            for route in staging.routes { current.router.add(route, pluginID: manifest.id) }
            current.navigation += staging.navigation.map { (manifest.id, $0) }
            current.cards += staging.cards.map { (manifest.id, $0) }
            current.panels += staging.panels.map { (manifest.id, $0) }
            current.quickActions += staging.quickActions
            current.metrics += staging.metrics.map { (manifest.id, $0) }
            current.fhir += staging.fhir.map { (manifest.id, $0) }
            current.eventHandlers += staging.handlers.map { (manifest.id, $0) }
            if !builtIn {
                current.loaded[manifest.id] = Loaded(plugin: plugin, context: context)
                current.loadOrder.append(manifest.id)
            }
        }
        for (name, service) in staging.services { services.publish(name: name, service, by: "plugin \(manifest.id)") }
        return nil
    }

    static func manifestProblem(_ manifest: PluginManifest) -> String? {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        if manifest.id.isEmpty || !manifest.id.allSatisfy({ allowed.contains($0) }) || manifest.id.hasPrefix("-") {
            return "the plugin id '\(manifest.id)' must be lower-case letters, digits and hyphens"
        }
        if ["core", "auth", "admin", "assets", "login", "logout", "account", "audit", "healthz", "metrics", "fhir", "export"].contains(manifest.id) {
            return "the plugin id '\(manifest.id)' is reserved for the server"
        }
        return nil
    }

    func makeContext(_ manifest: PluginManifest) -> PluginContext {
        PluginContext(manifest: manifest, database: home.careDatabase(events: events), services: services,
                      audit: PluginAudit(pluginID: manifest.id, log: audit),
                      log: SwiftPluginLog(logger: logger, pluginID: manifest.id),
                      panels: PanelRenderer(host: self))
    }

    /// The context given to a loaded plugin (tests, demo seeding).
    package func context(of pluginID: String) -> PluginContext? { state.withLock { $0.loaded[pluginID]?.context } }

    /// Calls every loaded plugin's `seedDemoData`, in load order.
    package func seedDemoData(today: Day) throws {
        let plugins = state.withLock { current in current.loadOrder.compactMap { current.loaded[$0] } }
        for loaded in plugins { try loaded.plugin.seedDemoData(loaded.context, today: today) }
    }

    /// Every route a plugin library registered, with its plugin (for the tests that prove each one is guarded).
    package var routes: [(pluginID: String, method: HTTPMethod, path: String, roles: Set<Role>)] { routes(builtIn: false) }

    /// Every route of the plugins built into the server (the server's own pages).
    package var builtInRoutes: [(pluginID: String, method: HTTPMethod, path: String, roles: Set<Role>)] { routes(builtIn: true) }

    private func routes(builtIn: Bool) -> [(pluginID: String, method: HTTPMethod, path: String, roles: Set<Role>)] {
        state.withLock { current in
            current.router.entries.filter { current.builtIn.contains($0.pluginID) == builtIn }.map { ($0.pluginID, $0.route.method, $0.route.path, $0.route.roles) }
        }
    }

    /// The plugin whose route answers `method` on `path`, if any (the router's answer, for tests and the log).
    package func pluginID(serving method: HTTPMethod, path: String) -> String? {
        if case .found(let entry, _) = match(method: method, path: path) { return entry.pluginID }
        return nil
    }

    /// Adds an observer that hears every committed event after the plugins' handlers (tests).
    package func observeEvents(_ observer: @escaping @Sendable (CareEvent) -> Void) {
        state.withLock { $0.eventHandlers.append(("observer", { observer($0) })) }
    }

    /// Calls every plugin's `stop()`, in reverse load order.
    package func stopAll() {
        let plugins = state.withLock { current in current.loadOrder.reversed().compactMap { current.loaded[$0] } }
        for loaded in plugins { loaded.plugin.stop() }
    }

    func match(method: HTTPMethod, path: String) -> Router.Match {
        state.withLock { $0.router.match(method: method, path: path) }
    }

    func navigation(for role: Role) -> [NavigationEntry] {
        state.withLock { $0.navigation.map(\.entry) }.filter { $0.roles.contains(role) }.sorted { ($0.order, $0.title) < ($1.order, $1.title) }
    }

    func cards(for role: Role) -> [(pluginID: String, card: DashboardCard)] {
        state.withLock { $0.cards }.filter { $0.card.roles.contains(role) }
            .sorted { ($0.card.order(for: role), $0.card.title) < ($1.card.order(for: role), $1.card.title) }
    }

    func quickActions(for role: Role) -> [ResidentQuickAction] {
        state.withLock { $0.quickActions }.filter { $0.roles.contains(role) }.sorted { ($0.order, $0.title) < ($1.order, $1.title) }
    }

    func panels(for role: Role) -> [(pluginID: String, panel: ResidentPanel)] {
        state.withLock { $0.panels }.filter { $0.panel.roles.contains(role) }.sorted { ($0.panel.order, $0.panel.title) < ($1.panel.order, $1.panel.title) }
    }

    /// The plugins' contributions to `/metrics`, in load order.
    func metricSources() -> [(pluginID: String, source: MetricSource)] {
        state.withLock { $0.metrics }
    }

    /// The loaded plugins' stylesheets, in load order.
    func stylesheets() -> [PluginAsset] {
        state.withLock { $0.stylesheets }
    }

    /// A loaded plugin's stylesheet or image, by `/assets/<plugin id>/<name>`.
    func asset(pluginID: String, name: String) -> PluginAsset? {
        state.withLock { $0.stylesheets + $0.images }.first { $0.pluginID == pluginID && $0.name == name }
    }

    /// The plugins' FHIR contributors, in load order.
    func fhirContributors() -> [(pluginID: String, contributor: any FHIRContributor)] {
        state.withLock { $0.fhir }
    }

    /// Delivers committed events to every handler; a handler that throws is logged and the rest still run.
    /// Then the events' outbox rows go: an event is delivered at least once, and again after a crash
    /// that came before this point (`Outbox.recover`).
    func deliver(_ events: [CareEvent], outboxIDs: [Int64] = []) {
        defer { audit.settleDelivered(outboxIDs) }
        let handlers = state.withLock { $0.eventHandlers }
        for event in events {
            for (pluginID, handler) in handlers {
                do {
                    try handler(event)
                } catch {
                    logger.error("event handler failed", metadata: ["plugin.id": .string(pluginID), "event": .string(event.name), "error": .string("\(error)")])
                }
            }
        }
    }
}

/// A plugin built into the server could not register: a fault in the server itself, so it does not start.
struct BuiltInRefused: Error, CustomStringConvertible {
    let id: String
    let reason: String
    var description: String { "the server's own pages (\(id)) could not be registered: \(reason)" }
}

/// Collects one plugin's contributions during `register(with:)`.
final class StagingRegistrar: PluginRegistrar {
    let context: PluginContext
    var routes: [Route] = []
    var navigation: [NavigationEntry] = []
    var cards: [DashboardCard] = []
    var panels: [ResidentPanel] = []
    var quickActions: [ResidentQuickAction] = []
    var metrics: [MetricSource] = []
    var fhir: [any FHIRContributor] = []
    var stylesheets: [PluginStylesheet] = []
    var images: [PluginImage] = []
    var services: [(String, Any)] = []
    var handlers: [@Sendable (CareEvent) throws -> Void] = []

    init(context: PluginContext) { self.context = context }

    func add(_ route: Route) { routes.append(route) }
    func add(_ entry: NavigationEntry) { navigation.append(entry) }
    func add(_ card: DashboardCard) { cards.append(card) }
    func add(_ panel: ResidentPanel) { panels.append(panel) }
    func add(_ action: ResidentQuickAction) { quickActions.append(action) }
    func add(_ metrics: MetricSource) { self.metrics.append(metrics) }
    func add(_ contributor: any FHIRContributor) { fhir.append(contributor) }
    func add(_ stylesheet: PluginStylesheet) { stylesheets.append(stylesheet) }
    func add(_ image: PluginImage) { images.append(image) }
    func publish<Service>(_ key: ServiceKey<Service>, _ service: Service) { services.append((key.name, service)) }
    func onEvent(_ handler: @escaping @Sendable (CareEvent) throws -> Void) { handlers.append(handler) }
}

/// Services published by plugins, by name.
package final class ServiceRegistry: ServiceDirectory, @unchecked Sendable {
    // @unchecked: the dictionary is only touched under `lock`; the values are the services that
    // plugins publish, which are Sendable by CareKit's service protocols.
    private let lock = NSLock()
    private var services: [String: Any] = [:]
    private var providers: [String: String] = [:]

    func publish(name: String, _ service: Any, by provider: String = "the server") {
        lock.withLock {
            services[name] = service
            providers[name] = provider
        }
    }

    /// Who offers the service published under `name` (`plugin falls-log`, `the server`), or nil.
    func provider(of name: String) -> String? {
        lock.withLock { providers[name] }
    }

    package func resolve<Service>(_ key: ServiceKey<Service>) -> Service? {
        lock.withLock { services[key.name] as? Service }
    }
}

/// Renders every plugin's resident-page panels.
struct PanelRenderer: ResidentPanelDirectory {
    weak var host: PluginHost?

    init(host: PluginHost) { self.host = host }

    func quickActions(for request: Request, residentID: Int64) -> HTML {
        guard let host else { return .empty }
        let buttons = host.quickActions(for: request.principal.role).map { action -> HTML in
            UI.buttonLink(action.title, to: action.path(residentID), kind: action.kind)
        }
        guard !buttons.isEmpty else { return .empty }
        return "<nav class=\"quick-actions\" aria-label=\"Quick actions\">\(buttons.reduce(HTML.empty) { $0 + $1 + " " })</nav>"
    }

    func render(for request: Request, residentID: Int64) -> HTML {
        guard let host else { return .empty }
        var html: HTML = ""
        for (pluginID, panel) in host.panels(for: request.principal.role) {
            let id = "panel-\(pluginID)-\(panel.id)"
            do {
                guard let body = try panel.render(request, residentID) else { continue }
                html += "<section class=\"panel\" aria-labelledby=\"\(id)\"><h2 id=\"\(id)\">\(panel.title)</h2>\(body)</section>"
            } catch {
                host.logger.error("panel failed", metadata: ["plugin.id": .string(pluginID), "panel": .string(panel.id),
                                                             "request.id": .string(request.requestID), "error": .string("\(error)")])
                html += "<section class=\"panel\" aria-labelledby=\"\(id)\"><h2 id=\"\(id)\">\(panel.title)</h2><p class=\"empty\">This section could not be shown (reference \(request.requestID)).</p></section>"
            }
        }
        return html
    }
}

/// A plugin's log: swift-log with the plugin's id on every line.
struct SwiftPluginLog: PluginLog {
    let logger: Logger
    let pluginID: String

    private func metadata(_ extra: [String: String]) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["plugin.id": .string(pluginID)]
        for (key, value) in extra { metadata[key] = .string(value) }
        return metadata
    }
    func info(_ message: String, _ extra: [String: String]) { logger.info("\(message)", metadata: metadata(extra)) }
    func warning(_ message: String, _ extra: [String: String]) { logger.warning("\(message)", metadata: metadata(extra)) }
    func error(_ message: String, _ extra: [String: String]) { logger.error("\(message)", metadata: metadata(extra)) }
}

/// A plugin's view of the audit log: entries carry the plugin's id.
struct PluginAudit: AuditTrail {
    let pluginID: String
    let log: AuditLog

    func record(_ request: Request, _ action: AuditAction, residentID: Int64?, detail: String) {
        // An entry for a change settles the request's outbox promise, in the transaction that chains it.
        var promise: Int64?
        if action != .view, let scope = ChangeScope.current, scope.path == request.path, !scope.audited, let id = scope.outboxID {
            promise = id
            scope.markAudited()
        }
        log.record(AuditEntry(userID: request.principal.userID, username: request.principal.username, address: request.remoteAddress,
                              source: pluginID, action: action.rawValue, residentID: residentID, detail: detail, outboxID: promise),
                   durable: action != .view)
    }
}
