import Testing
import CareKit
import CareTesting
@testable import ResidentsPlugin

@Suite("The 7-working-day admission clock")
struct AdmissionClockTests {
    func d(_ m: Int, _ day: Int, _ y: Int = 2026) -> Day { Day(year: y, month: m, day: day)! }

    @Test("admitted on Friday 20 Nov: deadline Tue 1 Dec, the page explains the skipped weekends")
    func deadlineExplained() throws {
        let home = try registryHome()
        let id = try addResident(home, ["admission_date": "2026-11-20"])
        let clock = try #require(try directory(home).admissionClock(residentID: id, today: registryToday))
        #expect(clock.deadline == d(12, 1))
        #expect(clock.assessment == .due(workingDaysLeft: 6))
        let page = try home.get("/residents/\(id)/clock", as: .carer)
        #expect(page.body.contains("The deadline is the 7th working day after it: Tue 1 Dec 2026"))
        #expect(page.body.contains("Not counted: 21 Nov 2026 (Saturday), 22 Nov 2026 (Sunday), 28 Nov 2026 (Saturday), 29 Nov 2026 (Sunday)"))
        #expect(page.body.contains("Due in 6 working days"))
        #expect(page.body.contains("RES-CLOCK") || page.body.contains("Source:"))
    }

    @Test("every column of the clock's Recorded table is named for a screen reader (axe: empty-table-header)")
    func recordedTableNamesEveryColumn() throws {
        let home = try registryHome()
        let id = try addResident(home, ["admission_date": "2026-11-20"])
        _ = try home.post("/residents/\(id)/clock/assessment", as: .nurse,
                          fields: [("domains", "physical"), ("done_on", "2026-11-23"), ("done_by", "N Hussain")])
        let page = try home.get("/residents/\(id)/clock", as: .nurse)
        #expect(page.body.contains("<caption>Recorded</caption>"))
        #expect(page.unnamedTableHeaders == [])
        #expect(page.body.contains("<span class=\"visually-hidden\">Correction</span></th>"))
    }

    @Test("the assessment is done when all five domains are assessed, possibly on different days")
    func assessmentDomains() throws {
        let home = try registryHome()
        let id = try addResident(home, ["admission_date": "2026-11-13"])   // deadline Tue 24 Nov
        let part = try home.post("/residents/\(id)/clock/assessment", as: .clinician,
                                 fields: [("domains", "physical"), ("domains", "psychological"), ("done_on", "2026-11-16"), ("done_by", "Dr Okafor")])
        #expect(part.status == 303)
        #expect(try directory(home).admissionClock(residentID: id, today: registryToday)?.assessment == .due(workingDaysLeft: 1))
        _ = try home.post("/residents/\(id)/clock/assessment", as: .clinician,
                          fields: [("domains", "functional"), ("domains", "social"), ("domains", "environmental"),
                                   ("done_on", "2026-11-23"), ("done_by", "N Hussain")])
        #expect(try directory(home).admissionClock(residentID: id, today: registryToday)?.assessment == .doneOnTime(d(11, 23)))
    }

