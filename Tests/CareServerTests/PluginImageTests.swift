import CareKit
import CareTesting
import FallsLogPlugin
import Foundation
import ResidentsPlugin
import Testing

@Suite("Plugins' own images and help")
struct PluginImageTests {
    @Test("the falls page links the falls log's help with its icon; the icon is served under the plugin's id to be cached, the help in plain words; without the plugin, neither")
    func fallsHelpAndIcon() throws {
        let home = try TestHome(plugins: [ResidentsPlugin(), FallsLogPlugin()])
        let falls = try home.get("/falls", as: .carer).body
        #expect(falls.contains("<a href=\"/falls/help\">"))
        let src = try #require(falls.firstMatch(of: /<img src="(\/assets\/falls-log\/help\.svg\?v=[0-9a-f]{16})" alt=""/).map { String($0.output.1) })
        let icon = home.anonymous("GET", String(src.prefix { $0 != "?" }))
        #expect(icon.status == 200, "an icon carries no personal data: no sign-in needed, like the stylesheets")
        #expect(icon.header("Content-Type") == "image/svg+xml")
        #expect(icon.header("Cache-Control") == "public, max-age=31536000, immutable")
        #expect(icon.body.hasPrefix("<svg"))

        let help = try home.get("/falls/help", as: .carer)
        #expect(help.status == 200)
        #expect(help.body.contains("<title>How the falls log works"))
        #expect(help.body.contains("<h2>When someone has fallen</h2>"))
        #expect(help.body.contains("<li>Any &quot;yes&quot; means call 999 and do not lift them."))

        let without = try TestHome(plugins: [ResidentsPlugin()])
        #expect(without.anonymous("GET", "/assets/falls-log/help.svg").status == 404)
        #expect(try without.get("/falls/help", as: .carer).status == 404)
    }

    @Test("an image with an unsafe name, the wrong bytes, script or a reference elsewhere stops its plugin loading, with the reason")
    func refusedImages() throws {
        let drawing = Array("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 2 2\"><rect width=\"2\" height=\"2\"/></svg>".utf8)
        let cases: [(String, PluginImage, String)] = [
            ("bad-name", PluginImage(name: "../icon.svg", bytes: drawing), "a name of lower-case letters"),
            ("not-png", PluginImage(name: "icon.png", bytes: drawing), "a PNG file"),
            ("scripted", PluginImage(name: "icon.svg", bytes: Array("<svg><script>alert(1)</script></svg>".utf8)), "an SVG without script"),
            ("handler", PluginImage(name: "icon.svg", bytes: Array("<svg onload=\"alert(1)\"></svg>".utf8)), "an SVG without event attributes"),
            ("elsewhere", PluginImage(name: "icon.svg", bytes: Array("<svg><image href=\"https://example.org/x.png\"/></svg>".utf8)), "an SVG that fetches nothing from elsewhere"),
            ("too-large", PluginImage(name: "big.svg", bytes: drawing + [UInt8](repeating: 32, count: 300 * 1024)), "at most 256 KB"),
        ]
        let fine = FakePlugin("fine") { $0.add(PluginImage(name: "icon.svg", bytes: drawing)) }
        let home = try TestHome(plugins: cases.map { id, image, _ in FakePlugin(id) { $0.add(image) } } + [fine])
        for (id, image, reason) in cases {
            let status = home.statuses.first { $0.id == id }
            #expect(status?.state == .failed, "\(id)")
            #expect(status?.reason?.contains("image '\(image.name)' is not acceptable: it must be \(reason)") == true, "\(String(describing: status?.reason))")
        }
        #expect(home.statuses.first { $0.id == "fine" }?.state == .loaded)
        #expect(home.anonymous("GET", "/assets/fine/icon.svg").bytes == drawing)
    }
}
