import Testing
import CareKit
import CareServices
import CareTesting
import Foundation
@testable import HomeRoundPlugin

/// Monday 23 Nov 2026, 10:00; the home's round day is Thursday (26 Nov).
struct RoundHome {
    let clock = TestClock("2026-11-23T10:00")
    let home: TestHome

    init(falls: [FallSummary]? = [], prompts: [ResidentPrompt]? = [], residents: [RegistryResident]? = nil) throws {
        let people = residents ?? [
            RegistryResident(summary: person(1, "Ada", room: "1")),
            RegistryResident(summary: person(2, "Bert", room: "2", admitted: "2026-11-20", readmission: true),
                             movements: [ResidentMovement(kind: .admitted, on: day("2025-01-06")), ResidentMovement(kind: .wentToHospital, on: day("2026-11-10")),
                                         ResidentMovement(kind: .returnedFromHospital, on: day("2026-11-20"))]),
            RegistryResident(summary: person(3, "Cora", room: "3", acp: false)),
            RegistryResident(summary: person(4, "Dot", room: "4")),
        ]
        var plugins: [any CarePlugin] = [RegistryDouble(people)]
        if let falls { plugins.append(FallsDouble(falls)) }
        if let prompts { plugins.append(PromptsDouble(prompts)) }
        let clock = self.clock
        plugins.append(HomeRoundPlugin(now: { clock.now }))
        home = try TestHome(plugins: plugins)
    }

    /// Opens this week's round (Thursday 26 Nov) as the nurse; returns its path.
    func openRound(_ dayText: String = "2026-11-26") throws -> String {
        let opened = try home.post("/rounds/new", as: .nurse, form: ["round_day": dayText])
        guard opened.status == 303, let location = opened.location else { throw CareError.badRequest("round not opened: \(opened.status) \(opened.body)") }
        return location
    }

    /// The position of each text in the body (to check order); nil when absent.
    func order(_ body: String, _ texts: [String]) -> [Int?] {
        texts.map { text in body.range(of: text).map { body.distance(from: body.startIndex, to: $0.lowerBound) } }
    }
}

@Test("a nurse opens this week's round; a second round in the same week is refused with the reason beside the date")
func openOneRoundPerWeek() throws {
    let h = try RoundHome()
    #expect(try h.openRound() == "/rounds/1")
    let again = try h.home.post("/rounds/new", as: .manager, form: ["round_day": "2026-11-27"])
    #expect(again.status == 422)
    #expect(again.body.contains("That week already has a round (Thu 26 Nov 2026)"))
    #expect(again.body.contains("value=\"2026-11-27\""))
    let form = try h.home.get("/rounds/new", as: .nurse)
    #expect(form.body.contains("value=\"2026-12-03\""), "the next free round day is proposed")
}

@Test("clinicians cannot open a round but can run one; carers and the admin cannot see rounds")
func roles() throws {
    let h = try RoundHome()
    #expect(try h.home.post("/rounds/new", as: .clinician, form: ["round_day": "2026-11-26"]).status == 403)
    let path = try h.openRound()
    #expect(try h.home.get(path, as: .clinician).status == 200)
    #expect(try h.home.get(path, as: .carer).status == 403)
    #expect(try h.home.get(path, as: .admin).status == 403)
    #expect(try h.home.get("/rounds/actions", as: .admin).status == 403)
    #expect(try h.home.get("/rounds/actions", as: .carer).status == 200)
}

@Test("the agenda builds itself from signals, shows each reason, and puts the most urgent first")
func agendaFromSignals() throws {
    let h = try RoundHome(falls: [fall(9, resident: 1, at: "2026-11-21T03:10", injured: true)],
                          prompts: [ResidentPrompt(residentID: 4, ruleID: "MR-POLY-10", title: "Ten or more medicines", reason: "11 regular medicines", severity: .high)])
    let page = try h.home.get(try h.openRound(), as: .clinician)
    #expect(page.status == 200)
    let body = page.body
    // Bert: re-admission in window (50) + back from hospital (40); Ada: fall with injury (45); Dot: high prompt (25); Cora: no ACP (10).
    let positions = h.order(body, ["Bert Testperson (room 2)", "Ada Testperson (room 1)", "Dot Testperson (room 4)", "Cora Testperson (room 3)"])
    #expect(positions.allSatisfy { $0 != nil })
    #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
    #expect(body.contains("Back from hospital since the last round"))
    #expect(body.contains("Fall with injury or head strike since the last round"))
    #expect(body.contains("Ten or more medicines (high)"))
    #expect(body.contains("No ReSPECT form or advance care plan"))
    #expect(body.contains("How the order is worked out"))
}

