import CareKit
import CareServices
import Foundation

/// Fictional rounds for `carehome demo`, relative to `today`: closed rounds four, two and one week
/// ago (the week before last has none, so the figures show a missed week), with findings and
/// actions (some done on time, one late, some overdue), and this week's round open with an agenda,
/// staff concerns and a resident added by a nurse.
struct DemoRounds {
    let context: PluginContext
    let today: Day
    let now: @Sendable () -> Date

    // The demo accounts' names (see the `carehome demo` command), so that actions show on their dashboards.
    static let gp = Principal(userID: 0, username: "gp", displayName: "Dr Gareth Price (GP)", role: .clinician)
    static let pharmacist = Principal(userID: 0, username: "pharmacist", displayName: "Priya Pharmacist", role: .clinician)
    static let nurse = Principal(userID: 0, username: "nurse", displayName: "Niamh Nurse", role: .nurse)
    static let manager = Principal(userID: 0, username: "manager", displayName: "Margaret Manager", role: .manager)
    static let carer = Principal(userID: 0, username: "carer", displayName: "Amira Carer", role: .carer)

    func at(_ day: Day, _ time: String) -> Date { HomeTime.combine(day, time: time) ?? HomeTime.startOf(day) }

    func seed() throws {
        let store = RoundStore(database: context.database)
        guard let directory = context.services.resolve(Services.residentDirectory) else { return }
        let residents = try directory.currentResidents().filter { $0.status == .livingHere }
        guard residents.count >= 3 else {
            context.log.info("home-round.demo-skipped", ["residents.count": String(residents.count)])
            return
        }
        let roundDay = (try? context.services.resolve(Services.homeProfile)?.profile().roundDay) ?? nil
        let thisWeek = RoundWeek(containing: today)
        guard try store.round(in: thisWeek) == nil else { return }

        let attendees = [Attendee(name: DemoRounds.gp.displayName, role: "GP", organisation: "Riverside Surgery"),
                         Attendee(name: DemoRounds.pharmacist.displayName, role: "Clinical pharmacist", organisation: "Riverside PCN"),
                         Attendee(name: DemoRounds.nurse.displayName, role: "Registered nurse", organisation: "The home")]

        // Past rounds' stories go to residents who already lived here four weeks ago; someone among
        // them with no ReSPECT form recorded carries the advance care planning story.
        let fourAgo = thisWeek.adding(weeks: -4).roundDay(roundDay)
        let settled = residents.filter { ($0.admittedOn ?? fourAgo) < fourAgo.adding(days: -7) }
        let pool = settled.count >= 5 ? settled : residents
        let acp = pool.first { !$0.advanceCarePlan.exists } ?? pool[3 % pool.count]
        let others = pool.filter { $0.id != acp.id }
        func other(_ i: Int) -> ResidentSummary { others[i % others.count] }
        let newcomers = residents.filter { !pool.contains($0) }
        func anyone(_ i: Int) -> ResidentSummary { i < newcomers.count ? newcomers[i] : other(i) }

        // Four weeks ago: a short round.
        try closedRound(store, day: fourAgo, attendees: Array(attendees.prefix(2)), residents: [
            (acp, ["No ReSPECT form or advance care plan: None recorded in the resident's record"],
             reviewed("Discussed future wishes with her. Would like her son there before deciding; to continue at a later round.", acp: true),
             [("Invite her son to the next conversation about a ReSPECT form", DemoRounds.nurse, .nurse, 5, 3)]),
        ])

        // Two weeks ago: swollen ankles, falls at night, a carer's worry.
        let twoAgo = thisWeek.adding(weeks: -2).roundDay(roundDay)
        try closedRound(store, day: twoAgo, attendees: attendees, residents: [
            (other(0), ["Concern raised by staff: \"Ankles more swollen, breathless walking to the lounge\" (Amira Carer)"],
             reviewed("Ankles more swollen; chest clear; weight up 2 kg in a week. Furosemide increased from 20 mg to 40 mg for a week, then back to 20 mg.",
                      medicines: "Furosemide 40 mg each morning for 7 days, then 20 mg"),
             [("Repeat U&Es and eGFR one week after the furosemide change", DemoRounds.nurse, .nurse, 5, nil),
              ("Weigh daily for a week and report a gain of 2 kg", DemoRounds.carer, .carer, 3, 5)]),
            (other(1), ["Fall since the last round: 2 falls, at night in the bedroom, unwitnessed"],
             reviewed("Two falls at night getting to the toilet. No injury. Zopiclone 7.5 mg at night: discussed tapering. Sensor mat and night light agreed.",
                      referrals: [.physiotherapy], family: "Daughter to be told about the sensor mat"),
             [("Refer to dietitian: MUST score 2, weight down 3 kg in a month", DemoRounds.manager, .manager, 4, 2),
              ("Chase audiology about the hearing aid repair", DemoRounds.nurse, .nurse, 7, nil)]),
            (other(2), ["Concern raised by staff: \"Not herself, more confused since the weekend\" (Amira Carer)"],
             notSeen("Asleep; seen by the district nurse the same morning"), []),
        ])

        // Last week.
        let lastWeek = thisWeek.adding(weeks: -1).roundDay(roundDay)
        try closedRound(store, day: lastWeek, attendees: attendees, residents: [
            (other(1), ["Fall since the last round: 1 fall, lounge, witnessed", "Overdue action from an earlier round: Chase audiology about the hearing aid repair"],
             reviewed("Another fall in the lounge, witnessed, no head strike. Zopiclone taper started: 3.75 mg for 2 weeks then stop.",
                      medicines: "Zopiclone reduced to 3.75 mg at night for 2 weeks, then stop", referrals: [.occupationalTherapy]),
             [("Sensor mat at night and falls care plan updated", DemoRounds.nurse, .nurse, 1, 1),
              ("Review sleep and the zopiclone taper", DemoRounds.pharmacist, .clinician, 14, nil),
              ("Skin check of the bruised hip daily for 3 days", DemoRounds.carer, .carer, 3, 3)]),
            (acp, ["No ReSPECT form or advance care plan: None recorded; discussed 4 weeks ago"],
             reviewed("ReSPECT conversation with her and her son: she would prefer to stay here and be kept comfortable. GP to write the form.", acp: true),
             [("Write the ReSPECT form and give the copy to the home", DemoRounds.gp, .clinician, 7, nil),
              ("Offer a drink every hour while awake and keep a fluid chart for a week", DemoRounds.carer, .carer, 8, nil)]),
            (other(3), ["Medication review prompt for the round: Polypharmacy: 10 or more long-term medicines (high)"],
             reviewed("11 regular medicines. Stopped simvastatin (life expectancy, swallowing); stopped senna (bowels regular).",
                      medicines: "Stopped simvastatin and senna", referrals: [.speechAndLanguage]),
             []),
        ])

        // This week: open, with concerns raised by staff and a resident added by the nurse.
        let thisRoundDay = thisWeek.roundDay(roundDay)
        let openID = try store.openRound(on: thisRoundDay, by: DemoRounds.nurse, at: at(min(today, thisRoundDay), "08:30"))
        for attendee in attendees.prefix(2) { try store.addAttendee(round: openID, attendee, by: DemoRounds.nurse, at: now()) }
        try store.raiseConcern(resident: other(2).id, reason: "Eating less at lunch for 3 days, leaving half her meals", by: DemoRounds.carer, at: at(today.adding(days: -1), "14:10"))
        try store.raiseConcern(resident: anyone(0).id, reason: "More sleepy than usual in the afternoons; family worried about pain", by: DemoRounds.carer, at: at(today.adding(days: -2), "16:45"))
        try store.changeAgenda(round: openID, resident: other(5).id, add: true, reason: "Daughter asked for a review of pain relief",
                               by: DemoRounds.nurse, at: at(min(today, thisRoundDay), "09:00"))
    }

