import CareKit
import CareServices
import CareServer
import CareTesting
import FallsLogPlugin
import Foundation
import HomeRoundPlugin
import MedicationReviewPlugin
import ResidentsPlugin
import Testing

/// `/metrics` for a care group's or ICB's Prometheus: off by default, token-protected, no personal data.
@Suite("Metrics for monitoring", .serialized)
struct MetricsTests {
    static let token = "test-metrics-token-0123456789abcdef0123"
    static let today = HomeTime.today()

    func demo(token: String? = MetricsTests.token) throws -> TestHome {
        let today = MetricsTests.today
        let home = try TestHome(plugins: [ResidentsPlugin(today: { today }), FallsLogPlugin(), MedicationReviewPlugin(today: { today }), HomeRoundPlugin(now: { Date() })],
                                metricsToken: token)
        try home.seedDemoData(today: today)
        return home
    }

    func scrape(_ home: TestHome, token: String? = MetricsTests.token) -> TestResponse {
        home.anonymous("GET", "/metrics", headers: token.map { ["authorization": "Bearer \($0)"] } ?? [:])
    }

    /// The value of one sample line, e.g. `carehome_residents_residents{status="living-here"}`.
    func value(_ body: String, _ sample: String) -> Double? {
        body.split(separator: "\n").first { $0.hasPrefix(sample + " ") }.flatMap { Double($0.split(separator: " ").last!) }
    }

    @Test("without metrics_token configured there is no /metrics page")
    func offByDefault() throws {
        let home = try demo(token: nil)
        #expect(scrape(home, token: "anything-at-all-0123456789abcdef0123").status == 404)
    }

    @Test("a scrape without the token, or with a wrong one, gets 401 and no figures")
    func needsToken() throws {
        let home = try demo()
        let missing = scrape(home, token: nil)
        #expect(missing.status == 401)
        #expect(missing.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
        #expect(!missing.body.contains("carehome_"))
        let wrong = scrape(home, token: String(MetricsTests.token.dropLast()) + "X")
        #expect(wrong.status == 401)
    }

