import CareKit
import Testing
@testable import MedicationReviewPlugin

@Suite("Admission SMR rule and the registry's 7-day clock")
struct AdmissionFlagTests {
    static let admitted = Day(year: 2026, month: 11, day: 2)!   // Monday
    static let late = Day(year: 2026, month: 11, day: 16)!       // past the 7th working day (11 Nov)

    @Test("past the deadline with no flag and no review, the prompt is high and says overdue")
    func overdueWithoutFlag() {
        let facts = ResidentFacts(residentID: 1, today: AdmissionFlagTests.late, latestAdmission: AdmissionFlagTests.admitted)
        let finding = RuleEngine.evaluate(facts).first { $0.rule.id == "MR-ADM-SMR" }
        #expect(finding?.severity == .high)
        #expect(finding?.reason.contains("overdue") == true)
    }

    @Test("once the clock records the SMR flag, the EHCH item is met: the prompt drops to a reminder to record the review")
    func flaggedOnClock() {
        let facts = ResidentFacts(residentID: 1, today: AdmissionFlagTests.late, latestAdmission: AdmissionFlagTests.admitted,
                                  reviewFlaggedOn: Day(year: 2026, month: 11, day: 4))
        let finding = RuleEngine.evaluate(facts).first { $0.rule.id == "MR-ADM-SMR" }
        #expect(finding?.severity == .moderate)
        #expect(finding?.reason.contains("flagged for a structured medication review on Wed 4 Nov 2026") == true)
        #expect(finding?.reason.contains("overdue") == false)
    }

    @Test("a flag recorded for an earlier admission does not count for a re-admission")
    func flagFromEarlierStay() {
        let facts = ResidentFacts(residentID: 1, today: AdmissionFlagTests.late, latestAdmission: AdmissionFlagTests.admitted,
                                  latestAdmissionIsReadmission: true, reviewFlaggedOn: Day(year: 2026, month: 10, day: 1))
        #expect(RuleEngine.evaluate(facts).first { $0.rule.id == "MR-ADM-SMR" }?.severity == .high)
    }
}
