import Testing
import CareKit
import CareServices
import Foundation
@testable import HomeRoundPlugin

// Round on Thursday 26 Nov 2026; the last round was Thursday 19 Nov 2026, closed at 12:00.
let lastClosed = HomeTime.parse("2026-11-19T12:00")
let window = AgendaWindow(roundDay: day("2026-11-26"), asOf: day("2026-11-26"), lastRoundDay: day("2026-11-19"),
                          lastRoundClosedAt: lastClosed, reviewedAtLastRound: [7])

@Test("a fall after the last round closed puts the resident on the agenda; one before it does not")
func fallSinceLastRound() {
    let before = ResidentSignalInput(resident: resident(1), falls: [fall(1, resident: 1, at: "2026-11-19T11:30")])
    #expect(AgendaSignals.reasons(before, window: window).isEmpty)
    let after = ResidentSignalInput(resident: resident(1), falls: [fall(2, resident: 1, at: "2026-11-19T12:00")])
    let reasons = AgendaSignals.reasons(after, window: window)
    #expect(reasons.map(\.signal) == [.fall])
    #expect(reasons.first?.detail.contains("19 Nov 2026 12:00") == true)
}

@Test("a fall with an injury or a head strike counts as a fall with harm, scored higher than a plain fall")
func fallWithHarm() {
    let hurt = ResidentSignalInput(resident: resident(1), falls: [fall(1, resident: 1, at: "2026-11-20T09:00", injured: true)])
    let headStrike = ResidentSignalInput(resident: resident(1), falls: [fall(1, resident: 1, at: "2026-11-20T09:00", headStrike: true)])
    let unknownHead = ResidentSignalInput(resident: resident(1), falls: [fall(1, resident: 1, at: "2026-11-20T09:00", headStrike: nil)])
    #expect(AgendaSignals.reasons(hurt, window: window).map(\.signal) == [.fallWithHarm])
    #expect(AgendaSignals.reasons(headStrike, window: window).map(\.signal) == [.fallWithHarm])
    #expect(AgendaSignals.reasons(unknownHead, window: window).map(\.signal) == [.fall])
    #expect(AgendaSignal.fallWithHarm.weight > AgendaSignal.fall.weight)
}

@Test("with no earlier round, falls and returns from hospital count from 7 days before the round day")
func lookbackWithoutRound() {
    let firstRound = AgendaWindow(roundDay: day("2026-11-26"), asOf: day("2026-11-26"))
    let old = ResidentSignalInput(resident: resident(1), movements: [ResidentMovement(kind: .returnedFromHospital, on: day("2026-11-18"))],
                                  falls: [fall(1, resident: 1, at: "2026-11-18T23:59")])
    #expect(AgendaSignals.reasons(old, window: firstRound).isEmpty)
    let recent = ResidentSignalInput(resident: resident(1), movements: [ResidentMovement(kind: .returnedFromHospital, on: day("2026-11-19"))],
                                     falls: [fall(1, resident: 1, at: "2026-11-19T00:00")])
    #expect(Set(AgendaSignals.reasons(recent, window: firstRound).map(\.signal)) == [.backFromHospital, .fall])
}

@Test("a return from hospital on the last round's day counts unless the resident was reviewed at that round")
func hospitalReturnOnRoundDay() {
    let moves = [ResidentMovement(kind: .returnedFromHospital, on: day("2026-11-19"))]
    let notReviewed = ResidentSignalInput(resident: resident(3), movements: moves)
    #expect(AgendaSignals.reasons(notReviewed, window: window).map(\.signal) == [.backFromHospital])
    let reviewed = ResidentSignalInput(resident: resident(7), movements: moves)
    #expect(AgendaSignals.reasons(reviewed, window: window).isEmpty)
    let later = ResidentSignalInput(resident: resident(7), movements: [ResidentMovement(kind: .returnedFromHospital, on: day("2026-11-20"))])
    #expect(AgendaSignals.reasons(later, window: window).map(\.signal) == [.backFromHospital])
}

@Test("an admission is on the agenda up to its 7th working day; after that only if EHCH items are still open")
func admissionWindowBoundary() {
    // Admitted Tue 17 Nov 2026: the 7th working day after is Thu 26 Nov 2026.
    func clock(open: Bool) -> AdmissionClock {
        let state: ClockItemState = open ? .due(workingDaysLeft: 0) : .doneOnTime(day("2026-11-20"))
        return AdmissionClock(residentID: 1, startedOn: day("2026-11-17"), isReadmission: false, deadline: day("2026-11-26"),
                              assessment: state, carePlan: state, medicationReviewFlag: state)
    }
    let onDeadline = AgendaWindow(roundDay: day("2026-11-26"), asOf: day("2026-11-26"), lastRoundDay: day("2026-11-19"))
    #expect(AgendaSignals.reasons(ResidentSignalInput(resident: resident(1), clock: clock(open: false)), window: onDeadline).map(\.signal) == [.admissionWindow])
    let dayAfter = AgendaWindow(roundDay: day("2026-11-27"), asOf: day("2026-11-27"), lastRoundDay: day("2026-11-19"))
    #expect(AgendaSignals.reasons(ResidentSignalInput(resident: resident(1), clock: clock(open: false)), window: dayAfter).isEmpty)
    #expect(AgendaSignals.reasons(ResidentSignalInput(resident: resident(1), clock: clock(open: true)), window: dayAfter).map(\.signal) == [.admissionItemsOverdue])
    // 28 days after admission the open items still count; 29 days after, they are left to the registry's list.
    let day28 = AgendaWindow(roundDay: day("2026-12-15"), asOf: day("2026-12-15"), lastRoundDay: day("2026-12-10"))
    #expect(AgendaSignals.reasons(ResidentSignalInput(resident: resident(1), clock: clock(open: true)), window: day28).map(\.signal) == [.admissionItemsOverdue])
    let day29 = AgendaWindow(roundDay: day("2026-12-16"), asOf: day("2026-12-16"), lastRoundDay: day("2026-12-10"))
    #expect(AgendaSignals.reasons(ResidentSignalInput(resident: resident(1), clock: clock(open: true)), window: day29).isEmpty)
}