    typealias DemoAction = (String, Principal, Role, Int, Int?)   // what, owner, team, due after round (days), done after round (days)

    func reviewed(_ findings: String, medicines: String = "", referrals: Set<Referral> = [], family: String = "", acp: Bool = false, assessment: Bool = false) -> RoundEntry {
        var entry = RoundEntry()
        entry.outcome = .reviewed
        entry.findings = findings
        entry.medicinesChanged = !medicines.isEmpty
        entry.medicinesNotes = medicines
        entry.referrals = referrals
        entry.familyToBeInformed = !family.isEmpty
        entry.familyNotes = family
        entry.advanceCarePlanDiscussed = acp
        entry.assessmentDone = assessment
        entry.carePlanDone = assessment
        entry.medicationReviewFlagged = assessment
        entry.gpRecordUpdated = true
        return entry
    }

    func notSeen(_ reason: String) -> RoundEntry {
        var entry = RoundEntry()
        entry.outcome = .notSeen
        entry.notSeenReason = reason
        return entry
    }

    func closedRound(_ store: RoundStore, day: Day, attendees: [Attendee],
                     residents: [(ResidentSummary, [String], RoundEntry, [DemoAction])]) throws {
        let id = try store.openRound(on: day, by: DemoRounds.nurse, at: at(day.adding(days: -2), "09:00"))
        for attendee in attendees { try store.addAttendee(round: id, attendee, by: DemoRounds.nurse, at: at(day, "10:00")) }
        var agenda = [(residentID: Int64, position: Int, score: Int, reasons: [String])]()
        var seen = Set<Int64>()
        for (index, item) in residents.enumerated() where seen.insert(item.0.id).inserted {
            let (resident, reasons, entry, actions) = item
            agenda.append((resident.id, index + 1, 60 - index * 10, reasons))
            _ = try store.saveEntry(round: id, resident: resident.id, entry, basedOn: 0, by: DemoRounds.gp, at: at(day, "10:\(10 + index * 10)"))
            for (what, owner, team, dueAfter, doneAfter) in actions {
                let due = day.adding(days: dueAfter)
                let actionID = try store.addAction(round: id, resident: resident.id, description: what, ownerName: owner.displayName, ownerRole: team,
                                                   due: due, by: DemoRounds.gp, at: at(day, "11:00"))
                if let doneAfter, day.adding(days: doneAfter) <= today {
                    try store.markActionDone(actionID, on: day.adding(days: doneAfter), note: "", by: owner, at: at(day.adding(days: doneAfter), "15:00"))
                }
            }
        }
        let round = try store.round(id)
        try store.closeRound(round, agenda: agenda, reviewed: Set(residents.filter { $0.2.outcome == .reviewed }.map(\.0.id)),
                             by: DemoRounds.gp, at: at(day, "12:30"))
    }
}