    @Test("states: done on time, done late, due, overdue; and the open clocks list, most urgent first")
    func states() throws {
        let home = try registryHome()
        let late = try addResident(home, ["admission_date": "2026-11-02", "nhs_number": "", "room": "1"])   // deadline Wed 11 Nov
        let recent = try addResident(home, ["admission_date": "2026-11-18", "nhs_number": "", "room": "2", "full_name": "Irene Clarke"])
        // Plan late (13 Nov: 2 working days late), SMR flag on time, assessment never: overdue by 8.
        #expect(try home.post("/residents/\(late)/clock/care-plan", as: .nurse,
                              form: ["done_on": "2026-11-13", "done_by": "Nadia Hussain", "review_on": "2027-02-13"]).status == 303)
        #expect(try home.post("/residents/\(late)/clock/medication-review", as: .clinician,
                              form: ["done_on": "2026-11-04", "done_by": "Tom Bradley"]).status == 303)
        let clock = try #require(try directory(home).admissionClock(residentID: late, today: registryToday))
        #expect(clock.carePlan == .doneLate(d(11, 13), workingDaysLate: 2))
        #expect(clock.medicationReviewFlag == .doneOnTime(d(11, 4)))
        #expect(clock.assessment == .overdue(workingDays: 8))
        let open = try home.get("/admissions", as: .carer)
        #expect(open.status == 200)
        let lateAt = try #require(open.body.range(of: "/residents/\(late)/clock"))
        let recentAt = try #require(open.body.range(of: "/residents/\(recent)/clock"))
        #expect(lateAt.lowerBound < recentAt.lowerBound)
        #expect(open.body.contains("Overdue by 8 working days"))
        #expect(open.body.contains("Done late by 2 working days"))
    }

    @Test("the forms for the items still to do come before what was recorded, the done ones folded; the dashboard opens the clock at the form of the item to do first")
    func formsOfOpenItemsFirst() throws {
        let home = try registryHome()
        let late = try addResident(home, ["admission_date": "2026-11-02", "nhs_number": "", "room": "1"])   // deadline Wed 11 Nov
        #expect(try home.post("/residents/\(late)/clock/care-plan", as: .nurse,
                              form: ["done_on": "2026-11-13", "done_by": "Nadia Hussain", "review_on": "2027-02-13"]).status == 303)
        let page = try home.get("/residents/\(late)/clock", as: .nurse).body
        let table = try #require(page.range(of: "<caption>Due by"))
        let assessment = try #require(page.range(of: "<div id=\"record-assessment\">"))
        let recorded = try #require(page.range(of: "<caption>Recorded</caption>"))
        let planAgain = try #require(page.range(of: "<details class=\"clock-again\" id=\"record-care-plan\">"))
        #expect(table.lowerBound < assessment.lowerBound && assessment.lowerBound < recorded.lowerBound && recorded.lowerBound < planAgain.lowerBound)
        #expect(page.contains("<a href=\"#record-assessment\">Record it</a>") && !page.contains("<a href=\"#record-care-plan\">Record it</a>"))
        // The card: the overdue assessment is the item to do first; a carer (who does not record) gets the clock's top.
        #expect(try home.get("/", as: .nurse).body.contains("href=\"/residents/\(late)/clock#record-assessment\""))
        #expect(!(try home.get("/", as: .carer).body.contains("/clock#record-")))
        #expect(!(try home.get("/residents/\(late)/clock", as: .carer).body.contains("Record it")))
    }

    @Test("clock entries are checked: care plan needs an MDT member and a later review date; no date before the admission")
    func entryValidation() throws {
        let home = try registryHome()
        let id = try addResident(home)
        let plan = try home.post("/residents/\(id)/clock/care-plan", as: .clinician, form: ["done_on": "2026-11-20", "review_on": "2026-11-19", "done_by_role": "Matron"])
        #expect(plan.status == 422)
        #expect(plan.body.contains("Enter the MDT member the plan was made with"))
        #expect(plan.body.contains("The review date must be after the plan was made"))
        #expect(plan.body.contains("value=\"Matron\""))
        let before = try home.post("/residents/\(id)/clock/medication-review", as: .clinician, form: ["done_on": "2026-11-01", "done_by": "T B"])
        #expect(before.status == 422 && before.body.contains("before this admission"))
        let noDomains = try home.post("/residents/\(id)/clock/assessment", as: .clinician, form: ["done_on": "2026-11-20", "done_by": "Dr O"])
        #expect(noDomains.status == 422 && noDomains.body.contains("Tick at least one domain"))
        #expect(try home.post("/residents/\(id)/clock/assessment", as: .carer, form: ["done_on": "2026-11-20"]).status == 403)
    }

    @Test("the clock page's three recording forms use distinct field ids, and an error links to the field of the form that failed")
    func distinctFieldIDs() throws {
        let home = try registryHome()
        let id = try addResident(home, ["admission_date": "2026-11-20"])
        for day in ["2026-11-21", "2026-11-23"] {   // two entries, each with its "Entered in error?" form
            _ = try home.post("/residents/\(id)/clock/assessment", as: .nurse, fields: [("domains", "physical"), ("done_on", day), ("done_by", "N Hussain")])
        }
        func ids(_ html: String) -> [String] {
            html.components(separatedBy: " id=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        }
        let page = try home.get("/residents/\(id)/clock", as: .nurse).body
        let all = ids(page)
        #expect(Set(all).count == all.count, "repeated ids: \(Dictionary(grouping: all, by: { $0 }).filter { $1.count > 1 }.keys.sorted())")
        for label in ["f-assessment-done-on", "f-care-plan-done-on", "f-smr-done-on"] {
            #expect(page.contains("<label for=\"\(label)\">"))
        }
        let plan = try home.post("/residents/\(id)/clock/care-plan", as: .nurse, form: ["done_on": "2026-11-23", "done_by": "", "review_on": "2027-02-23"])
        #expect(plan.status == 422)
        #expect(plan.body.contains("<a href=\"#f-care-plan-done-by\">"))
        #expect(ids(plan.body).contains("f-care-plan-done-by"))
        #expect(ids(plan.body).contains("f-care-plan-done-by-error"))
    }

    @Test("a return from hospital restarts the clock; the earlier admission's entries do not count")
    func readmissionRestarts() throws {
        let home = try registryHome()
        let id = try addResident(home, ["admission_date": "2026-10-01"])
        for item in ["care-plan", "medication-review"] {
            _ = try home.post("/residents/\(id)/clock/\(item)", as: .nurse, form: ["done_on": "2026-10-05", "done_by": "N H", "review_on": "2027-01-05"])
        }
        _ = try home.post("/residents/\(id)/movements", as: .nurse, form: ["kind": "went-to-hospital", "on_day": "2026-11-10"])
        _ = try home.post("/residents/\(id)/movements", as: .nurse, form: ["kind": "returned-from-hospital", "on_day": "2026-11-19"])
        let clock = try #require(try directory(home).admissionClock(residentID: id, today: registryToday))
        #expect(clock.startedOn == d(11, 19))
        #expect(clock.isReadmission)
        #expect(clock.deadline == d(11, 30))
        #expect(clock.carePlan == .due(workingDaysLeft: 5))
        #expect(clock.medicationReviewFlag.isOpen)
        let summary = try #require(try directory(home).resident(id: id))
        #expect(summary.latestAdmission == d(11, 19) && summary.latestAdmissionIsReadmission)
        #expect(summary.admittedOn == d(10, 1))
        let page = try home.get("/residents/\(id)/clock", as: .carer)
        #expect(page.body.contains("Re-admitted on Thu 19 Nov 2026 (day 0)"))
        #expect(page.body.contains("Earlier: admission of Thu 1 Oct 2026"))
    }

    @Test("an entry marked entered in error no longer counts")
    func entryInError() throws {
        let home = try registryHome()
        let id = try addResident(home)
        _ = try home.post("/residents/\(id)/clock/medication-review", as: .clinician, form: ["done_on": "2026-11-19", "done_by": "T B"])
        #expect(try directory(home).admissionClock(residentID: id, today: registryToday)?.medicationReviewFlag == .doneOnTime(d(11, 19)))
        let entry = try #require(try home.context.database.read { try $0.scalar("SELECT id FROM residents_clock_entries") })
        let marked = try home.post("/residents/\(id)/clock/entries/\(entry)/error", as: .clinician, form: ["reason": "Wrong resident"])
        #expect(marked.status == 303)
        #expect(try directory(home).admissionClock(residentID: id, today: registryToday)?.medicationReviewFlag.isOpen == true)
        #expect(try home.get("/residents/\(id)/history", as: .carer).body.contains("marked entered in error: Wrong resident"))
    }
}

@Suite("CSV import")
struct ImportTests {
    let header = "Full name,Preferred name,Date of birth,NHS number,Room,Date of admission,Type of stay,Allergies,Dementia,plan_exists,plan_kind,plan_cpr\n"

    @Test("the preview lists every row's problems and saves nothing")
    func previewWithProblems() throws {
        let home = try registryHome()
        let csv = header
            + "Margaret Hughes,Peggy,12/03/1938,943 476 5919,1,01/06/2024,Permanent,None known,Alzheimer's,yes,ReSPECT,Not for CPR\n"
            + "Albert Jones,Bert,31/02/1935,943 476 5910,2,01/06/2024,Permanent,None known,vascular,no,,\n"
            + "Dorothy Evans,Dot,30/11/1942,943 476 5919,,01/06/2024,Respite,,Lewy body,no,,\n"
        let preview = try home.post("/residents/import", as: .manager, form: ["csv": csv])
        #expect(preview.status == 422)
        #expect(preview.body.contains("Date of birth: The date of birth must be a real date"))
        #expect(preview.body.contains("NHS number: This is not a valid NHS number"))
        #expect(preview.body.contains("NHS number: the same number is on row 2"))
        #expect(preview.body.contains("Room: Enter the room"))
        #expect(preview.body.contains("Nothing has been saved"))
        #expect(!preview.body.contains("/residents/import/confirm"))
        // Even a forced confirm saves none of it.
        let forced = try home.post("/residents/import/confirm", as: .manager, form: ["csv": csv])
        #expect(forced.status == 422)
        #expect(try directory(home).currentResidents().isEmpty)
    }

    @Test("a clean file is saved whole on confirm; an old admission gets no clock, a recent one does")
    func confirm() throws {
        let home = try registryHome()
        let csv = header
            + "Margaret Hughes,Peggy,12/03/1938,943 476 5919,1,01/06/2024,Permanent,None known,Alzheimer's,yes,ReSPECT,Not for CPR\n"
            + "\"Jones, Albert\",Bert,1935-07-02,,2,2026-11-19,short stay,\"Penicillin, rash\",DLB,no,,\n"
        let preview = try home.post("/residents/import", as: .manager, form: ["csv": csv])
        #expect(preview.status == 200)
        #expect(preview.body.contains("Every row is ready"))
        #expect(try directory(home).currentResidents().isEmpty)
        let saved = try home.post("/residents/import/confirm", as: .manager, form: ["csv": csv])
        #expect(saved.status == 303)
        #expect(saved.flash == "2 resident(s) imported")
        let residents = try directory(home).currentResidents()
        #expect(residents.count == 2)
        let peggy = try #require(residents.first { $0.room == "1" })
        let bert = try #require(residents.first { $0.room == "2" })
        #expect(peggy.advanceCarePlan.cpr == "Not for CPR")
        #expect(bert.fullName == "Jones, Albert" && bert.allergies == "Penicillin, rash" && bert.dementia == .lewyBody)
        #expect(try directory(home).admissionClock(residentID: peggy.id, today: registryToday) == nil)
        #expect(try directory(home).admissionClock(residentID: bert.id, today: registryToday) != nil)
        // Only the resident who really moved in within the window is announced as admitted.
        #expect(home.publishedEvents == [.residentAdmitted(residentID: bert.id, on: Day(year: 2026, month: 11, day: 19)!)])
    }

    @Test("an existing current resident's NHS number is a problem; a missing column is named")
    func fileProblems() throws {
        let home = try registryHome()
        _ = try addResident(home)
        let duplicate = try home.post("/residents/import", as: .manager,
                                      form: ["csv": header + "Someone Else,,12/03/1940,9434765919,3,01/06/2024,Permanent,None known,none,no,,\n"])
        #expect(duplicate.body.contains("another current resident already has this NHS number"))
        let missing = try home.post("/residents/import", as: .manager, form: ["csv": "full_name,room\nA B,1\n"])
        #expect(missing.body.contains("The column &quot;date_of_birth&quot; is missing"))
        #expect(try home.post("/residents/import", as: .nurse, form: ["csv": header]).status == 403)
    }
}

@Suite("Demo data")
struct DemoDataTests {
    @Test("the demo home has varied residents: Lewy body, in hospital, re-admitted, a fresh admission, an overdue clock, working age")
    func demo() throws {
        let home = try registryHome()
        try home.seedDemoData(today: registryToday)
        let dir = try directory(home)
        let current = try dir.currentResidents()
        #expect(current.count >= 12)
        #expect(current.contains { $0.dementia == .lewyBody })
        #expect(current.contains { $0.status == .inHospital })
        #expect(current.contains { $0.latestAdmissionIsReadmission })
        #expect(current.contains { ($0.dateOfBirth?.age(on: registryToday) ?? 99) < 65 })
        #expect(current.contains { !$0.advanceCarePlan.exists })
        #expect(Set(current.map(\.advanceCarePlan.cpr)).count >= 3)
        let clocks = try current.compactMap { try dir.admissionClock(residentID: $0.id, today: registryToday) }
        #expect(clocks.contains { $0.carePlan.isOverdue })
        #expect(clocks.contains { $0.assessment == .due(workingDaysLeft: 4) })   // admitted 3 working days ago
        #expect(try home.get("/admissions", as: .nurse).status == 200)
        #expect(try home.get("/home-profile", as: .manager).body.contains("Willow Court Care Home"))
        for resident in current { #expect(try home.get("/residents/\(resident.id)", as: .nurse).status == 200) }
        // The whole seeded list is valid input again (NHS numbers pass Modulus 11).
        for resident in current { if let n = resident.nhsNumber { #expect(NHSNumber.check(n) == .valid(n)) } }
    }
}

@Suite("Clock and other plugins")
struct ClockEventTests {
    @Test("a completed medication review ticks the open SMR flag once, and never an earlier admission's")
    func reviewCompletedTicksFlag() throws {
        let home = try registryHome()
        let id = try addResident(home)   // admitted Wed 18 Nov 2026
        try home.context.database.write { $0.publishAfterCommit(.medicationReviewCompleted(residentID: id, on: Day(year: 2026, month: 11, day: 10)!)) }
        #expect(try directory(home).admissionClock(residentID: id, today: registryToday)?.medicationReviewFlag.isOpen == true)
        try home.context.database.write { $0.publishAfterCommit(.medicationReviewCompleted(residentID: id, on: Day(year: 2026, month: 11, day: 20)!)) }
        #expect(try directory(home).admissionClock(residentID: id, today: registryToday)?.medicationReviewFlag == .doneOnTime(Day(year: 2026, month: 11, day: 20)!))
        try home.context.database.write { $0.publishAfterCommit(.medicationReviewCompleted(residentID: id, on: Day(year: 2026, month: 11, day: 23)!)) }
        let entries = try home.context.database.read { try $0.scalar("SELECT COUNT(*) FROM residents_clock_entries WHERE resident_id = ?", [.integer(id)]) }
        #expect(entries == 1)
        #expect(try home.get("/residents/\(id)/clock", as: .carer).body.contains("Recorded automatically from the medication review"))
    }
}