@Test("signals from plugins that are not loaded are simply absent, and the page says so")
func missingPlugins() throws {
    let h = try RoundHome(falls: nil, prompts: nil)
    let body = try h.home.get(try h.openRound(), as: .nurse).body
    #expect(body.contains("The falls log is not loaded"))
    #expect(body.contains("The medication review plugin is not loaded"))
    #expect(!body.contains("/rounds/1/residents/1\""), "Ada has no signal without the falls log")
    #expect(body.contains("Bert Testperson"))
}

@Test("a fall heard through the fall-recorded event reaches the agenda even without the falls log")
func fallEventHeard() throws {
    let h = try RoundHome(falls: nil, prompts: nil)
    let path = try h.openRound()
    guard let context = h.home.context(of: "home-round") else { Issue.record("plugin not loaded"); return }
    try context.database.write { db in
        db.publishAfterCommit(.fallRecorded(residentID: 1, fallID: 77, at: HomeTime.parse("2026-11-22T22:15") ?? Date(), headStrike: nil, injured: false))
    }
    let body = try h.home.get(path, as: .nurse).body
    #expect(body.contains("Ada Testperson"))
    #expect(body.contains("Fall since the last round"))
}

@Test("a carer adds a resident to the next round from the resident's page, with a reason that shows on the agenda")
func concernFromResidentPage() throws {
    let h = try RoundHome()
    let path = try h.openRound()
    let missing = try h.home.post("/rounds/concerns", as: .carer, form: ["resident_id": "4", "reason": ""])
    #expect(missing.status == 422)
    #expect(missing.body.contains("Say why they should be seen at the next round"))
    let raised = try h.home.post("/rounds/concerns", as: .carer, form: ["resident_id": "4", "reason": "Eating less for 3 days"])
    #expect(raised.status == 303)
    #expect(raised.location == "/residents/4")
    #expect(raised.flash == "Added to the next round")
    let body = try h.home.get(path, as: .nurse).body
    #expect(body.contains("Concern raised by staff"))
    #expect(body.contains("Eating less for 3 days"))
}

@Test("staff take a resident off the round or add one, always with a reason")
func addAndRemove() throws {
    let h = try RoundHome()
    let path = try h.openRound()
    let noReason = try h.home.post(path + "/agenda", as: .nurse, form: ["change": "remove", "remove_resident": "3", "remove_reason": ""])
    #expect(noReason.status == 422)
    #expect(noReason.body.contains("Say why they will not be seen this week"))
    #expect(try h.home.post(path + "/agenda", as: .nurse, form: ["change": "remove", "remove_resident": "3", "remove_reason": "Seen by the GP at the surgery on Monday"]).status == 303)
    #expect(try h.home.post(path + "/agenda", as: .nurse, form: ["change": "add", "add_resident": "4", "add_reason": "Daughter asked for a review"]).status == 303)
    let body = try h.home.get(path, as: .nurse).body
    #expect(body.contains("Taken off this round"))
    #expect(body.contains("Seen by the GP at the surgery on Monday"))
    #expect(body.contains("Added to this round by staff"))
    #expect(body.contains("Daughter asked for a review"))
    #expect(!body.contains("/rounds/1/residents/3\""), "Cora is no longer a link on the agenda")
}

