import CareKit
import CareServer
import CareTesting
import Foundation
import GRDB
import Testing

/// The server's own signed-in pages are the built-in plugin `core`: one router, one role check, one
/// handler runner and one set of error pages for them and for every plugin.
@Suite("The server's own pages as the built-in plugin")
struct CorePluginTests {
    static func concrete(_ pattern: String) -> String {
        pattern.split(separator: "/").map { $0.hasPrefix(":") ? "1" : String($0) }.reduce("") { $0 + "/" + $1 }
    }

    /// The page's content from its heading down, with the request's reference taken out: what the same
    /// error looks like wherever it came from.
    static func errorContent(_ reply: TestResponse) -> String {
        guard let start = reply.body.range(of: "<h1>"), let end = reply.body.range(of: "</main>") else { return "" }
        return String(reply.body[start.lowerBound..<end.lowerBound]).replacingOccurrences(of: "<strong>[^<]*</strong>", with: "<strong>REF</strong>", options: .regularExpression)
    }

    @Test("the server's pages are found through the router, as routes of the plugin core")
    func coreRoutesInRouter() throws {
        let home = try TestHome(plugins: [FakePlugin("things", routes: [(.get, "/things/:id")])])
        let host = home.appliance.host
        for (method, path) in [(HTTPMethod.get, "/"), (.get, "/account"), (.post, "/logout"), (.get, "/admin/users"), (.post, "/admin/users/7/disable"),
                               (.get, "/audit"), (.get, "/audit.csv"), (.get, "/admin/api-tokens"), (.get, "/export/residents/3/fhir"),
                               (.post, "/admin/plugins/things/disable"), (.get, "/admin/backups/download")] {
            #expect(host.pluginID(serving: method, path: path) == "core", "\(method.rawValue) \(path)")
        }
        #expect(host.pluginID(serving: .get, path: "/things/3") == "things")
        #expect(host.pluginID(serving: .get, path: "/no-such-page") == nil)
        #expect(host.builtInRoutes.allSatisfy { $0.pluginID == "core" } && host.builtInRoutes.count >= 20)
        #expect(!host.routes.contains { $0.pluginID == "core" }, "the plugins' routes are listed apart from the server's own")
        #expect(!home.statuses.contains { $0.id == "core" }, "the admin page and /healthz list plugin libraries only, as before")
    }

    @Test("a plugin with a route that clashes with one of the server's pages is refused at load, with a message; the page still serves")
    func clashWithCoreRefused() throws {
        let home = try TestHome(plugins: [FakePlugin("account-thief", routes: [(.get, "/thief"), (.get, "/account")]),
                                          FakePlugin("user-changer", routes: [(.post, "/admin/users/:user/:what")]),
                                          FakePlugin("fine", routes: [(.get, "/fine")])])
        let thief = try #require(home.statuses.first { $0.id == "account-thief" })
        #expect(thief.state == .failed)
        #expect(thief.reason == "route GET /account clashes with /account of plugin core")
        let changer = try #require(home.statuses.first { $0.id == "user-changer" })
        #expect(changer.reason == "route POST /admin/users/:user/:what clashes with /admin/users/:id/:action of plugin core")
        #expect(home.statuses.first { $0.id == "fine" }?.state == .loaded)
        #expect(try home.get("/thief", as: .nurse).status == 404, "none of a refused plugin's routes may serve")
        let account = try home.get("/account", as: .nurse)
        #expect(account.status == 200 && account.title == "Your account")
    }

    @Test("a plugin's routes live under /<id> or the prefixes its manifest declares: one outside them refuses the plugin with a message, and /ward is not under /war")
    func routesUnderThePluginsPrefixes() throws {
        let home = try TestHome(plugins: [FakePlugin("notes-board", routes: [(.get, "/notes-board"), (.get, "/notes-board/:id")], routePrefixes: []),
                                          FakePlugin("wanderer", routes: [(.get, "/wanderer"), (.get, "/residents/:id/wander")], routePrefixes: []),
                                          FakePlugin("war", routes: [(.get, "/ward")], routePrefixes: ["/war"]),
                                          FakePlugin("two-homes", routes: [(.get, "/first"), (.post, "/second/save")], routePrefixes: ["/first", "/second"])])
        #expect(home.statuses.first { $0.id == "notes-board" }?.state == .loaded)
        let wanderer = try #require(home.statuses.first { $0.id == "wanderer" })
        #expect(wanderer.state == .failed)
        #expect(wanderer.reason == "route GET /residents/:id/wander is outside the plugin's pages (/wanderer): declare its prefix in the manifest's routePrefixes")
        #expect(try home.get("/wanderer", as: .nurse).status == 404, "none of a refused plugin's routes may serve")
        #expect(home.statuses.first { $0.id == "war" }?.state == .failed, "a prefix is a whole segment: /ward is not under /war")
        #expect(home.statuses.first { $0.id == "two-homes" }?.state == .loaded, "declared exceptions are allowed")
    }

