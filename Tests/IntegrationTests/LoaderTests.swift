import Foundation
import Testing

@Suite("Plugin loader with real plugin libraries")
struct LoaderTests {
    static let firstParty = ["Residents", "HomeRound", "MedicationReview", "FallsLog"].map { Built.realPlugins.appendingPathComponent("lib\($0).so") }

    @Test("the four plugins load; a wrong API version and a file that is not a plugin are refused with a reason; the server keeps serving")
    func loadsAndRefuses() throws {
        let installation = try TestInstallation(plugins: LoaderTests.firstParty + [Built.testPlugin("ProbePlugin"), Built.testPlugin("ProbeOldAPI")])
        try "this is not a shared library".write(to: installation.pluginsDirectory.appendingPathComponent("libJunk.so"), atomically: true, encoding: .utf8)
        let server = try installation.start()
        let health = try server.request("GET", "/healthz", useCookies: false)
        #expect(health.status == 200)
        let json = try JSONSerialization.jsonObject(with: Data(health.body.utf8)) as? [String: Any]
        #expect(json?["status"] as? String == "degraded")
        let plugins = (json?["plugins"] as? [[String: Any]]) ?? []
        func state(_ id: String) -> (String?, String?) {
            let plugin = plugins.first { ($0["id"] as? String) == id }
            return (plugin?["state"] as? String, plugin?["reason"] as? String)
        }
        for id in ["residents", "home-round", "medication-review", "falls-log", "probe"] {
            #expect(state(id).0 == "loaded", "\(id) should be loaded, was \(String(describing: state(id)))")
        }
        let old = state("libProbeOldAPI.so")
        #expect(old.0 == "failed")
        #expect(old.1?.contains("built for CareKit API 999; this server provides 3") == true)
        let junk = state("libJunk.so")
        #expect(junk.0 == "failed")
        #expect(junk.1?.contains("not a loadable library") == true)
        // The refused ones did not stop the others from serving pages.
        try installation.addUser("nina", role: "nurse")
        try server.signIn("nina")
        #expect(try server.get("/probe").status == 200)
        #expect(try server.get("/residents").status == 200)
    }

    @Test("a plugin built for another CareServices API is refused with a message naming both versions; the plugins that use today's load")
    func otherServicesVersionRefused() throws {
        let installation = try TestInstallation(plugins: LoaderTests.firstParty + [Built.testPlugin("ProbeOldServices")])
        let server = try installation.start()
        let health = try server.request("GET", "/healthz", useCookies: false)
        let json = try JSONSerialization.jsonObject(with: Data(health.body.utf8)) as? [String: Any]
        let plugins = (json?["plugins"] as? [[String: Any]]) ?? []
        let old = plugins.first { ($0["id"] as? String) == "libProbeOldServices.so" }
        #expect(old?["state"] as? String == "failed")
        #expect((old?["reason"] as? String)?.contains("libProbeOldServices.so was built for CareServices API 999; this server provides 1") == true,
                "\(String(describing: old))")
        for id in ["residents", "home-round", "medication-review", "falls-log"] {
            #expect(plugins.contains { ($0["id"] as? String) == id && ($0["state"] as? String) == "loaded" }, "\(id)")
        }
    }

    @Test("`carehome plugins list` says which plugins would load and why not")
    func pluginsList() throws {
        let installation = try TestInstallation(plugins: [Built.testPlugin("ProbePlugin"), Built.testPlugin("ProbeOldAPI"), LoaderTests.firstParty[3]])
        let result = try run(Built.carehome, ["plugins", "list", "--plugins-dir", installation.pluginsDirectory.path])
        #expect(result.status == 0)
        #expect(result.output.contains("probe 9.9.9: loaded"))
        #expect(result.output.contains("libProbeOldAPI.so: failed — libProbeOldAPI.so was built for CareKit API 999"))
        #expect(result.output.contains("falls-log 1.0.0: failed — requires residents, which is not installed"))
    }

    @Test("a plugin not enabled in the configuration is disabled, and one that requires it is refused")
    func configurationDisables() throws {
        let installation = try TestInstallation(plugins: LoaderTests.firstParty + [Built.testPlugin("ProbePlugin")])
        let config = installation.root.appendingPathComponent("carehome.conf")
        try "# test\nplugins_enabled = probe, falls-log\nhome_name = Configured House\n".write(to: config, atomically: true, encoding: .utf8)
        let server = try installation.start(extraArguments: ["--config", config.path])
        let health = try server.request("GET", "/healthz", useCookies: false).body
        #expect(health.contains("\"id\":\"residents\",\"version\":\"1.0.0\",\"state\":\"disabled\""))
        #expect(health.contains("requires residents, which is disabled"))
        #expect(health.contains("\"id\":\"probe\",\"version\":\"9.9.9\",\"state\":\"loaded\""))
    }

    @Test("a migration that fails is rolled back, leaves the data untouched, and only that plugin is refused")
    func failingMigrationRollsBack() throws {
        let installation = try TestInstallation(plugins: [Built.testPlugin("ProbePlugin"), LoaderTests.firstParty[0]])
        try installation.addUser("nina", role: "nurse")
        do {
            let server = try installation.start()
            try server.signIn("nina")
            let saved = try server.request("POST", "/probe/save", form: [("_csrf", try server.csrfToken()), ("note", "kept")])
            #expect(saved.status == 303)
            server.stop()
        }
        let server = try installation.start(environment: ["PROBE_FAIL_MIGRATION": "1"])
        let health = try server.request("GET", "/healthz", useCookies: false).body
        #expect(health.contains("migration 2 (a migration that fails half way) failed and was rolled back"))
        #expect(health.contains("\"id\":\"residents\",\"version\":\"1.0.0\",\"state\":\"loaded\""))
        let database = installation.dataDirectory.appendingPathComponent("home.sqlite")
        #expect(try sqlite(database, "SELECT group_concat(note) FROM probe_saves") == "kept")
        #expect(try sqlite(database, "SELECT COUNT(*) FROM core_migrations WHERE plugin_id = 'probe'") == "1")
    }
}