@Test("high medication prompts, and the prompts CLINICAL.md names as agenda signals, put a resident on the agenda; others do not")
func medicationPromptsForTheRound() {
    let moderate = ResidentPrompt(residentID: 1, ruleID: "MR-POLY-6", title: "Six or more medicines", reason: "", severity: .moderate)
    let high = ResidentPrompt(residentID: 1, ruleID: "MR-POLY-10", title: "Ten or more medicines", reason: "", severity: .high)
    let annual = ResidentPrompt(residentID: 1, ruleID: "MR-SMR-12M", title: "Structured medication review more than 12 months ago",
                                reason: "", severity: .moderate, forRound: true)
    #expect(AgendaSignals.reasons(ResidentSignalInput(resident: resident(1), prompts: [moderate]), window: window).isEmpty)
    let reasons = AgendaSignals.reasons(ResidentSignalInput(resident: resident(1), prompts: [moderate, high]), window: window)
    #expect(reasons.map(\.signal) == [.medicationPrompt])
    // Plain words: no rule id in what staff read.
    #expect(reasons.first?.detail == "Ten or more medicines (high)")
    let overdue = AgendaSignals.reasons(ResidentSignalInput(resident: resident(1), prompts: [moderate, annual]), window: window)
    #expect(overdue.map(\.signal) == [.medicationPrompt])
    #expect(overdue.first?.detail == "Structured medication review more than 12 months ago")
}

@Test("a fall that happened before the last round closed but was recorded after it reaches this agenda; one recorded before it does not")
func fallRecordedLate() {
    func late(recorded: String) -> FallSummary {
        var summary = fall(5, resident: 1, at: "2026-11-19T08:00")
        summary.recordedAt = HomeTime.parse(recorded)
        return summary
    }
    let afterClose = AgendaSignals.reasons(ResidentSignalInput(resident: resident(1), falls: [late(recorded: "2026-11-19T12:00")]), window: window)
    #expect(afterClose.map(\.signal) == [.fall])
    #expect(afterClose.first?.detail.contains("recorded late") == true)
    let beforeClose = AgendaSignals.reasons(ResidentSignalInput(resident: resident(1), falls: [late(recorded: "2026-11-19T11:59")]), window: window)
    #expect(beforeClose.isEmpty)
}

@Test("a resident on the last round's agenda who was not reviewed is carried, with what they were on it for; a reviewed one is not")
func notReviewedIsCarried() {
    var carried = window
    carried.notReviewedAtLastRound = [4: ["Fall since the last round: 18 Nov 2026 21:10", "On the last round's agenda but not reviewed: Not reviewed at the round of Thu 12 Nov 2026"]]
    let reasons = AgendaSignals.reasons(ResidentSignalInput(resident: resident(4)), window: carried)
    #expect(reasons.map(\.signal) == [.notReviewedLastRound])
    let detail = reasons.first?.detail ?? ""
    #expect(detail.contains("Not reviewed at the round of Thu 19 Nov 2026"))
    #expect(detail.contains("Fall since the last round: 18 Nov 2026 21:10"))
    // The carried line of the round before is not repeated inside this one.
    #expect(!detail.contains("12 Nov"))
    #expect(AgendaSignals.reasons(ResidentSignalInput(resident: resident(5)), window: carried).isEmpty)
}

@Test("an action from an earlier round is a reason once it is past its due date, not on it")
func overdueActionBoundary() {
    let dueToday = ResidentSignalInput(resident: resident(1), openActions: [("Bloods", day("2026-11-26"))])
    #expect(AgendaSignals.reasons(dueToday, window: window).isEmpty)
    let overdue = ResidentSignalInput(resident: resident(1), openActions: [("Bloods", day("2026-11-25"))])
    #expect(AgendaSignals.reasons(overdue, window: window).map(\.signal) == [.overdueAction])
}

