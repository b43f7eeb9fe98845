import CareKit
import CareTesting
import FallsLogPlugin
import Foundation
import ResidentsPlugin
import Testing

@Suite("Plugins' own stylesheets")
struct PluginStylesheetTests {
    @Test("a loaded plugin's stylesheet is linked on every page under its id with a content hash, and served to be cached; a plugin not loaded adds none")
    func linkedWhileLoaded() throws {
        let home = try TestHome(plugins: [ResidentsPlugin(), FallsLogPlugin()])
        let page = try home.get("/", as: .nurse).body
        let link = try #require(page.firstMatch(of: /href="(\/assets\/falls-log\/falls-log\.css\?v=[0-9a-f]{16})"/).map { String($0.output.1) })
        #expect(page.contains("href=\"/assets/residents/residents.css?v="))
        #expect(page.contains("href=\"/assets/app.css\""))
        let sheet = home.anonymous("GET", String(link.prefix { $0 != "?" }))
        #expect(sheet.status == 200, "stylesheets carry no personal data: no sign-in needed, like app.css")
        #expect(sheet.header("Content-Type") == "text/css; charset=utf-8")
        #expect(sheet.header("Cache-Control") == "public, max-age=31536000, immutable")
        #expect(sheet.body.contains(".falls-"), "the falls log's own rules")
        #expect(home.anonymous("GET", "/assets/falls-log/../app.css").status == 404)
        #expect(home.anonymous("GET", "/assets/falls-log/other.css").status == 404)

        let without = try TestHome(plugins: [ResidentsPlugin()])
        #expect(!(try without.get("/", as: .nurse)).body.contains("/assets/falls-log/"), "a plugin not loaded links nothing")
        #expect(without.anonymous("GET", "/assets/falls-log/falls-log.css").status == 404)
    }

    @Test("a stylesheet with an unsafe name or over 256 KB stops its plugin loading, with the reason")
    func refusedSheets() throws {
        let badName = FakePlugin("bad-name") { $0.add(PluginStylesheet(name: "../app.css", css: Array("p{}".utf8))) }
        let tooLarge = FakePlugin("too-large") { $0.add(PluginStylesheet(name: "big.css", css: [UInt8](repeating: 32, count: 300 * 1024))) }
        let fine = FakePlugin("fine") { $0.add(PluginStylesheet(name: "fine.css", css: Array(".fine{}".utf8))) }
        let home = try TestHome(plugins: [badName, tooLarge, fine])
        #expect(home.statuses.first { $0.id == "bad-name" }?.reason?.contains("stylesheet '../app.css' is not acceptable") == true)
        #expect(home.statuses.first { $0.id == "too-large" }?.state == .failed)
        #expect(home.statuses.first { $0.id == "fine" }?.state == .loaded)
        #expect(home.anonymous("GET", "/assets/fine/fine.css").body == ".fine{}")
    }
}