@Test("two people saving the same resident's entry: the second is told, nothing is overwritten, and both versions are kept")
func optimisticConcurrency() throws {
    let h = try RoundHome()
    let path = try h.openRound() + "/residents/2"
    let first = try h.home.post(path, as: .clinician, form: ["version": "0", "outcome": "reviewed", "findings": "Chest clear. GP version."])
    #expect(first.status == 303)
    let second = try h.home.post(path, as: .nurse, form: ["version": "0", "outcome": "reviewed", "findings": "Ankles swollen. Nurse version."])
    #expect(second.status == 409)
    #expect(second.body.contains("Test Visiting clinician saved this entry while you were editing it"))
    #expect(second.body.contains("Chest clear. GP version."))
    #expect(second.body.contains("Ankles swollen. Nurse version."))
    #expect(second.body.contains("name=\"version\" value=\"1\""), "saving again deliberately builds on the version now saved")
    let reloaded = try h.home.get(path, as: .clinician).body
    #expect(reloaded.contains(">Chest clear. GP version.</textarea>"))
    #expect(reloaded.contains("Not saved (someone saved first): kept"))
    #expect(reloaded.contains("Ankles swollen. Nurse version."), "the refused version is in the history")
    let merged = try h.home.post(path, as: .nurse, form: ["version": "1", "outcome": "reviewed", "findings": "Chest clear. Ankles swollen."])
    #expect(merged.status == 303)
    #expect(try h.home.get(path, as: .nurse).body.contains("(version 2)"))
}

@Test("an incomplete entry comes back with the message beside the field and the input kept")
func entryErrors() throws {
    let h = try RoundHome()
    let path = try h.openRound() + "/residents/2"
    let response = try h.home.post(path, as: .clinician, fields: [("version", "0"), ("outcome", "not-seen"), ("findings", "Drowsy"), ("referrals", "dietitian")])
    #expect(response.status == 422)
    #expect(response.body.contains("Say why the resident was not seen"))
    #expect(response.body.contains(">Drowsy</textarea>"))
    #expect(response.body.contains("value=\"dietitian\" checked"))
}

@Test("the one-resident screen shows why, falls, prompts, ReSPECT, the 7-day clock and the entry form")
func residentScreen() throws {
    let h = try RoundHome(falls: [fall(9, resident: 2, at: "2026-11-21T03:10", headStrike: true)],
                          prompts: [ResidentPrompt(residentID: 2, ruleID: "MR-ADMIT", title: "Medicines reconciliation after discharge", reason: "Back from hospital", severity: .high)])
    let body = try h.home.get(try h.openRound() + "/residents/2", as: .clinician).body
    #expect(body.contains("Why on the agenda"))
    #expect(body.contains("Source: NHS England, Enhanced Health in Care Homes framework v3"))
    #expect(body.contains("Head strike"))
    #expect(body.contains("Medicines reconciliation after discharge"))
    #expect(body.contains("ReSPECT (1 Mar 2025): Not for CPR. Form: Red folder"))
    #expect(body.contains("Re-admitted Fri 20 Nov 2026; deadline"))
    #expect(body.contains("EHCH items due after admission"), "the EHCH items are offered while the clock is open")
    #expect(body.contains("Speech and language therapy") && body.contains("Audiology"))
    #expect(body.contains("Next: "))
    // Owners are picked from the staff list (so an action reaches the person's own list) or a role; the
    // action's fields belong to the entry's form.
    #expect(body.contains("<select form=\"entry\" id=\"f-owner\" name=\"owner\""))
    #expect(body.contains("Test Visiting clinician (Visiting clinician)</option>"))
    #expect(body.contains("<option value=\"role:nurse\">Nurse in charge (whoever is on shift)</option>"))
}

