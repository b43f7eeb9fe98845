import CareKit
import CareServices
import CareTesting
import FallsLogPlugin
import Foundation
import ResidentsPlugin
import Testing

// A service declared here, in a test module: neither CareKit nor CareServices knows it. This is all a
// plugin author writes to offer a service of their own (in a shared library both plugins link, when
// they are two libraries; see Sources/CareServices/README.md).

/// Who is expected to visit a resident today.
protocol VisitorBook: Sendable {
    func visitorsExpected(residentID: Int64) -> [String]
}

enum VisitorServices {
    static let book = ServiceKey<any VisitorBook>("visitors.book")
}

/// Offers the visitor book.
final class VisitorsPlugin: CarePlugin {
    let manifest = PluginManifest(id: "visitors", displayName: "Visitors", version: "1.0.0")
    var migrations: [Migration] { [] }

    struct Book: VisitorBook {
        func visitorsExpected(residentID: Int64) -> [String] { ["Her daughter, after lunch"] }
    }

    func register(with registrar: any PluginRegistrar) throws {
        registrar.publish(VisitorServices.book, Book())
    }
}

/// Uses the visitor book when it is there, and does without it when it is not.
final class NoticeBoardPlugin: CarePlugin {
    let manifest = PluginManifest(id: "notice-board", displayName: "Notice board", version: "1.0.0")
    var migrations: [Migration] { [] }

    func register(with registrar: any PluginRegistrar) throws {
        let services = registrar.context.services
        registrar.add(Route(.get, "/notice-board", roles: Role.careTeam) { _ in
            var body: HTML = "<p id=\"today\">Hairdresser in the morning.</p>"
            if let book = services.resolve(VisitorServices.book) {
                body += "<p id=\"visitors\">Visitors: \(book.visitorsExpected(residentID: 1).joined(separator: ", "))</p>"
            }
            return .page(title: "Notice board", body)
        })
    }
}

@Suite("Services between plugins")
struct ServiceRegistryTests {
    @Test("a plugin offers a service neither CareKit nor CareServices declares; another uses it, and does without it when its plugin is not loaded")
    func serviceOfAPluginsOwn() throws {
        let both = try TestHome(plugins: [VisitorsPlugin(), NoticeBoardPlugin()])
        let page = try both.get("/notice-board", as: .carer)
        #expect(page.status == 200)
        #expect(page.body.contains("Visitors: Her daughter, after lunch"))

        let alone = try TestHome(plugins: [NoticeBoardPlugin()])
        let without = try alone.get("/notice-board", as: .carer)
        #expect(without.status == 200)
        #expect(without.body.contains("Hairdresser in the morning."))
        #expect(!without.body.contains("id=\"visitors\""))
    }

    @Test("the transfer summary is served without the falls part when the falls log is not loaded, and with it when it is")
    func transferSummaryWithoutItsProviders() throws {
        func home(_ plugins: [any CarePlugin]) throws -> (TestHome, Int64) {
            let home = try TestHome(plugins: plugins)
            let admitted = HomeTime.today().adding(days: -100)
            let response = try home.post("/residents/new", as: .manager, form: [
                "full_name": "Margaret Ann Hughes", "preferred_name": "Peggy", "date_of_birth": "1938-04-02", "room": "1",
                "admission_type": "permanent", "admission_date": admitted.iso, "allergies": "None known", "dementia_type": "no-dementia",
                "plan_exists": "no",
            ])
            try #require(response.status == 303, "adding a resident failed: \(response.status)")
            return (home, try #require(Int64(response.location?.split(separator: "/").last.map(String.init) ?? "")))
        }

        let (registryAlone, alone) = try home([ResidentsPlugin()])
        #expect(registryAlone.context.services.resolve(Services.falls) == nil)
        let summary = try registryAlone.get("/residents/\(alone)/transfer-summary", as: .carer)
        #expect(summary.status == 200)
        #expect(summary.body.contains("Transfer summary: Margaret Ann Hughes"))
        #expect(!summary.body.contains("Falls in the last 30 days"))
        #expect(summary.body.contains("Medicines are not recorded in this system: send the MAR chart."))

        let (withFalls, id) = try home([ResidentsPlugin(), FallsLogPlugin()])
        var fall = ["resident_id": String(id), "occurred_at": HomeTime.inputValue(Date().addingTimeInterval(-3600)), "location": "bedroom",
                    "witnessed": "no", "injured": "no", "head_strike": "yes"]
        for question in ["intense-pain", "suspected-collapse", "trauma", "unusual-behaviour", "breathing", "bleeding", "loss-of-consciousness", "fracture"] {
            fall[question] = "no"
        }
        #expect(try withFalls.post("/falls/new", as: .carer, form: fall).status == 303)
        let page = try withFalls.get("/residents/\(id)/transfer-summary", as: .carer).body
        #expect(page.contains("Falls in the last 30 days"))
        #expect(page.contains("(head strike)"))
    }
}

@Suite("One provider per service")
struct ServiceProviderTests {
    /// A second plugin offering the visitor book under the same key.
    final class OtherVisitorsPlugin: CarePlugin {
        let manifest = PluginManifest(id: "other-visitors", displayName: "Other visitors", version: "1.0.0")
        var migrations: [Migration] { [] }
        struct EmptyBook: VisitorBook {
            func visitorsExpected(residentID: Int64) -> [String] { [] }
        }
        func register(with registrar: any PluginRegistrar) throws {
            registrar.publish(VisitorServices.book, EmptyBook())
            registrar.add(Route(.get, "/other-visitors", roles: Role.careTeam) { _ in .text("other") })
        }
    }

    @Test("a plugin offering a service another plugin already offers is refused with the reason; the first keeps serving")
    func secondProviderRefused() throws {
        let home = try TestHome(plugins: [VisitorsPlugin(), OtherVisitorsPlugin(), NoticeBoardPlugin()])
        let refused = home.statuses.first { $0.id == "other-visitors" }
        #expect(refused?.state == .failed)
        #expect(refused?.reason?.contains("its service visitors.book is already offered by plugin visitors") == true, "\(String(describing: refused?.reason))")
        #expect(try home.get("/other-visitors", as: .carer).status == 404, "none of a refused plugin's routes are kept")
        #expect(try home.get("/notice-board", as: .carer).body.contains("Visitors: Her daughter, after lunch"))
    }
}
