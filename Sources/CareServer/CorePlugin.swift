import CareHTTP
import CareKit
import Synchronization

/// The server's own signed-in pages (dashboard, your account, sign-out, staff accounts, the admin
/// screen, API tokens, the audit trail, FHIR downloads) as a plugin built into the server, with the id
/// `core`. Its routes and navigation go through the same registrar, router, role check, CSRF check and
/// handler runner as every plugin's, so the server has one router and one error mapping. It is
/// registered before any plugin library loads, so a plugin route that clashes with one of its pages is
/// refused like a clash between two plugins. The page contents stay in `Appliance+CorePages.swift`,
/// `Appliance+Admin.swift` and `Appliance+FHIRPages.swift`, each of which lists its routes.
final class CorePlugin: CarePlugin {
    static let id = "core"

    let manifest = PluginManifest(id: CorePlugin.id, displayName: "The server's own pages", version: Appliance.version,
                                  summary: "Dashboard, accounts, administration, the audit trail and FHIR downloads")
    /// The appliance migrates its own tables before anything else (accounts and sessions need them first).
    let migrations: [Migration] = []
    /// Not retained: the appliance holds its plugin host, which holds these routes.
    private unowned let appliance: Appliance

    init(appliance: Appliance) { self.appliance = appliance }

    func register(with registrar: any PluginRegistrar) throws {
        for route in appliance.corePageRoutes + appliance.adminScreenRoutes + appliance.fhirPageRoutes { registrar.add(route) }
        for entry in Appliance.coreNavigation { registrar.add(entry) }
    }
}

/// What a page of the built-in plugin may use that a plugin's `Request` does not carry: the session it
/// came with (sign-out, a password change that signs the person out elsewhere), the HTTP request as it
/// came (the address a FHIR download names), the viewer for the shell, and a way to answer with an HTTP
/// response that a `Response` cannot hold (a backup streamed from its file). It lives in the server, not
/// in CareKit: plugin libraries never see it, and `runHandler` sets it only for the built-in plugin.
final class CoreExchange: Sendable {
    @TaskLocal static var current: CoreExchange?

    let session: Session
    let http: HTTPRequest
    let viewer: Shell.Viewer
    private let direct = Mutex<HTTPResponse?>(nil)

    init(session: Session, http: HTTPRequest, viewer: Shell.Viewer) {
        self.session = session
        self.http = http
        self.viewer = viewer
    }

    /// Answers with `response` as it is; returns the stand-in for the handler to return.
    func answer(_ response: HTTPResponse) -> Response {
        direct.withLock { $0 = response }
        return Response(status: response.status, body: .empty)
    }

    /// The HTTP response given to `answer`, if any (taken once).
    func takeDirectAnswer() -> HTTPResponse? { direct.withLock { answer in defer { answer = nil }; return answer } }

    /// A core page ran outside the request pipeline (never in the server): a fault, shown as a 500 page.
    struct Missing: Error, CustomStringConvertible {
        var description: String { "a page of the server's own plugin ran without its request exchange" }
    }
}

extension Appliance {
    /// A route of the server's own pages. The handler is given the appliance without the route holding
    /// it (the appliance holds its routes through the plugin host).
    func corePage(_ method: HTTPMethod, _ path: String, roles: Set<Role>,
                  _ handler: @escaping @Sendable (Appliance, Request) throws -> Response) -> Route {
        Route(method, path, roles: roles) { [unowned self] request in try handler(self, request) }
    }

    /// A route of the server's own pages that needs the session or the HTTP request (`CoreExchange`).
    func coreExchangePage(_ method: HTTPMethod, _ path: String, roles: Set<Role>,
                          _ handler: @escaping @Sendable (Appliance, Request, CoreExchange) throws -> Response) -> Route {
        Route(method, path, roles: roles) { [unowned self] request in
            guard let exchange = CoreExchange.current else { throw CoreExchange.Missing() }
            return try handler(self, request, exchange)
        }
    }
}