@Test("nothing typed on the resident screen is lost: 'Add the action' saves the findings with it, 'Save' saves a typed action, and an error keeps both")
func oneScreenOneSave() throws {
    let h = try RoundHome()
    let round = try h.openRound()
    let action = ["description": "Bloods: U&E", "owner": "Test Nurse", "owner_team": "nurse", "due": "2026-11-30"]
    // Findings typed, then "Add the action" (posted to the action's address with the whole screen's fields).
    var fields = ["version": "0", "outcome": "reviewed", "findings": "Chest clear; ankles less swollen."]
    fields.merge(action) { _, new in new }
    let added = try h.home.post(round + "/residents/1/actions", as: .clinician, form: fields)
    #expect(added.status == 303)
    #expect(added.flash == "Action added and the entry saved")
    let page = try h.home.get(round + "/residents/1", as: .clinician).body
    #expect(page.contains("Chest clear; ankles less swollen."))
    #expect(page.contains("Bloods: U&amp;E"))
    // An action typed, then "Save" on the entry: both saved.
    var second = ["version": "1", "outcome": "reviewed", "findings": "Chest clear."]
    second.merge(["description": "Weigh weekly", "owner": "Test Nurse", "owner_team": "nurse", "due": "2026-12-03"]) { _, new in new }
    let saved = try h.home.post(round + "/residents/1", as: .clinician, form: second)
    #expect(saved.status == 303)
    #expect(saved.flash == "Saved, with the action")
    #expect(try h.home.get(round + "/residents/1", as: .clinician).body.contains("Weigh weekly"))
    // An action with no owner: nothing is saved, and both parts come back as typed with the reason.
    let refused = try h.home.post(round + "/residents/1/actions", as: .clinician, form: ["version": "2", "outcome": "reviewed", "findings": "New findings kept",
                                                                                       "description": "Refer to dietitian", "owner_team": "nurse", "due": "2026-12-03"])
    #expect(refused.status == 422)
    #expect(refused.body.contains("Say who will do it"))
    #expect(refused.body.contains("New findings kept"))
    #expect(refused.body.contains("value=\"Refer to dietitian\""))
}

@Test("an action given to a person from the staff list reaches their own list; one given to the nurse in charge reaches every nurse's; a disabled account's shows as unassigned")
func ownersFromTheStaffList() throws {
    let h = try RoundHome()
    let round = try h.openRound()
    let nurse = try h.home.principal(.nurse)
    _ = try h.home.principal(.carer)
    let toNurse = try h.home.post(round + "/residents/1/actions", as: .clinician, form: ["description": "Weigh weekly", "owner": "user:\(nurse.userID)", "due": "2026-11-30"])
    #expect(toNurse.status == 303)
    #expect(try h.home.post(round + "/residents/1/actions", as: .clinician, form: ["description": "Check the pressure areas", "owner": "role:nurse", "due": "2026-11-30"]).status == 303)
    let mine = try h.home.get("/rounds/actions?show=mine", as: .nurse).body
    #expect(mine.contains("Weigh weekly") && mine.contains("Check the pressure areas"))
    // Someone without an account needs a name and a team.
    let other = try h.home.post(round + "/residents/1/actions", as: .clinician, form: ["description": "Hearing test", "owner": "other", "due": "2026-11-30"])
    #expect(other.status == 422)
    #expect(other.body.contains("Type the name of the person who will do it"))
    // The nurse's account is disabled: their open action is shown as unassigned, to be given to someone else.
    try h.home.appliance.home.pool.write { db in try db.execute(sql: "UPDATE core_users SET disabled_at = ? WHERE id = ?", arguments: ["2026-11-23T10:00:00Z", nurse.userID]) }
    let list = try h.home.get("/rounds/actions?show=open", as: .manager).body
    #expect(list.contains("Unassigned"))
    #expect(list.contains("account is disabled: give it to someone else"))
}

@Test("an open action given to someone else reaches their list and leaves the old owner's; who held it before is kept; a done one cannot be given away; carers cannot")
func actionGivenToSomeoneElse() throws {
    let h = try RoundHome()
    let round = try h.openRound()
    let nurse = try h.home.principal(.nurse)
    let manager = try h.home.principal(.manager)
    #expect(try h.home.post(round + "/residents/1/actions", as: .clinician, form: ["description": "Weigh weekly", "owner": "user:\(nurse.userID)", "due": "2026-11-30"]).status == 303)
    #expect(try h.home.get("/rounds/actions?show=mine", as: .nurse).body.contains("Weigh weekly"))
    let page = try h.home.get("/rounds/actions/1", as: .manager).body
    #expect(page.contains("Give it to someone else") && page.contains("value=\"user:\(manager.userID)\""))
    let nobody = try h.home.post("/rounds/actions/1/owner", as: .manager, form: ["owner": ""])
    #expect(nobody.status == 422)
    #expect(nobody.body.contains("Say who will do it"))
    let given = try h.home.post("/rounds/actions/1/owner", as: .manager, form: ["owner": "user:\(manager.userID)"])
    #expect(given.status == 303)
    #expect(given.flash == "Action given to \(manager.displayName)")
    #expect(try h.home.get("/rounds/actions?show=mine", as: .manager).body.contains("Weigh weekly"))
    #expect(!(try h.home.get("/rounds/actions?show=mine", as: .nurse).body.contains("Weigh weekly")))
    let after = try h.home.get("/rounds/actions/1", as: .manager).body
    #expect(after.contains("From \(nurse.displayName) to \(manager.displayName), by \(manager.displayName)"))
    #expect(try h.home.post("/rounds/actions/1/owner", as: .carer, form: ["owner": "role:carer"]).status == 403)
    #expect(try h.home.post("/rounds/actions/1/done", as: .manager, form: ["return_to": "/rounds/actions"]).status == 303)
    #expect(try h.home.post("/rounds/actions/1/owner", as: .manager, form: ["owner": "role:nurse"]).status == 409)
    #expect(!(try h.home.get("/rounds/actions/1", as: .manager).body.contains("Give it to someone else")), "a done action is not given away")
}

