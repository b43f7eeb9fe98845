import Testing
import CareKit
@testable import FallsLogPlugin

@Test("the falls-log plugin names itself and its requirements")
func manifestNamesPlugin() {
    let plugin = FallsLogPlugin()
    #expect(plugin.manifest.id == "falls-log")
}
