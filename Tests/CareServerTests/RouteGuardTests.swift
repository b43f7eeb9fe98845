import CareKit
import CareServer
import CareTesting
import FallsLogPlugin
import Foundation
import HomeRoundPlugin
import MedicationReviewPlugin
import ResidentsPlugin
import Testing

/// Proves, for every route every first-party plugin registers, that it cannot be used without
/// signing in nor by a role it does not name: the shell enforces it, so a plugin cannot forget.
@Suite("Every plugin route is guarded")
struct RouteGuardTests {
    static func home() throws -> TestHome {
        try TestHome(plugins: [ResidentsPlugin(), HomeRoundPlugin(), MedicationReviewPlugin(), FallsLogPlugin()])
    }

    static func concrete(_ pattern: String) -> String {
        pattern.split(separator: "/").map { $0.hasPrefix(":") ? "1" : String($0) }.reduce("") { $0 + "/" + $1 }
    }

    @Test("all four plugins load and register routes")
    func pluginsLoad() throws {
        let home = try RouteGuardTests.home()
        #expect(home.statuses.filter { $0.state == .loaded }.map(\.id).sorted() == ["falls-log", "home-round", "medication-review", "residents"])
        #expect(home.appliance.host.routes.count > 40)
    }

    @Test("no route answers without a session: GETs go to sign-in, POSTs are not run")
    func noSession() throws {
        let home = try RouteGuardTests.home()
        for route in home.appliance.host.routes {
            let reply = home.anonymous(route.method.rawValue, RouteGuardTests.concrete(route.path))
            #expect(reply.status == 303 && reply.location?.hasPrefix("/login") == true, "\(route.method.rawValue) \(route.path) answered \(reply.status) without a session")
        }
    }

    @Test("each route refuses every role it does not name with a 403 page, and the admin reaches no resident data")
    func rolesRefused() throws {
        let home = try RouteGuardTests.home()
        for route in home.appliance.host.routes {
            #expect(!route.roles.contains(.admin), "\(route.method.rawValue) \(route.path) is open to the admin, who must not see resident records")
            for role in Role.allCases where !route.roles.contains(role) {
                let path = RouteGuardTests.concrete(route.path)
                let reply = route.method == .get ? try home.get(path, as: role) : try home.post(path, as: role, form: [:])
                #expect(reply.status == 403, "\(route.method.rawValue) \(route.path) as \(role.rawValue) answered \(reply.status)")
            }
        }
    }

    @Test("no state-changing route runs without the CSRF token")
    func csrfOnEveryPost() throws {
        let home = try RouteGuardTests.home()
        for route in home.appliance.host.routes where route.method.changesState {
            guard let role = route.roles.first else { continue }
            let reply = try home.post(RouteGuardTests.concrete(route.path), as: role, form: [:], withCSRF: false)
            #expect(reply.status == 403, "POST \(route.path) ran without a CSRF token (\(reply.status))")
        }
    }
}
