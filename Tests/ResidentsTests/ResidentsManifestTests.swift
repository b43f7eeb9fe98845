import Testing
import CareKit
@testable import ResidentsPlugin

@Test("the residents plugin names itself and its requirements")
func manifestNamesPlugin() {
    let plugin = ResidentsPlugin()
    #expect(plugin.manifest.id == "residents")
}
