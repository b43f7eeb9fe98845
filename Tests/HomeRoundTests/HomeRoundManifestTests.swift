import Testing
import CareKit
@testable import HomeRoundPlugin

@Test("the home-round plugin names itself and its requirements")
func manifestNamesPlugin() {
    let plugin = HomeRoundPlugin()
    #expect(plugin.manifest.id == "home-round")
}
