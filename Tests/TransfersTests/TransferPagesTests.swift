import CareKit
import CareServices
import CareTesting
import Foundation
import Testing
import ResidentsPlugin
import MedicationReviewPlugin
@testable import TransfersPlugin

@Suite("Transfer pages, the round, the pack, the CSV and /metrics, end to end through the real host")
struct TransferPagesTests {
    @Test("a transfer needs why and how; saved, it puts the move to hospital on the registry, and the return from the registry ends the stay")
    func recordAndLink() throws {
        var h = try TransfersHome()
        let id = try h.add("A", admitted: day(2026, 1, 5), room: "1")
        let missing = try h.home.post("/transfers/new", as: .carer, form: ["resident_id": String(id), "left_at": "2026-07-14T10:00"])
        #expect(missing.status == 422)
        #expect(missing.body.contains("Choose why they went"))
        #expect(missing.body.contains("Say whether an ambulance took them"))
        #expect(missing.body.contains("value=\"2026-07-14T10:00\""))
        let transfer = try h.transfer("A", at: "2026-07-10T10:00", reason: "deterioration", route: "999", ambulance: true, outcome: "admitted", recordMove: true)
        #expect(h.home.publishedEvents.contains(.residentWentToHospital(residentID: id, on: day(2026, 7, 10))))
        #expect(try h.home.get("/transfers", as: .carer).body.contains("Away in hospital now"))
        try h.move("A", "returned-from-hospital", on: day(2026, 7, 13))
        let page = try h.home.get("/transfers/\(transfer)", as: .carer).body
        #expect(page.contains("Came back Mon 13 Jul 2026: 3 nights"))
        #expect(page.contains("Not yet reviewed by the MDT"))
        // Outcome and follow-up: the discharge summary cannot predate the transfer.
        let early = try h.home.post("/transfers/\(transfer)/update", as: .nurse, form: ["outcome": "admitted", "stay_end": "returned", "stay_ended_on": "2026-07-13",
                                                                                        "discharge_summary_on": "2026-07-01", "reconciliation": "yes", "reconciled_on": "2026-07-14"])
        #expect(early.status == 422 && early.body.contains("on or after the day they left"))
        let ok = try h.home.post("/transfers/\(transfer)/update", as: .nurse, form: ["outcome": "admitted", "stay_end": "returned", "stay_ended_on": "2026-07-13",
                                                                                     "discharge_summary_on": "2026-07-14", "reconciliation": "yes", "reconciled_on": "2026-07-14",
                                                                                     "follow_up": "GP to review furosemide dose"])
        #expect(ok.status == 303)
        #expect(try h.home.get("/transfers/\(transfer)", as: .carer).body.contains("GP to review furosemide dose"))
    }

    @Test("the registry's transfer summary prints why and how they went, as the transfer was recorded, while they are away; before one is recorded, and after they are back, the line is left to fill in")
    func transferSummaryReason() throws {
        var h = try TransfersHome()
        let id = try h.add("A", admitted: day(2026, 1, 5), room: "1")
        let dotted = "Reason for transfer: ......"
        let before = try h.home.get("/residents/\(id)/transfer-summary", as: .carer).body
        #expect(before.contains(dotted), "no transfer recorded yet: the line to fill in")
        try h.transfer("A", at: "2026-07-15T09:40", reason: "deterioration", route: "999", ambulance: true, outcome: "not-known", recordMove: true)
        let away = try h.home.get("/residents/\(id)/transfer-summary", as: .carer).body
        #expect(away.contains("Reason for transfer"))
        #expect(away.contains("<strong>Became unwell (deterioration)</strong>, 999 ambulance, left"), "\(away)")
        #expect(!away.contains(dotted), "the reason is printed, not left to fill in")
        try h.move("A", "returned-from-hospital", on: day(2026, 7, 15))
        let back = try h.home.get("/residents/\(id)/transfer-summary", as: .carer).body
        #expect(back.contains(dotted), "back home: the next summary is for a new transfer")
    }