@Test("actions need an owner and a due date not before the round; they show on the owner's dashboard and carers see the care team's")
func actionsFlow() throws {
    let h = try RoundHome()
    let path = try h.openRound() + "/residents/2"
    let bad = try h.home.post(path + "/actions", as: .clinician, form: ["description": "Bloods", "owner": "", "owner_team": "nurse", "due": "2026-11-20"])
    #expect(bad.status == 422)
    #expect(bad.body.contains("Say who will do it"))
    #expect(bad.body.contains("The due date cannot be before the round"))
    #expect(try h.home.post(path + "/actions", as: .clinician, form: ["description": "Repeat U&amp;Es", "owner": "Test Nurse", "owner_team": "nurse", "due": "2026-11-30"]).status == 303)
    #expect(try h.home.post(path + "/actions", as: .clinician, form: ["description": "Fluid chart for 3 days", "owner": "Day team", "owner_team": "carer", "due": "2026-11-29"]).status == 303)
    let nurseDashboard = try h.home.get("/", as: .nurse).body
    #expect(nurseDashboard.contains("Your actions (1)"))
    let carerList = try h.home.get("/rounds/actions", as: .carer).body
    #expect(carerList.contains("Fluid chart for 3 days"))
    #expect(!carerList.contains("Repeat U&amp;amp;Es"))
    #expect(try h.home.get("/rounds/actions/1", as: .carer).status == 403)
    // A carer marks the care team's action done.
    let done = try h.home.post("/rounds/actions/2/done", as: .carer, form: ["return_to": "/rounds/actions"])
    #expect(done.status == 303)
    #expect(try h.home.get("/rounds/actions/2", as: .carer).body.contains("<dt>Done by</dt><dd>Test Carer</dd>"))
}

@Test("an action left undone past its due date is overdue on the dashboard and puts the resident on the next round")
func overdueActionCarriesOver() throws {
    let h = try RoundHome()
    let first = try h.openRound()
    #expect(try h.home.post(first + "/residents/4/actions", as: .clinician, form: ["description": "Weigh weekly", "owner": "Test Nurse", "owner_team": "nurse", "due": "2026-11-27"]).status == 303)
    #expect(try h.home.post(first + "/attendees", as: .clinician, form: ["name": "Dr A Patel", "role": "GP", "organisation": "Riverside Surgery"]).status == 303)
    #expect(try h.home.post(first + "/close", as: .clinician, form: [:]).status == 303)
    h.clock.set("2026-11-30T09:00")
    #expect(try h.home.get("/", as: .manager).body.contains("Overdue in the home (1)"))
    let next = try h.openRound("2026-12-03")
    let agenda = try h.home.get(next, as: .nurse).body
    #expect(agenda.contains("Overdue action from an earlier round"))
    #expect(agenda.contains("Weigh weekly (due 27 Nov 2026)"))
}

