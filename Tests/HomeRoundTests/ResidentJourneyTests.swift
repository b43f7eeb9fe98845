import Testing
import CareKit
import CareServices
import CareTesting
import Foundation
import ResidentsPlugin
import FallsLogPlugin
import MedicationReviewPlugin
@testable import HomeRoundPlugin

/// The real plugins, seeded as `carehome demo` seeds them, with every plugin on the test's clock
/// (movements are refused in the registry's future).
private func journeyHome(clock: TestClock) throws -> TestHome {
    let home = try TestHome(plugins: [ResidentsPlugin(today: { HomeTime.today(clock.now) }), FallsLogPlugin(), MedicationReviewPlugin(),
                                      HomeRoundPlugin(now: { clock.now })])
    try home.seedDemoData(today: day("2026-11-23"))
    return home
}

/// A demo resident living in the home, the open round, and a concern and an action of the test's own
/// for that resident (raised by a carer from the resident's page, agreed by the GP on the round).
private struct Journey {
    let home: TestHome
    let resident: ResidentSummary
    let round: Round
    let actionID: Int64
    static let concern = "Coughing when drinking tea"
    static let action = "Speech and language therapy referral for swallowing"

    init(clock: TestClock) throws {
        home = try journeyHome(clock: clock)
        let context = try #require(home.context(of: "home-round"))
        let directory = try #require(context.services.resolve(Services.residentDirectory))
        let store = RoundStore(database: context.database)
        resident = try #require(try directory.currentResidents().first { $0.status == .livingHere })
        round = try #require(try store.openRound())
        let raised = try home.post("/rounds/concerns", as: .carer, form: ["resident_id": String(resident.id), "reason": Journey.concern])
        #expect(raised.status == 303)
        let before = try store.actions(resident: resident.id).map(\.id)
        let added = try home.post("/rounds/\(round.id)/residents/\(resident.id)/actions", as: .clinician,
                                  form: ["description": Journey.action, "owner": "Test Nurse", "owner_team": "nurse", "due": "2026-11-30"])
        #expect(added.status == 303, "action not added: \(added.body.prefix(300))")
        actionID = try #require(try store.actions(resident: resident.id).map(\.id).first { !before.contains($0) })
    }

    func move(_ kind: String, on isoDay: String, place: String? = nil) throws {
        var form = ["kind": kind, "on_day": isoDay]
        if let place { form["place"] = place }
        let moved = try home.post("/residents/\(resident.id)/movements", as: .nurse, form: form)
        #expect(moved.status == 303, "movement not recorded: \(moved.body.prefix(300))")
    }
}

