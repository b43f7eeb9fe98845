import Foundation
import Testing
import CareKit
@testable import FallsLogPlugin

private let t0 = Date(timeIntervalSince1970: 1_795_000_000)   // an instant in Nov 2026
private func minutes(_ m: Double) -> Date { t0.addingTimeInterval(m * 60) }

// MARK: - Long lie (FALL-LONGLIE-1)

@Test("59 minutes on the floor is not a long lie; 60 minutes is")
func longLieBoundary() throws {
    let under = try #require(TimeOnFloor.compute(fellAt: t0, foundAt: nil, upAt: minutes(59)))
    let at = try #require(TimeOnFloor.compute(fellAt: t0, foundAt: nil, upAt: minutes(60)))
    #expect(under.minutes == 59 && !under.isLongLie)
    #expect(at.minutes == 60 && at.isLongLie)
    #expect(at.display == "1 h")
}

@Test("without a time off the floor, time found gives a lower bound that can already be a long lie")
func longLieFromTimeFound() throws {
    let found = try #require(TimeOnFloor.compute(fellAt: t0, foundAt: minutes(75), upAt: nil))
    #expect(found.isAtLeast)
    #expect(found.isLongLie)
    #expect(found.display == "at least 1 h 15 min")
    let up = try #require(TimeOnFloor.compute(fellAt: t0, foundAt: minutes(5), upAt: minutes(20)))
    #expect(!up.isAtLeast && up.minutes == 20)
}

@Test("times that run backwards, or no later time at all, give no time on the floor")
func timeOnFloorNeedsOrderedTimes() {
    #expect(TimeOnFloor.compute(fellAt: t0, foundAt: minutes(-1), upAt: nil) == nil)
    #expect(TimeOnFloor.compute(fellAt: t0, foundAt: nil, upAt: minutes(-5)) == nil)
    #expect(TimeOnFloor.compute(fellAt: t0, foundAt: nil, upAt: nil) == nil)
    #expect(TimeOnFloor.compute(fellAt: t0, foundAt: t0, upAt: nil) == nil)   // seen falling, not yet up
}

// MARK: - I STUMBLE (FALL-ISTUMBLE-1)

@Test("a single yes on the I STUMBLE check says call 999 even before the rest is answered")
func oneYesMeans999() {
    let check = PostFallCheck(answers: [.fracture: true])
    #expect(check.outcome == .call999DoNotLift(reasons: [.fracture]))
    for question in PostFallQuestion.allCases {
        var answers = Dictionary(uniqueKeysWithValues: PostFallQuestion.allCases.map { ($0, false) })
        answers[question] = true
        #expect(PostFallCheck(answers: answers).isCall999, "\(question) yes must mean 999")
    }
}

@Test("eight noes clear the check; seven noes leave it incomplete")
func allNoClearsCheck() {
    var answers = Dictionary(uniqueKeysWithValues: PostFallQuestion.allCases.map { ($0, false) })
    #expect(PostFallCheck(answers: answers).outcome == .noRedFlags)
    answers[.bleeding] = nil
    #expect(PostFallCheck(answers: answers).outcome == .incomplete(missing: [.bleeding]))
    #expect(PostFallQuestion.allCases.map(\.letter).joined() == "ISTUMBLE")
}

@Test("the check survives being stored and read back")
func checkRoundTrip() {
    let check = PostFallCheck(answers: [.trauma: true, .bleeding: false])
    #expect(FallRecord.decodeCheck(FallRecord.encodeCheck(check)) == check)
}

// MARK: - NICE NG232 (FALL-NG232-1)

@Test("head strike on an anticoagulant, or an antiplatelet other than aspirin alone, needs hospital assessment")
func headStrikeOnAntithrombotics() {
    #expect(HeadInjuryAdvice.decide(headStrike: .yes, witnessed: true, antithrombotic: .anticoagulant).needsHospital)
    #expect(HeadInjuryAdvice.decide(headStrike: .yes, witnessed: true, antithrombotic: .antiplatelet).needsHospital)
    #expect(HeadInjuryAdvice.decide(headStrike: .yes, witnessed: true, antithrombotic: .aspirinAlone) == .noAntithromboticRisk)
    #expect(HeadInjuryAdvice.decide(headStrike: .yes, witnessed: true, antithrombotic: AntithromboticAnswer.none) == .noAntithromboticRisk)
}

@Test("unwitnessed with head strike not known counts as a possible head injury; no head strike never triggers")
func unknownHeadStrike() {
    #expect(HeadInjuryAdvice.decide(headStrike: .unknown, witnessed: false, antithrombotic: .anticoagulant)
            == .hospitalAssessment(reason: "Unwitnessed fall, head strike not known while taking an anticoagulant."))
    #expect(HeadInjuryAdvice.decide(headStrike: .unknown, witnessed: true, antithrombotic: .anticoagulant).needsHospital)
    #expect(HeadInjuryAdvice.decide(headStrike: .no, witnessed: false, antithrombotic: .anticoagulant) == .notApplicable)
}

@Test("a possible head injury with medicines not known asks staff to find out")
func medicinesNotKnown() {
    #expect(HeadInjuryAdvice.decide(headStrike: .yes, witnessed: true, antithrombotic: nil) == .findOutMedicines)
    #expect(HeadInjuryAdvice.decide(headStrike: .yes, witnessed: true, antithrombotic: .unknown) == .findOutMedicines)
}