@Test("no advance care plan is a reason, quiet for 90 days after a round discussed it")
func advanceCarePlan() {
    let none = ResidentSignalInput(resident: resident(1, acp: false))
    #expect(AgendaSignals.reasons(none, window: window).map(\.signal) == [.noAdvanceCarePlan])
    var discussed = none
    discussed.advanceCarePlanDiscussedOn = day("2026-11-26").adding(days: -89)
    #expect(AgendaSignals.reasons(discussed, window: window).isEmpty)
    discussed.advanceCarePlanDiscussedOn = day("2026-11-26").adding(days: -90)
    #expect(AgendaSignals.reasons(discussed, window: window).map(\.signal) == [.noAdvanceCarePlan])
}

@Test("staff concerns and a manual addition show the reason staff gave")
func staffReasons() {
    let input = ResidentSignalInput(resident: resident(1), concerns: [PendingConcern(reason: "Eating less this week", raisedBy: "Sam Reid", raisedOn: day("2026-11-24"))],
                                    addedBecause: "Daughter asked for a review")
    let reasons = AgendaSignals.reasons(input, window: window)
    #expect(reasons.map(\.signal) == [.staffConcern, .addedByStaff])
    #expect(reasons[0].detail.contains("Eating less this week"))
    #expect(reasons[1].detail == "Daughter asked for a review")
}

@Test("the score adds each kind of reason once, counts only the heaviest of a group, and adds 5 per extra fall up to 15")
func scoring() {
    #expect(AgendaRules.score([AgendaReason(.fall, detail: "")]) == 30)
    #expect(AgendaRules.score([AgendaReason(.fall, detail: "", count: 2)]) == 35)
    #expect(AgendaRules.score([AgendaReason(.fall, detail: "", count: 4)]) == 45)
    #expect(AgendaRules.score([AgendaReason(.fall, detail: "", count: 9)]) == 45)
    #expect(AgendaRules.score([AgendaReason(.admissionWindow, detail: ""), AgendaReason(.admissionItemsOverdue, detail: "")]) == 60)
    #expect(AgendaRules.score([AgendaReason(.backFromHospital, detail: ""), AgendaReason(.noAdvanceCarePlan, detail: "")]) == 50)
}

@Test("the agenda puts the most urgent first and explains ties: heaviest reason, longest wait, room")
func ordering() {
    let candidates = [
        AgendaCandidate(residentID: 1, label: "A", room: "12", reasons: [AgendaReason(.noAdvanceCarePlan, detail: "")]),
        AgendaCandidate(residentID: 2, label: "B", room: "3", reasons: [AgendaReason(.backFromHospital, detail: "", since: day("2026-11-20"))]),
        // Same score as 2 (40) but from two lighter reasons: comes after.
        AgendaCandidate(residentID: 3, label: "C", room: "1", reasons: [AgendaReason(.fall, detail: "", since: day("2026-11-21")), AgendaReason(.noAdvanceCarePlan, detail: "")]),
        // Same as 2 but waited longer: comes before 2.
        AgendaCandidate(residentID: 4, label: "D", room: "20", reasons: [AgendaReason(.backFromHospital, detail: "", since: day("2026-11-19"))]),
        AgendaCandidate(residentID: 5, label: "E", room: "2", reasons: [AgendaReason(.admissionWindow, detail: "")]),
        AgendaCandidate(residentID: 6, label: "F", room: "4", reasons: []),
        // In hospital: last, whatever the score.
        AgendaCandidate(residentID: 7, label: "G", room: "5", present: false, reasons: [AgendaReason(.admissionItemsOverdue, detail: "")]),
        // Same as 1, lower room number: comes before 1.
        AgendaCandidate(residentID: 8, label: "H", room: "2", reasons: [AgendaReason(.noAdvanceCarePlan, detail: "")]),
    ]
    let agenda = AgendaRules.order(candidates)
    #expect(agenda.map(\.candidate.residentID) == [5, 4, 2, 3, 8, 1, 7])
    #expect(agenda.map(\.position) == Array(1...7))
    #expect(agenda.first?.score == 50)
    #expect(agenda[3].candidate.reasons.first?.signal == .fall)
}

@Test("the written explanation names every reason with its weight")
func explanationListsWeights() {
    for signal in AgendaSignal.allCases {
        #expect(AgendaRules.explanation.contains("\(AgendaRules.sentenceCase(signal.title)) \(signal.weight)"))
        #expect(!signal.source.isEmpty && !signal.reason.isEmpty)
    }
}

@Test("rooms sort as staff walk them: 2 before 12")
func roomOrder() {
    #expect(AgendaRules.roomOrder("2", "12"))
    #expect(!AgendaRules.roomOrder("12", "2"))
    #expect(AgendaRules.roomOrder("2A", "2B"))
}

@Test("a reason frozen with a rule id by an earlier version reaches the GP record in plain words")
func gpSummaryDropsRuleIDs() {
    #expect(GPSummary.withoutRuleIDs("High medication review prompt: Ten or more regular medicines (MR-POLY-10)")
            == "High medication review prompt: Ten or more regular medicines")
    #expect(GPSummary.withoutRuleIDs("Fall since the last round: lounge (witnessed)") == "Fall since the last round: lounge (witnessed)")
}