@Test("closing a round needs an attendee, freezes the agenda, publishes round completed, and gives a sheet and GP summaries")
func closeRound() throws {
    let h = try RoundHome()
    let round = try h.openRound()
    #expect(try h.home.post(round + "/residents/2", as: .clinician, fields: [("version", "0"), ("outcome", "reviewed"), ("findings", "Chest clear."),
                                                                            ("referrals", "physiotherapy"), ("medicines_changed", "on"), ("medicines_notes", "Furosemide 20 mg")]).status == 303)
    let refused = try h.home.post(round + "/close", as: .clinician, form: [:])
    #expect(refused.status == 422)
    #expect(refused.body.contains("Add at least one attendee before closing the round"))
    #expect(try h.home.post(round + "/attendees", as: .clinician, form: ["name": "Dr A Patel", "role": "GP", "organisation": "Riverside Surgery"]).status == 303)
    let closed = try h.home.post(round + "/close", as: .clinician, form: [:])
    #expect(closed.status == 303)
    #expect(closed.location == round + "/sheet")
    #expect(h.home.publishedEvents.contains(.roundCompleted(roundID: 1, on: day("2026-11-26"))))
    let sheet = try h.home.get(round + "/sheet", as: .nurse).body
    #expect(sheet.contains("Chest clear."))
    #expect(sheet.contains("Dr A Patel (GP, Riverside Surgery)"))
    #expect(sheet.contains("Not discussed"), "agenda residents without an outcome are shown as not discussed")
    let text = try h.home.get(round + "/residents/2/summary.txt", as: .clinician)
    #expect(text.status == 200)
    #expect(text.header("Content-Type")?.hasPrefix("text/plain") == true)
    #expect(text.header("Content-Disposition")?.contains("attachment") == true)
    #expect(text.body.contains("Resident: Bert Testperson, born 4 May 1938, NHS number 943 476 5919"))
    #expect(text.body.contains("Referrals: Physiotherapy"))
    #expect(text.body.contains("Medicines changed: yes, Furosemide 20 mg"))
    let page = try h.home.get(round + "/residents/2/summary", as: .clinician).body
    #expect(page.contains("readonly"))
    // The agenda can no longer change.
    #expect(try h.home.post(round + "/agenda", as: .nurse, form: ["change": "add", "add_resident": "4", "add_reason": "x"]).status == 409)
}

@Test("a resident on a closed round's agenda who was not reviewed is on the next round's agenda with the reason carried; a reviewed one is not")
func unreviewedResidentCarriedToNextRound() throws {
    let h = try RoundHome(falls: [fall(9, resident: 1, at: "2026-11-21T03:10", injured: true)])
    let round = try h.openRound()
    // Bert (2) is reviewed; Ada (1, fell) is on the agenda but not seen before the round closes.
    #expect(try h.home.post(round + "/residents/2", as: .clinician, form: ["version": "0", "outcome": "reviewed", "findings": "Well"]).status == 303)
    #expect(try h.home.post(round + "/attendees", as: .clinician, form: ["name": "Dr A Patel", "role": "GP", "organisation": "Riverside Surgery"]).status == 303)
    #expect(try h.home.post(round + "/close", as: .clinician, form: [:]).status == 303)
    h.clock.set("2026-11-30T09:00")
    let agenda = try h.home.get(try h.openRound("2026-12-03"), as: .nurse).body
    #expect(agenda.contains("On the last round&#39;s agenda but not reviewed") || agenda.contains("On the last round's agenda but not reviewed"))
    #expect(agenda.contains("Not reviewed at the round of Thu 26 Nov 2026"))
    #expect(agenda.contains("Fall with injury or head strike since the last round"))
    #expect(agenda.contains("Ada Testperson (room 1)"))
}

@Test("figures show whether each week's round was held and residents reviewed")
func figures() throws {
    let h = try RoundHome()
    let round = try h.openRound()
    _ = try h.home.post(round + "/residents/2", as: .clinician, form: ["version": "0", "outcome": "reviewed", "findings": "Well"])
    _ = try h.home.post(round + "/attendees", as: .clinician, form: ["name": "Dr A Patel", "role": "GP", "organisation": "Riverside Surgery"])
    _ = try h.home.post(round + "/close", as: .clinician, form: [:])
    h.clock.set("2026-11-27T09:00")
    let body = try h.home.get("/rounds/figures", as: .manager).body
    #expect(body.contains("1 of 12 weeks due"))
    #expect(body.contains("1.0 on average"))
}