    @Test("a CareError thrown by one of the server's pages and by a plugin's page gives the same error page")
    func oneErrorMapping() throws {
        let home = try TestHome(plugins: [FakePlugin("thrower") { registrar in
            registrar.add(Route(.post, "/thrower/:id", roles: [.manager]) { _ in throw CareError.notFound("There is no such account.") })
        }])
        let core = try home.post("/admin/users/999/disable", as: .manager, form: [:])
        let plugin = try home.post("/thrower/999", as: .manager, form: [:])
        #expect(core.status == 404 && plugin.status == 404)
        #expect(core.title == "Page not found")
        #expect(core.body.contains("There is no such account."))
        #expect(CorePluginTests.errorContent(core) == CorePluginTests.errorContent(plugin))
        #expect(core.header("Cache-Control") == plugin.header("Cache-Control"))
    }

    @Test("a save on a full disk from one of the server's pages is a 507 page with the form kept, as for a plugin's")
    func diskFullOnCorePage() throws {
        // An id longer than a database page, so that saving the choice needs pages the full disk has not got.
        let id = "things-" + String(repeating: "x", count: 6000)
        let home = try TestHome(plugins: [FakePlugin(id)])
        _ = try home.principal(.manager)
        try home.appliance.home.pool.writeWithoutTransaction { db in
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = \(pages)")
        }
        let reply = try home.post("/admin/plugins/\(id)/disable", as: .manager, form: ["_once": String(repeating: "ef", count: 16)])
        #expect(reply.status == 507)
        #expect(reply.title == "Not saved: disk full")
        #expect(reply.body.contains("action=\"/admin/plugins/\(id)/disable\""))
        #expect(reply.body.contains("name=\"_once\" value=\"\(String(repeating: "ef", count: 16))\""))
    }

    @Test("each of the server's pages is guarded by its route's roles: a carer gets the 403 page on an admin page, as before")
    func coreRolesFromRoutes() throws {
        let home = try TestHome(plugins: [])
        let routes = home.appliance.host.builtInRoutes
        #expect(routes.contains { $0.method == .get && $0.path == "/admin/users" && $0.roles == [.manager, .admin] })
        for route in routes {
            let path = CorePluginTests.concrete(route.path)
            for role in Role.allCases where !route.roles.contains(role) {
                let reply = route.method == .get ? try home.get(path, as: role) : try home.post(path, as: role, form: [:])
                #expect(reply.status == 403, "\(route.method.rawValue) \(route.path) as \(role.rawValue) answered \(reply.status)")
                #expect(reply.body.contains("does not allow this page"))
            }
            let anonymous = home.anonymous(route.method.rawValue, path)
            #expect(anonymous.status == 303 && anonymous.location?.hasPrefix("/login") == true, "\(route.method.rawValue) \(route.path) without a session")
            if route.method.changesState, let role = route.roles.first {
                #expect(try home.post(path, as: role, form: [:], withCSRF: false).status == 403, "POST \(route.path) without the CSRF token")
            }
        }
        let carer = try home.get("/admin/users", as: .carer)
        #expect(carer.status == 403 && carer.title == "You cannot open this page")
    }

    @Test("a double-submitted form of the server's own (a plugin turned off) acts once, like a plugin's")
    func coreFormActsOnce() throws {
        let home = try TestHome(plugins: [FakePlugin("things")])
        let token = String(repeating: "0a", count: 16)
        let first = try home.post("/admin/plugins/things/disable", as: .manager, form: ["_once": token])
        let second = try home.post("/admin/plugins/things/disable", as: .manager, form: ["_once": token])
        #expect(first.status == 303 && first.location == "/admin")
        #expect(second.status == 303 && second.location == "/admin")
        #expect(second.flash == "That form had already been saved; it was not saved twice.")
        let entries = try home.appliance.home.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM core_audit WHERE action = 'plugin-disable'") ?? 0
        }
        #expect(entries == 1)
    }

    @Test("the server's navigation entries are contributed like a plugin's, after the plugins'")
    func coreNavigation() throws {
        let home = try TestHome(plugins: [FakePlugin("things") { registrar in
            registrar.add(NavigationEntry(title: "Things", path: "/things", roles: [.manager, .carer], order: 50))
        }])
        let manager = try home.get("/account", as: .manager).body
        let things = try #require(manager.range(of: ">Things</a>")), audit = try #require(manager.range(of: ">Audit trail</a>"))
        let admin = try #require(manager.range(of: ">Administration</a>"))
        #expect(things.lowerBound < audit.lowerBound && audit.lowerBound < admin.lowerBound)
        let carer = try home.get("/account", as: .carer).body
        #expect(carer.contains(">Things</a>") && !carer.contains(">Audit trail</a>") && !carer.contains(">Administration</a>"))
    }

    @Test("signing out through the router ends the session, clears its cookie and says so")
    func logout() throws {
        let home = try TestHome(plugins: [])
        let reply = try home.post("/logout", as: .nurse, form: [:])
        #expect(reply.status == 303 && reply.location == "/login")
        #expect(reply.flash == "You have signed out.")
        #expect(reply.headers.contains { $0.name == "Set-Cookie" && $0.value.hasPrefix("carehome_session=;") && $0.value.contains("Max-Age=0") })
        #expect(try home.get("/account", as: .nurse).status == 303, "the session has ended")
    }
}
