import Foundation
import Testing

/// The binary contract: a plugin built against the previous recorded CareKit (Tests/Compat/previous-release,
/// built by Tests/Compat/build-previous-plugin.sh before the suites run) loads into today's server and works.
@Suite("CareKit's binary contract")
struct CompatibilityTests {
    /// Where `make test` put the plugin built against the previous CareKit.
    static let previousProbe: URL = {
        if let path = ProcessInfo.processInfo.environment["CAREHOME_COMPAT_PLUGIN"] { return URL(fileURLWithPath: path) }
        return Built.appliance.deletingLastPathComponent().appendingPathComponent("compat/libProbePlugin.so")
    }()

    @Test("a plugin built against the previous CareKit loads into today's server, serves its page and saves through today's database API")
    func previousPluginWorks() throws {
        let plugin = CompatibilityTests.previousProbe
        try #require(FileManager.default.fileExists(atPath: plugin.path),
                     "no plugin built against the previous CareKit at \(plugin.path): run Tests/Compat/build-previous-plugin.sh (make test does)")
        let installation = try TestInstallation(plugins: LoaderTests.firstParty + [plugin])
        let server = try installation.start()
        let health = try server.request("GET", "/healthz", useCookies: false)
        #expect(health.body.contains("\"id\":\"probe\",\"version\":\"9.9.9\",\"state\":\"loaded\""), "\(health.body.prefix(600))")
        try installation.addUser("nina", role: "nurse")
        try server.signIn("nina")
        let page = try server.get("/probe?note=from-the-old-plugin")
        #expect(page.status == 200)
        #expect(page.body.contains("<p id=\"note\">from-the-old-plugin</p>"))
        #expect(page.body.contains("name=\"_csrf\""), "the old plugin's form is today's Form.start")
        let saved = try server.request("POST", "/probe/save", form: [("_csrf", try server.csrfToken()), ("note", "saved by the old plugin")])
        #expect(saved.status == 303)
        #expect(try server.get("/probe/saves").body.contains("saved by the old plugin"))
        // Today's own plugins serve beside it.
        #expect(try server.get("/residents").status == 200)
    }
}