@Test("the medicines list's antithrombotic status maps onto the form's answers")
func statusMapping() {
    #expect(AntithromboticAnswer.from(.anticoagulant(["Apixaban"])) == (.anticoagulant, ["Apixaban"]))
    #expect(AntithromboticAnswer.from(.antiplatelet(["Clopidogrel"])).answer == .antiplatelet)
    #expect(AntithromboticAnswer.from(.aspirinAlone).answer == .aspirinAlone)
    #expect(AntithromboticAnswer.from(.none).answer == .none)
}

// MARK: - Urgent Community Response (FALL-UCR-1)

private let allNo = PostFallCheck(answers: Dictionary(uniqueKeysWithValues: PostFallQuestion.allCases.map { ($0, false) }))

@Test("the 2-hour community response is offered only when nothing serious is found")
func ucrOffer() {
    #expect(UrgentResponseAdvice.decide(check: allNo, headStrike: .no, harm: nil) == .offerUCR)
    #expect(UrgentResponseAdvice.decide(check: allNo, headStrike: .no, harm: .low) == .offerUCR)
    #expect(UrgentResponseAdvice.decide(check: allNo, headStrike: .no, harm: .moderate) != .offerUCR)
    #expect(UrgentResponseAdvice.decide(check: allNo, headStrike: .yes, harm: nil) != .offerUCR)
    #expect(UrgentResponseAdvice.decide(check: allNo, headStrike: .unknown, harm: nil) != .offerUCR)
    var lossOfConsciousness = allNo
    lossOfConsciousness.answers[.lossOfConsciousness] = true
    #expect(UrgentResponseAdvice.decide(check: lossOfConsciousness, headStrike: .no, harm: nil) != .offerUCR)
    #expect(UrgentResponseAdvice.decide(check: nil, headStrike: .no, harm: nil) == .checkFirst)
}

// MARK: - Follow-up checks (FALL-CHECKS-1)

@Test("skin checks fall due at 24 and 48 hours; observations only after a possible head strike")
func checkSchedule() {
    let noHead = FollowUpSchedule.checks(fellAt: t0, foundAt: nil, headStrike: .no)
    #expect(noHead.map(\.key) == ["skin-24h", "skin-48h"])
    #expect(noHead[0].dueAt == t0.addingTimeInterval(24 * 3600))
    #expect(noHead[1].dueAt == t0.addingTimeInterval(48 * 3600))
    let head = FollowUpSchedule.checks(fellAt: t0, foundAt: minutes(90), headStrike: .unknown)
    let obs = head.filter { $0.kind == .observations }
    #expect(obs.count == 17)
    #expect(obs.first?.dueAt == minutes(120))          // 30 minutes after being found
    #expect(obs.last?.dueAt == minutes(90 + 1440))     // 24 hours after being found
    #expect(obs.first?.label == "Head injury observations at 30 minutes")
}

@Test("a skin check shows due now from 4 hours before to 4 hours after, then overdue")
func skinCheckWindow() {
    let due = t0
    func state(_ offsetHours: Double) -> CheckState {
        CheckState.of(kind: .skin, dueAt: due, doneAt: nil, now: due.addingTimeInterval(offsetHours * 3600))
    }
    #expect(state(-4.01) == .upcoming)
    #expect(state(-4) == .dueNow)
    #expect(state(4) == .dueNow)
    #expect(state(4.01) == .overdue)
    #expect(CheckState.of(kind: .skin, dueAt: due, doneAt: due, now: due.addingTimeInterval(99 * 3600)) == .done)
}

@Test("an observation check is overdue 15 minutes after its time")
func observationWindow() {
    #expect(CheckState.of(kind: .observations, dueAt: t0, doneAt: nil, now: minutes(-11)) == .upcoming)
    #expect(CheckState.of(kind: .observations, dueAt: t0, doneAt: nil, now: minutes(-10)) == .dueNow)
    #expect(CheckState.of(kind: .observations, dueAt: t0, doneAt: nil, now: minutes(15)) == .dueNow)
    #expect(CheckState.of(kind: .observations, dueAt: t0, doneAt: nil, now: minutes(15.5)) == .overdue)
}

// MARK: - NG249 assessment

@Test("every problem found in the falls assessment needs an action")
func assessmentNeedsActions() {
    var fields = [String: [String]]()
    for component in AssessmentComponent.allCases { fields["\(component.rawValue)-problem"] = ["no"] }
    fields["vision-problem"] = ["yes"]
    fields["vision-finding"] = ["Glasses scratched"]
    var errors = FormErrors()
    _ = AssessmentValidation.findings(from: FormData(fields: fields), errors: &errors)
    #expect(errors["vision-action"] != nil)
    fields["vision-action"] = ["Optician visit booked"]
    var ok = FormErrors()
    let findings = AssessmentValidation.findings(from: FormData(fields: fields), errors: &ok)
    #expect(ok.isEmpty)
    #expect(findings.count == 10)
    fields["continence-problem"] = nil
    var missing = FormErrors()
    _ = AssessmentValidation.findings(from: FormData(fields: fields), errors: &missing)
    #expect(missing["continence-problem"] != nil)
}