    @Test("an unreviewed transfer is on the next round's agenda; the MDT's review takes it off")
    func roundAgenda() throws {
        var h = try TransfersHome()
        try h.add("A", admitted: day(2026, 1, 5), room: "1")
        let transfer = try h.transfer("A", at: "2026-07-10T10:00", reason: "fall", route: "999", ambulance: true, outcome: "ae-only", recordMove: false)
        let opened = try h.home.post("/rounds/new", as: .nurse, form: ["round_day": HomeTime.today().iso])
        let agenda = try h.home.get(try #require(opened.location), as: .nurse).body
        #expect(agenda.contains("Hospital transfer not yet reviewed"))
        #expect(agenda.contains("could it have been avoided?"))
        // Carers cannot record the MDT's view; a clinician can.
        #expect(try h.home.post("/transfers/\(transfer)/review", as: .carer, form: ["avoidable": "no"]).status == 403)
        let incomplete = try h.home.post("/transfers/\(transfer)/review", as: .clinician, form: ["helped": "other", "reviewed_on": "2026-07-14", "reviewed_by": "Dr Price"])
        #expect(incomplete.status == 422)
        #expect(incomplete.body.contains("Choose whether it could have been avoided"))
        #expect(incomplete.body.contains("Say what would have helped"))
        try h.review(transfer, avoidable: "possibly", on: day(2026, 7, 14))
        let service = try #require(h.home.context(of: "transfers")?.services.resolve(Services.transferReviews))
        #expect(try service.transfersAwaitingReview().isEmpty)
    }

    @Test("the outcome part and the MDT's review are one form: a review saves the follow-up typed with it, 'Save' saves a started review, and an error in either brings both back")
    func oneFormForOutcomeAndReview() throws {
        var h = try TransfersHome()
        try h.add("A", admitted: day(2026, 1, 5), room: "1")
        let transfer = try h.transfer("A", at: "2026-07-10T10:00", reason: "fall", route: "999", ambulance: true, outcome: "ae-only", recordMove: false)
        let page = try h.home.get("/transfers/\(transfer)", as: .nurse).body
        #expect(page.contains("form=\"update\" formaction=\"/transfers/\(transfer)/review\""))
        let outcome = ["update_part": "1", "outcome": "ae-only", "reconciliation": "not-needed"]
        let review = ["avoidable": "possibly", "helped": "gp-advice", "reviewed_on": "2026-07-14", "reviewed_by": "Dr Price"]
        // "Save a new review" with a follow-up typed above it: both are saved.
        let both = try h.home.post("/transfers/\(transfer)/review", as: .nurse, form: outcome.merging(review) { a, _ in a }.merging(["follow_up": "Falls clinic referral"]) { a, _ in a })
        #expect(both.status == 303)
        #expect(both.flash == "Review saved, with the transfer's changes")
        var shown = try h.home.get("/transfers/\(transfer)", as: .nurse).body
        #expect(shown.contains("Falls clinic referral") && shown.contains("Dr Price"))
        // "Save" with a review started but not finished: nothing is saved, both come back as typed.
        let half = try h.home.post("/transfers/\(transfer)/update", as: .nurse, form: outcome.merging(["follow_up": "Falls clinic seen", "avoidable": "no", "notes": "Half done"]) { a, _ in a })
        #expect(half.status == 422)
        #expect(half.body.contains("Choose what would have helped") && half.body.contains("Falls clinic seen") && half.body.contains("Half done"))
        shown = try h.home.get("/transfers/\(transfer)", as: .nurse).body
        #expect(!shown.contains("Falls clinic seen"))
        // Finished, "Save" saves the outcome part and the review together.
        let saved = try h.home.post("/transfers/\(transfer)/update", as: .nurse, form: outcome.merging(review) { a, _ in a }.merging(["follow_up": "Falls clinic seen", "notes": "Second look"]) { a, _ in a })
        #expect(saved.status == 303 && saved.flash == "Review saved, with the transfer's changes")
        shown = try h.home.get("/transfers/\(transfer)", as: .nurse).body
        #expect(shown.contains("Falls clinic seen") && shown.contains("Second look"))
        // A carer's "Save" never records a review, whatever is sent.
        let carer = try h.home.post("/transfers/\(transfer)/update", as: .carer, form: outcome.merging(["follow_up": "Carer's note", "avoidable": "yes"]) { a, _ in a })
        #expect(carer.status == 303 && carer.flash == "Transfer updated")
    }

    @Test("the impact pack names the home, the period and who printed it, has two SVG charts and no resident's name; the CSV has the same figures")
    func packAndCSV() throws {
        let (h, _) = try TransfersHome.build()
        let pack = try h.home.get("/transfers/pack?from=2026-01-01&to=2026-03-31", as: .manager)
        #expect(pack.status == 200)
        let body = pack.body
        #expect(body.contains("Larch House"))
        #expect(body.contains("EHCH impact pack: 1 Jan 2026 to 31 Mar 2026"))
        #expect(body.contains("by Test Manager"))
        #expect(body.components(separatedBy: "<svg class=\"transfers-chart\"").count == 3)
        #expect(body.contains("Emergency admissions"))
        #expect(body.contains("Wolters A"))
        // Only figures checked in the source's own text: the briefing's 0.98 and 0.70, not the press's 41%.
        #expect(body.contains("0.98") && body.contains("0.70"))
        #expect(!body.contains("41%"), "a figure found only in press reports is not shipped")
        #expect(!body.contains("Resident A Test") && !body.contains("Resident D Test"))
        #expect(body.contains("Today, 1 of 2 current residents have a ReSPECT form or advance care plan recorded"))
        // The round's and the medicines' process figures: no round was held in this home; no medication plugin, so no data (not zero).
        #expect(body.contains("EHCH weekly round and medication reviews"))
        #expect(body.contains("Weekly home rounds held"))
        #expect(body.contains("No data: the medication plugin is not loaded"))
        let csv = try h.home.get("/transfers/figures.csv?from=2026-01-01&to=2026-03-31", as: .manager)
        #expect(csv.header("Content-Type")?.hasPrefix("text/csv") == true)
        #expect(csv.body.contains("2026-01-01,2026-03-31,occupied_bed_days,"))
        #expect(csv.body.contains("emergency_admissions,Emergency admissions,3,12.20,4.451,yes,"))
        #expect(csv.body.contains("falls,Falls,2,8.13,"))
        #expect(csv.body.contains("rounds_held,Weekly home rounds held,0,"))
        #expect(csv.body.contains("structured_medication_reviews,Structured medication reviews recorded,no data,"), "no data, not 0")
        #expect(!csv.body.contains("Resident A"))
    }

    @Test("/metrics has the counts by period and nothing that points at a person")
    func metrics() throws {
        let (h, _) = try TransfersHome.build()
        let metrics = try h.app.metrics()
        let admissions = try #require(metrics.first { $0.name == "carehome_transfers_emergency_admissions" })
        // Pinned today is 15 Jul 2026: the previous quarter is Apr–Jun (no emergency admissions).
        #expect(admissions.samples.first { $0.labels["period"] == "previous_quarter" }?.value == 0)
        #expect(metrics.first { $0.name == "carehome_transfers_occupied_bed_days" }?.samples.first { $0.labels["period"] == "previous_quarter" }?.value == 180)
        #expect(metrics.first { $0.name == "carehome_transfers_awaiting_review" }?.samples.first?.value == 1)   // A on 10 May
        #expect(metrics.first { $0.name == "carehome_transfers_current_residents" }?.samples.first?.value == 2)  // A and D
        #expect(metrics.first { $0.name == "carehome_transfers_residents_with_plan" }?.samples.first?.value == 1) // D has none
        let labels = metrics.flatMap(\.samples).flatMap(\.labels).map { "\($0.key)=\($0.value)" }
        #expect(labels.allSatisfy { $0.hasPrefix("period=") })
    }

    @Test("the resident and family voice is counted per question")
    func voice() throws {
        var h = try TransfersHome()
        let id = try h.add("A", admitted: day(2026, 1, 5), room: "1")
        let refused = try h.home.post("/transfers/voice/new", as: .carer, form: ["resident_id": String(id), "asked_on": "2026-07-10"])
        #expect(refused.status == 422 && refused.body.contains("Choose who answered"))
        for answer in ["yes", "partly"] {
            #expect(try h.home.post("/transfers/voice/new", as: .carer, form: ["resident_id": String(id), "asked_on": "2026-07-10", "respondent": "resident",
                                                                             "q-know-who": answer, "q-joined-up": "no"]).status == 303)
        }
        let f = try h.figures(Period.month(containing: day(2026, 7, 1)))
        #expect(f.voiceRecords == 2)
        #expect(f.voice[.knowWhoToAsk]?[.yes] == 1 && f.voice[.knowWhoToAsk]?[.partly] == 1)
        #expect(f.voice[.joinedUp]?[.no] == 2)
        #expect(f.voice[.involvedInPlan]?[.notAnswered] == 2)
    }

    @Test("the admin sees nothing here; pages need a role; an entered-in-error transfer leaves the figures")
    func rolesAndErrors() throws {
        var h = try TransfersHome()
        try h.add("A", admitted: day(2026, 1, 5), room: "1")
        let transfer = try h.transfer("A", at: "2026-07-01T10:00", reason: "fall", route: "999", ambulance: true, outcome: "ae-only", recordMove: false)
        for path in ["/transfers", "/transfers/\(transfer)", "/transfers/figures", "/transfers/pack"] {
            #expect(try h.home.get(path, as: .admin).status == 403, "\(path)")
            #expect(h.home.anonymous("GET", path).status != 200, "\(path)")
        }
        let july = Period.month(containing: day(2026, 7, 1))
        #expect(try h.figures(july).aeAttendances == 1)
        #expect(try h.home.post("/transfers/\(transfer)/entered-in-error", as: .manager, form: ["reason": "Wrong resident"]).status == 303)
        #expect(try h.figures(july).aeAttendances == 0)
        #expect(try h.home.get("/transfers/\(transfer)", as: .carer).body.contains("Entered in error"))
    }

    @Test("every page renders for the care team, and every table column is named for a screen reader")
    func pagesRender() throws {
        let (h, t) = try TransfersHome.build()
        let death = try #require(try h.home.context.database.read { db in try db.scalar("SELECT id FROM transfers_deaths") })
        for (path, role) in [("/transfers", Role.carer), ("/transfers/new", .carer), ("/transfers/new?resident_id=\(h.ids["A"] ?? 0)", .carer),
                             ("/transfers/\(t["A-1"] ?? 0)", .nurse), ("/transfers/voice/new", .carer), ("/transfers/deaths/\(death)", .nurse),
                             ("/transfers/figures", .manager), ("/transfers/figures?from=2026-04-01&to=2026-06-30&before_from=2026-01-01&before_to=2026-03-31", .manager),
                             ("/transfers/pack", .clinician), ("/residents/\(h.ids["A"] ?? 0)", .carer)] {
            let page = try h.home.get(path, as: role)
            #expect(page.status == 200, "\(path): \(page.status)")
            #expect(page.unnamedTableHeaders == [], "\(path)")
        }
        #expect(try h.home.get("/residents/\(h.ids["A"] ?? 0)", as: .carer).body.contains("Record a transfer to hospital"))
    }
}