    @Test("the figures match what staff see, in Prometheus' text format, every plugin's source up")
    func figures() throws {
        let home = try demo()
        // The registry's dashboard card says "N open, M overdue." (viewing it also makes the test nurse's account)
        let dashboard = try home.get("/", as: .nurse).body
        let reply = scrape(home)
        #expect(reply.status == 200)
        #expect(reply.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        let body = reply.body
        #expect(value(body, "carehome_info{version=\"\(Appliance.version)\"}") == 1)
        for plugin in ["residents", "falls-log", "medication-review", "home-round"] {
            #expect(body.contains("carehome_plugin_state{plugin=\"\(plugin)\",state=\"loaded\","), "\(plugin) should be reported loaded")
        }
        for plugin in ["residents", "falls-log", "medication-review", "home-round"] {
            #expect(value(body, "carehome_metrics_source_up{plugin=\"\(plugin)\"}") == 1)
        }
        #expect(value(body, "carehome_database_writable") == 1)
        #expect(value(body, "carehome_backup_overdue") == 1, "no backup has been taken in a test home")
        #expect(value(body, "carehome_accounts_active{role=\"nurse\"}") == 1)
        #expect(value(body, "carehome_accounts_active{role=\"manager\"}") == 0)

        let living = try #require(home.context.services.resolve(Services.residentDirectory)).currentResidents().filter { $0.status == .livingHere }.count
        #expect(value(body, "carehome_residents_residents{status=\"living-here\"}") == Double(living))
        let open = try #require(value(body, "carehome_residents_admission_clocks_open"))
        let overdue = try #require(value(body, "carehome_residents_admission_clocks_overdue"))
        #expect(dashboard.contains("\(Int(open)) open, \(Int(overdue)) overdue."))
        #expect(open > 0, "the demo has residents admitted this week")
        let outcomes = ["on-time", "late", "in-progress"].compactMap { value(body, "carehome_residents_admissions_90d{outcome=\"\($0)\"}") }
        #expect(outcomes.count == 3)
        #expect(outcomes.reduce(0, +) >= open, "every open clock of a recent admission is counted in the quarter")

        // Medication: residents on the home-wide list, by their most urgent prompt.
        let listed = Set(try home.get("/medication", as: .nurse).body.components(separatedBy: "<a href=\"/medication/residents/").dropFirst()
            .map { $0.prefix { $0.isNumber } }).count
        let bySeverity = ["high", "review", "consider"].compactMap { value(body, "carehome_medication_review_residents_with_open_prompts{severity=\"\($0)\"}") }
        #expect(bySeverity.count == 3)
        #expect(Int(bySeverity.reduce(0, +)) == listed)

        // Falls: the dashboard's "N due now" card; the home round: "Overdue in the home (N)".
        let checks = ["overdue", "due-now"].compactMap { value(body, "carehome_falls_log_checks_due{state=\"\($0)\"}") }
        #expect(checks.count == 2)
        #expect(dashboard.contains("<strong>\(Int(checks.reduce(0, +)))</strong> due now"))
        let overdueActions = try #require(value(body, "carehome_home_round_actions_open{state=\"overdue\"}"))
        #expect(dashboard.contains("Overdue in the home (\(Int(overdueActions)))"))
        #expect(value(body, "carehome_home_round_rounds_held_28d") != nil)
        let falls = ["yes", "no"].compactMap { value(body, "carehome_falls_log_falls_30d{injured=\"\($0)\"}") }
        #expect(falls.count == 2 && falls.reduce(0, +) > 0, "the demo has falls this month")
        #expect(value(body, "carehome_falls_log_assessments_waiting") != nil)

        // The text format: HELP and TYPE before each family's samples, valid names, numeric values.
        var typed = Set<String>()
        for line in body.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                #expect(parts.count == 4 && ["gauge", "counter"].contains(parts[3]))
                typed.insert(String(parts[2]))
            } else if !line.hasPrefix("# HELP ") {
                let name = String(line.prefix { $0 != "{" && $0 != " " })
                #expect(typed.contains(name), "sample before its TYPE line: \(line)")
                #expect(name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
                #expect(Double(line.split(separator: " ").last ?? "") != nil, "not a number: \(line)")
            }
        }
    }

    @Test("no name or NHS number of any resident appears in the figures")
    func noPersonalData() throws {
        let home = try demo()
        let body = scrape(home).body
        let residents = try #require(home.context.services.resolve(Services.residentDirectory)).currentResidents()
        #expect(!residents.isEmpty)
        for resident in residents {
            #expect(!body.contains(resident.fullName))
            #expect(!body.contains(resident.preferredName))
            if let nhs = resident.nhsNumber { #expect(!body.contains(nhs)) }
        }
    }

    @Test("a plugin's metric without its prefix is left out; a source that fails reports 0 and the rest still come")
    func badSources() throws {
        struct Broken: Error {}
        let stray = FakePlugin("stray") { registrar in
            registrar.add(MetricSource { [Metric("carehome_residents_residents", help: "pretends to be another plugin's", value: 999),
                                          Metric("carehome_stray_ok", help: "fine", value: 7)] })
        }
        let failing = FakePlugin("failing") { registrar in registrar.add(MetricSource { throw Broken() }) }
        let home = try TestHome(plugins: [stray, failing], metricsToken: MetricsTests.token)
        let body = scrape(home).body
        #expect(!body.contains("999"))
        #expect(value(body, "carehome_stray_ok") == 7)
        #expect(value(body, "carehome_metrics_source_up{plugin=\"failing\"}") == 0)
        #expect(value(body, "carehome_metrics_source_up{plugin=\"stray\"}") == 1)
        #expect(value(body, "carehome_database_writable") == 1)
    }

    @Test("a metrics_token that is too short or has odd characters is refused with a reason")
    func tokenSetting() throws {
        var configuration = ApplianceConfiguration(dataDirectory: URL(fileURLWithPath: "/tmp/unused"))
        #expect(throws: ConfigurationError.self) { try configuration.set("metrics_token", "short", at: "carehome.conf line 3") }
        #expect(throws: ConfigurationError.self) { try configuration.set("metrics_token", String(repeating: "a", count: 40) + " b", at: "line 4") }
        try configuration.set("metrics_token", MetricsTests.token, at: "line 5")
        #expect(configuration.metricsToken == MetricsTests.token)
    }
}

@Suite("Metrics on the admin page")
struct MetricsAdminTests {
    @Test("the admin page says whether /metrics is on, without showing the token")
    func adminPage() throws {
        let off = try TestHome(plugins: []).get("/admin", as: .admin).body
        #expect(off.contains("<code>/metrics</code> is off"))
        let on = try TestHome(plugins: [], metricsToken: MetricsTests.token).get("/admin", as: .admin).body
        #expect(on.contains("<code>/metrics</code> is on"))
        #expect(!on.contains(MetricsTests.token))
    }
}