@Test("when a resident dies, their open round actions and concerns are closed by the system with the reason, kept in their history, and gone from the lists")
func deathClosesOpenItems() throws {
    let clock = TestClock("2026-11-23T10:00")
    let j = try Journey(clock: clock)
    #expect(try j.home.get("/rounds/actions?show=open", as: .nurse).body.contains(Journey.action))
    #expect(try j.home.get(j.round.path, as: .clinician).body.contains(Journey.concern))
    #expect(try j.home.get("/", as: .nurse).body.contains(Journey.action), "the owner's dashboard card lists it")

    try j.move("died", on: "2026-11-23", place: "here")

    // The lists a nurse and the GP work from no longer carry them.
    #expect(!(try j.home.get("/rounds/actions?show=open", as: .nurse).body.contains(Journey.action)))
    #expect(!(try j.home.get("/rounds/actions?show=mine", as: .nurse).body.contains(Journey.action)))
    #expect(!(try j.home.get("/", as: .nurse).body.contains(Journey.action)), "the dashboard card no longer lists it")
    #expect(!(try j.home.get(j.round.path, as: .clinician).body.contains(Journey.concern)))
    // The action itself says why, and who closed it; it cannot be marked done now.
    let page = try j.home.get("/rounds/actions/\(j.actionID)", as: .nurse)
    #expect(page.body.contains("Closed because"))
    #expect(page.body.contains("Resident died on Mon 23 Nov 2026"))
    #expect(page.body.contains("Closed by</dt><dd>System, "))
    #expect(!page.body.contains("Mark done"))
    #expect(try j.home.post("/rounds/actions/\(j.actionID)/done", as: .nurse, form: ["note": "done"]).status == 409)
    let done = try j.home.get("/rounds/actions?show=done", as: .nurse).body
    #expect(done.contains(Journey.action) && done.contains("Closed: Resident died on Mon 23 Nov 2026 by System"))
    // Kept in the resident's history, not deleted.
    let residentPage = try j.home.get("/residents/\(j.resident.id)", as: .nurse).body
    #expect(residentPage.contains("Closed when they left the home or died"))
    #expect(residentPage.contains("Concern \"\(Journey.concern)\""))
    #expect(residentPage.contains("Resident died on Mon 23 Nov 2026"))
    #expect(!residentPage.contains("Add to the next round: what is the concern?"), "no form to add someone who has died to a round")
    let store = RoundStore(database: try #require(j.home.context(of: "home-round")).database)
    #expect(try store.actions(resident: j.resident.id).contains { $0.id == j.actionID }, "kept, not deleted")
}

@Test("when a resident leaves, their open actions close with 'Resident left the home'; if they come back for a new stay the old concern is not on the agenda")
func leavingClosesOpenItemsAndANewStayStartsClean() throws {
    let clock = TestClock("2026-11-23T10:00")
    let j = try Journey(clock: clock)
    try j.move("left", on: "2026-11-23")
    let page = try j.home.get("/rounds/actions/\(j.actionID)", as: .clinician)
    #expect(page.body.contains("Resident left the home on Mon 23 Nov 2026"))
    #expect(!(try j.home.get("/rounds/actions?show=overdue", as: .clinician).body.contains(Journey.action)))

    clock.set("2026-11-24T09:00")
    try j.move("admitted", on: "2026-11-24")
    let agenda = try j.home.get(j.round.path, as: .clinician).body
    #expect(agenda.contains(j.resident.label), "back on the agenda for the new admission")
    #expect(!agenda.contains(Journey.concern), "the old stay's concern is not a reason now")
    #expect(!(try j.home.get("/rounds/actions?show=open", as: .clinician).body.contains(Journey.action)))
}

@Test("going to hospital closes nothing: the action stays open, and the lists show the resident is in hospital")
func hospitalKeepsItemsOpenAndSaysSo() throws {
    let clock = TestClock("2026-11-23T10:00")
    let j = try Journey(clock: clock)
    func openRow() throws -> String {
        let body = try j.home.get("/rounds/actions?show=open", as: .nurse).body
        guard let at = body.range(of: Journey.action) else { return "" }
        let start = body[..<at.lowerBound].range(of: "<tr", options: .backwards)?.lowerBound ?? at.lowerBound
        return String(body[start..<at.lowerBound])
    }
    #expect(try openRow().contains(j.resident.label))
    #expect(!(try openRow().contains("In hospital")))

    try j.move("went-to-hospital", on: "2026-11-23")

    #expect(try openRow().contains("In hospital"), "the open-actions list says the resident is in hospital")
    #expect(try j.home.get("/rounds/actions/\(j.actionID)", as: .nurse).body.contains("Mark done"))
    let agenda = try j.home.get(j.round.path, as: .clinician).body
    #expect(agenda.contains(Journey.concern), "the concern waits for their return")
    #expect(agenda.contains("In hospital"))

    try j.move("returned-from-hospital", on: "2026-11-23")
    #expect(!(try openRow().contains("In hospital")))
}

@Test("the assessment and SMR flag ticked at the round go on the resident's 7-day clock, as done that day, by whom and from where; ticking again adds nothing")
func roundTicksRecordOnTheClock() throws {
    let clock = TestClock("2026-11-23T10:00")
    let home = try journeyHome(clock: clock)
    let context = try #require(home.context(of: "home-round"))
    let directory = try #require(context.services.resolve(Services.residentDirectory))
    let today = day("2026-11-23")
    let round = try #require(try RoundStore(database: context.database).openRound())
    // A resident whose clock has the assessment and the SMR flag still to do, admitted before the round.
    let resident = try #require(try directory.currentResidents().first { resident in
        guard resident.status == .livingHere, let c = try directory.admissionClock(residentID: resident.id, today: today) else { return false }
        return c.assessment.isOpen && c.medicationReviewFlag.isOpen && c.startedOn <= round.day
    }, "the demo has a resident with an open clock")
    let form = ["version": "0", "outcome": "reviewed", "findings": "Settling in; eating well", "assessment_done": "on", "smr_flagged": "on"]
    let saved = try home.post("/rounds/\(round.id)/residents/\(resident.id)", as: .clinician, form: form)
    #expect(saved.status == 303, "entry not saved: \(saved.body.prefix(500))")

    let after = try #require(try directory.admissionClock(residentID: resident.id, today: today))
    #expect(!after.assessment.isOpen, "the assessment ticked at the round is done on the clock")
    #expect(!after.medicationReviewFlag.isOpen)
    #expect(after.carePlan.isOpen, "the care plan was not ticked")
    let page = try home.get("/residents/\(resident.id)/clock", as: .nurse)
    #expect(page.body.contains("Ticked at the home round of \(round.day.display)"), "the clock says where it came from")

    // Saving the entry again with the same ticks records nothing more.
    let entries = page.body.components(separatedBy: "Ticked at the home round").count
    let again = try home.post("/rounds/\(round.id)/residents/\(resident.id)", as: .clinician, form: form.merging(["version": "1"]) { _, new in new })
    #expect(again.status == 303)
    #expect(try home.get("/residents/\(resident.id)/clock", as: .nurse).body.components(separatedBy: "Ticked at the home round").count == entries)
}

@Test("the round figures for a period, worked by hand from the demo's story: rounds held of those due, residents reviewed, actions done by their due day")
func roundFiguresForAPeriod() throws {
    // Demo today: Monday 23 Nov 2026, round day Wednesday. Closed rounds on 28 Oct, 11 Nov and 18 Nov; none on
    // 4 Nov; this week's (25 Nov) open and not yet due.
    let clock = TestClock("2026-11-23T10:00")
    let home = try journeyHome(clock: clock)
    let context = try #require(home.context(of: "home-round"))
    let figures = try #require(context.services.resolve(Services.roundFigures))
    let november = try figures.roundFigures(from: day("2026-11-01"), through: day("2026-11-30"), today: day("2026-11-23"))
    #expect(november.weeksDue == 3, "4, 11 and 18 Nov; 25 Nov is still to come")
    #expect(november.roundsHeld == 2)
    #expect(november.residentsReviewed == 5, "2 on 11 Nov (one not seen), 3 on 18 Nov")
    // Due 2 Nov (done 31 Oct), 14 Nov (done 16th: late), 15 Nov (done 13th), 16 and 18 Nov (not done),
    // 19 Nov (done 19th), 21 Nov (done 21st); 25 Nov onwards not yet due.
    #expect(november.actionsDue == 7)
    #expect(november.actionsDoneOnTime == 4)
    // October: only the 28 Oct round; its one action falls due in November.
    let october = try figures.roundFigures(from: day("2026-10-01"), through: day("2026-10-31"), today: day("2026-11-23"))
    #expect(october.roundsHeld == 1)
    #expect(october.actionsDue == 0)
}
