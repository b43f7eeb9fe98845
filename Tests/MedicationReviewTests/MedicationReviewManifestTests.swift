import Testing
import CareKit
@testable import MedicationReviewPlugin

@Test("the medication-review plugin names itself and its requirements")
func manifestNamesPlugin() {
    let plugin = MedicationReviewPlugin()
    #expect(plugin.manifest.id == "medication-review")
}