@Suite("Transfers with the medication plugin")
struct TransferMedicationTests {
    @Test("a structured medication review after the return is noted on the stay, beside the reconciliation question")
    func reviewAfterStay() throws {
        let pinned = HomeTime.combine(transfersToday, time: "12:00") ?? Date()
        let home = try TestHome(plugins: [ResidentsPlugin(today: { transfersToday }), MedicationReviewPlugin(today: { transfersToday }),
                                          TransfersPlugin(now: { pinned })])
        var h = TransfersHome(existing: home)
        let id = try h.add("A", admitted: day(2026, 1, 5), room: "1")
        let transfer = try h.transfer("A", at: "2026-07-01T10:00", reason: "deterioration", route: "999", ambulance: true, outcome: "admitted", recordMove: true)
        #expect(try home.get("/transfers/\(transfer)", as: .nurse).body.contains("None recorded yet"))
        try h.move("A", "returned-from-hospital", on: day(2026, 7, 6))
        let review = try home.post("/medication/residents/\(id)/reviews/new", as: .clinician, form: [
            "reviewed_on": "2026-07-08", "reviewer": "Dr Test", "reviewer_role": "GP", "discussed_with": "both",
            "discussion": "After the discharge letter", "outcome": "Reviewed", "next_review_on": "2027-01-08"])
        #expect(review.status == 303)
        #expect(try home.get("/transfers/\(transfer)", as: .nurse).body.contains("Completed Wed 8 Jul 2026 (medication review)"))
    }
}
