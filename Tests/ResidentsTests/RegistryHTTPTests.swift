import Testing
import CareKit
import CareServices
import CareTesting
import CareServer
@testable import ResidentsPlugin

/// Today in these tests: Monday 23 November 2026.
let registryToday = Day(year: 2026, month: 11, day: 23)!

func registryHome(today: Day = registryToday) throws -> TestHome {
    try TestHome(plugins: [ResidentsPlugin(today: { today })])
}

/// A complete, valid "add a resident" form.
func residentForm(_ changes: [String: String] = [:]) -> [String: String] {
    var form = ["full_name": "Margaret Ann Hughes", "preferred_name": "Peggy", "date_of_birth": "1938-03-12", "room": "12",
                "nhs_number": "943 476 5919", "admission_date": "2026-11-18", "admission_type": "permanent",
                "allergies": "Penicillin: rash", "dementia_type": "alzheimers", "plan_exists": "no"]
    for (k, v) in changes { form[k] = v }
    return form
}

/// Adds a resident through the form and returns their id.
func addResident(_ home: TestHome, _ changes: [String: String] = [:]) throws -> Int64 {
    let response = try home.post("/residents/new", as: .nurse, form: residentForm(changes))
    #expect(response.status == 303, "add resident: \(response.status)")
    guard let location = response.location, let id = Int64(location.split(separator: "/").last ?? "") else {
        Issue.record("no redirect to the new resident")
        return 0
    }
    return id
}

func directory(_ home: TestHome) throws -> any ResidentDirectory {
    guard let service = home.context.services.resolve(Services.residentDirectory) else {
        throw CareError.notFound("resident directory not published")
    }
    return service
}

@Suite("Residents over HTTP")
struct RegistryHTTPTests {
    @Test("a nurse adds a resident; the record, the event and the directory agree")
    func addResidentFlow() throws {
        let home = try registryHome()
        let response = try home.post("/residents/new", as: .nurse, form: residentForm())
        #expect(response.status == 303)
        #expect(response.flash == "Resident added")
        let id = try #require(response.location.flatMap { Int64($0.split(separator: "/").last ?? "") })
        let page = try home.get("/residents/\(id)", as: .carer)
        #expect(page.status == 200)
        #expect(page.body.contains("Margaret Ann Hughes"))
        #expect(page.body.contains("943 476 5919"))
        #expect(page.body.contains("Not verified"))
        #expect(home.publishedEvents.contains(.residentAdmitted(residentID: id, on: Day(year: 2026, month: 11, day: 18)!)))
        let summary = try #require(try directory(home).resident(id: id))
        #expect(summary.label == "Peggy Hughes (room 12)")
        #expect(summary.status == .livingHere)
        #expect(summary.dementia == .alzheimers)
        #expect(try directory(home).currentResidents().map(\.id) == [id])
    }

    @Test("each bad input returns the form with the input kept and a message beside the field")
    func badInputs() throws {
        let home = try registryHome()
        let cases: [(changes: [String: String], field: String, message: String)] = [
            (["nhs_number": "943 476 5910"], "nhs_number", "the last digit does not match"),
            (["date_of_birth": "2030-01-01"], "date_of_birth", "Date of birth must be today or in the past"),
            (["admission_date": "1930-05-01"], "admission_date", "Admission date is before the date of birth"),
            (["date_of_birth": "31/02/1938"], "date_of_birth", "must be a real date"),
            (["full_name": ""], "full_name", "Enter the resident&#39;s full name"),
            (["room": ""], "room", "Enter the room"),
        ]
        for c in cases {
            let response = try home.post("/residents/new", as: .nurse, form: residentForm(c.changes))
            #expect(response.status == 422, "\(c.field)")
            #expect(response.body.contains("class=\"error-summary\""), "\(c.field)")
            // The message sits in the field's own error element, and what was typed is still there.
            #expect(response.body.contains("id=\"f-\(c.field.replacingAll("_", with: "-"))-error\""), "\(c.field)")
            #expect(response.body.contains(c.message), "\(c.field): \(c.message)")
            #expect(response.body.contains("value=\"Peggy\""), "input kept for \(c.field)")
        }
        #expect(try directory(home).currentResidents().isEmpty)
    }

    @Test("two current residents may not share an NHS number; one who has left may")
    func duplicateNHSNumber() throws {
        let home = try registryHome()
        let first = try addResident(home)
        let duplicate = try home.post("/residents/new", as: .nurse, form: residentForm(["full_name": "Other Person", "room": "3"]))
        #expect(duplicate.status == 422)
        #expect(duplicate.body.contains("Another current resident already has this NHS number"))
        #expect(duplicate.body.contains("value=\"Other Person\""))
        // After the first resident leaves, the number is free for a new record.
        let left = try home.post("/residents/\(first)/movements", as: .nurse, form: ["kind": "left", "on_day": "2026-11-20"])
        #expect(left.status == 303)
        #expect(try home.post("/residents/new", as: .nurse, form: residentForm(["full_name": "Other Person", "room": "3"])).status == 303)
    }

    @Test("a double-submitted form creates one resident")
    func doubleSubmit() throws {
        let home = try registryHome()
        var form = residentForm()
        form["_once"] = "0123456789abcdef0123456789abcdef"
        let first = try home.post("/residents/new", as: .nurse, form: form)
        let second = try home.post("/residents/new", as: .nurse, form: form)
        #expect(first.status == 303)
        #expect(second.status == 303)
        #expect(second.location == first.location)
        #expect(try directory(home).currentResidents().count == 1)
    }

    @Test("an edit keeps the earlier version: history shows who changed what")
    func amendAndHistory() throws {
        let home = try registryHome()
        let id = try addResident(home)
        var form = residentForm(["room": "14", "dementia_type": "lewy-body", "nhs_verified": "on"])
        form["version"] = "1"
        let saved = try home.post("/residents/\(id)/edit", as: .manager, form: form)
        #expect(saved.status == 303)
        let history = try home.get("/residents/\(id)/history", as: .carer)
        #expect(history.body.contains("Room: 12 → 14"))
        #expect(history.body.contains("Dementia: Alzheimer&#39;s disease → Dementia with Lewy bodies"))
        #expect(history.body.contains("NHS number verified: No → Yes"))
        #expect(history.body.contains("Test Manager"))
        #expect(history.body.contains("Record created"))
        let page = try home.get("/residents/\(id)", as: .carer)
        #expect(page.body.contains("Antipsychotics: high risk"))
    }

    @Test("entered in error: the record leaves the lists but stays, with its reason")
    func enteredInError() throws {
        let home = try registryHome()
        let id = try addResident(home)
        let missing = try home.post("/residents/\(id)/entered-in-error", as: .nurse, form: ["reason": ""])
        #expect(missing.status == 422)
        let done = try home.post("/residents/\(id)/entered-in-error", as: .nurse, form: ["reason": "Duplicate of another record"])
        #expect(done.status == 303)
        #expect(try directory(home).currentResidents().isEmpty)
        let list = try home.get("/residents", as: .carer)
        #expect(!list.body.contains("Margaret Ann Hughes"))
        let page = try home.get("/residents/\(id)", as: .carer)
        #expect(page.body.contains("marked entered in error"))
        #expect(page.body.contains("Duplicate of another record"))
        #expect(try home.get("/residents?status=entered-in-error", as: .manager).body.contains("Margaret Ann Hughes"))
    }

    @Test("roles: carers view but cannot add; the admin sees nothing; clinicians cannot edit details")
    func roles() throws {
        let home = try registryHome()
        let id = try addResident(home)
        #expect(try home.get("/residents", as: .carer).status == 200)
        #expect(try home.get("/residents/new", as: .carer).status == 403)
        #expect(try home.post("/residents/new", as: .carer, form: residentForm(["nhs_number": ""])).status == 403)
        #expect(try home.get("/residents", as: .admin).status == 403)
        #expect(try home.get("/residents/\(id)", as: .admin).status == 403)
        #expect(try home.get("/admissions", as: .admin).status == 403)
        #expect(try home.get("/residents/\(id)/edit", as: .clinician).status == 403)
        #expect(try home.get("/home-profile/edit", as: .nurse).status == 403)
        #expect(try directory(home).currentResidents().count == 1)
    }

    @Test("search by name, room or NHS number; filter by status")
    func search() throws {
        let home = try registryHome()
        _ = try addResident(home)
        let other = try addResident(home, ["full_name": "Albert Edward Jones", "preferred_name": "Bert", "room": "7", "nhs_number": "999 100 0003"])
        #expect(try home.get("/residents?q=hughes", as: .carer).body.contains("Peggy Hughes"))
        #expect(!(try home.get("/residents?q=hughes", as: .carer).body.contains("Bert Jones")))
        #expect(try home.get("/residents?q=7", as: .carer).body.contains("Bert Jones"))
        #expect(try home.get("/residents?q=9991000003", as: .carer).body.contains("Bert Jones"))
        _ = try home.post("/residents/\(other)/movements", as: .nurse, form: ["kind": "went-to-hospital", "on_day": "2026-11-22"])
        let inHospital = try home.get("/residents?status=in-hospital", as: .carer)
        #expect(inHospital.body.contains("Bert Jones") && !inHospital.body.contains("Peggy Hughes"))
        // Current residents (the default) include those in hospital.
        #expect(try home.get("/residents", as: .carer).body.contains("Bert Jones"))
    }

    @Test("movements: hospital, return (re-admission), death with place; events and occupancy follow")
    func movements() throws {
        let home = try registryHome()
        let id = try addResident(home, ["admission_date": "2026-11-02"])
        #expect(try home.post("/residents/\(id)/movements", as: .nurse, form: ["kind": "went-to-hospital", "on_day": "2026-11-10"]).status == 303)
        // Not before the last movement; not in the future; a return needs a hospital stay first.
        let early = try home.post("/residents/\(id)/movements", as: .nurse, form: ["kind": "returned-from-hospital", "on_day": "2026-11-09"])
        #expect(early.status == 422 && early.body.contains("before the last movement"))
        let future = try home.post("/residents/\(id)/movements", as: .nurse, form: ["kind": "returned-from-hospital", "on_day": "2026-11-30"])
        #expect(future.status == 422 && future.body.contains("today or in the past"))
        #expect(try home.post("/residents/\(id)/movements", as: .nurse, form: ["kind": "returned-from-hospital", "on_day": "2026-11-13"]).status == 303)
        let noPlace = try home.post("/residents/\(id)/movements", as: .nurse, form: ["kind": "died", "on_day": "2026-11-21"])
        #expect(noPlace.status == 422 && noPlace.body.contains("Choose where the resident died"))
        #expect(try home.post("/residents/\(id)/movements", as: .nurse, form: ["kind": "died", "on_day": "2026-11-21", "place": "here"]).status == 303)

        let events = home.publishedEvents
        #expect(events.contains(.residentWentToHospital(residentID: id, on: Day(year: 2026, month: 11, day: 10)!)))
        #expect(events.contains(.residentReadmitted(residentID: id, on: Day(year: 2026, month: 11, day: 13)!)))
        #expect(events.contains(.residentDied(residentID: id, on: Day(year: 2026, month: 11, day: 21)!)))
        let dir = try directory(home)
        #expect(try dir.resident(id: id)?.status == .died)
        #expect(try dir.currentResidents().isEmpty)
        // Nights 2–9 Nov (8) and 13–20 Nov (8).
        #expect(try dir.occupiedBedDays(from: Day(year: 2026, month: 11, day: 1)!, to: Day(year: 2026, month: 11, day: 30)!) == 16)
        #expect(try dir.occupancy(on: Day(year: 2026, month: 11, day: 11)!) == 0)
        #expect(try dir.occupancy(on: Day(year: 2026, month: 11, day: 13)!) == 1)
        #expect(try dir.movements(residentID: id).map(\.kind) == [.admitted, .wentToHospital, .returnedFromHospital, .died])
        #expect(try home.get("/residents/\(id)", as: .carer).body.contains("Died (here, in the home)"))
    }

    @Test("correcting the latest movement keeps the wrong one, marked entered in error")
    func correctMovement() throws {
        let home = try registryHome()
        let id = try addResident(home)
        _ = try home.post("/residents/\(id)/movements", as: .nurse, form: ["kind": "went-to-hospital", "on_day": "2026-11-20"])
        let movements = try ResidentStore(database: home.context.database).allMovements(residentID: id)
        let latest = try #require(movements.last)
        let removed = try home.post("/residents/\(id)/movements/\(latest.id)/correct", as: .nurse, form: ["reason": "Wrong resident"])
        #expect(removed.status == 303)
        #expect(try directory(home).resident(id: id)?.status == .livingHere)
        let page = try home.get("/residents/\(id)/movements", as: .nurse)
        #expect(page.body.contains("Entered in error") && page.body.contains("Wrong resident"))
    }

    @Test("the resident page shows other plugins' panels")
    func panels() throws {
        let home = try TestHome(plugins: [ResidentsPlugin(today: { registryToday }), PanelProbe()])
        let id = try addResident(home)
        #expect(try home.get("/residents/\(id)", as: .carer).body.contains("probe panel for resident \(id)"))
    }

    @Test("the transfer summary has the identity, allergies, ReSPECT headline and contacts on one page")
    func transferSummary() throws {
        let home = try registryHome()
        let id = try addResident(home, ["plan_exists": "yes", "plan_kind": "respect", "plan_date": "2026-03-03", "plan_location": "Red folder",
                                        "plan_cpr": "not-for-cpr", "plan_hospital": "not-wanted", "plan_priority": "comfort",
                                        "nok_name": "Susan Hughes", "nok_relationship": "Daughter", "nok_phone": "07700 900123",
                                        "communication_needs": "Hard of hearing: left ear"])
        let page = try home.get("/residents/\(id)/transfer-summary", as: .carer)
        #expect(page.status == 200)
        for text in ["943 476 5919", "Penicillin: rash", "ReSPECT (3 Mar 2026): Not for CPR", "Prefers to stay here", "Prioritise comfort",
                     "Red folder", "Susan Hughes (Daughter), 07700 900123", "Hard of hearing", "send the MAR chart"] {
            #expect(page.body.contains(text), "\(text)")
        }
    }

    @Test("the printable list has every current resident with allergies and NHS numbers")
    func printList() throws {
        let home = try registryHome()
        _ = try addResident(home)
        let page = try home.get("/residents/print", as: .carer)
        #expect(page.status == 200)
        #expect(page.body.contains("Margaret Ann Hughes") && page.body.contains("943 476 5919") && page.body.contains("Penicillin: rash"))
    }

    @Test("a printed list, transfer summary or resident page says which home it came from and when it was printed")
    func printedSheetsNameTheHome() throws {
        let home = try registryHome()
        let id = try addResident(home)
        let saved = try home.post("/home-profile/edit", as: .manager, form: ["name": "Willow Court", "round_day": "3", "extra_days": "", "version": "0"])
        #expect(saved.status == 303)
        let masthead = #/<p class="print-only print-masthead"><strong>Willow Court</strong> · Printed \d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2} by [^<]+</p>/#
        for path in ["/residents/print", "/residents/\(id)/transfer-summary", "/residents/\(id)"] {
            let page = try home.get(path, as: .nurse)
            #expect(page.status == 200)
            #expect(page.body.contains(masthead), "\(path) has no printed heading with the home's name and time")
        }
    }

    @Test("the manager's extra non-working day moves deadlines for other plugins too")
    func homeProfile() throws {
        let home = try registryHome()
        let bad = try home.post("/home-profile/edit", as: .manager, form: ["name": "Willow Court", "extra_days": "25 Nov staff day", "version": "0"])
        #expect(bad.status == 422 && bad.body.contains("does not start with a real date"))
        let saved = try home.post("/home-profile/edit", as: .manager,
                                  form: ["name": "Willow Court", "round_day": "3", "extra_days": "2026-11-25 Staff training day", "version": "0"])
        #expect(saved.status == 303)
        let profile = try #require(home.context.services.resolve(Services.homeProfile))
        #expect(try profile.profile() == HomeProfile(name: "Willow Court", roundDay: .wednesday))
        let calendar = try directory(home).workingCalendar()
        #expect(calendar.admissionDeadline(admittedOn: Day(year: 2026, month: 11, day: 20)!) == Day(year: 2026, month: 12, day: 2))
        #expect(try home.get("/home-profile", as: .carer).body.contains("Staff training day"))
        // A stale form (someone saved in between) is refused, not silently overwritten.
        let stale = try home.post("/home-profile/edit", as: .manager, form: ["name": "Old name", "version": "0"])
        #expect(stale.status == 409)
    }
}

/// A plugin that contributes a resident-page panel, as the falls or medication plugins do.
final class PanelProbe: CarePlugin {
    let manifest = PluginManifest(id: "panel-probe", displayName: "Panel probe", version: "1", requires: ["residents"])
    var migrations: [Migration] { [] }
    func register(with registrar: any PluginRegistrar) throws {
        registrar.add(ResidentPanel(id: "probe", title: "Probe", roles: Role.careTeam) { _, id in "<p>probe panel for resident \(id)</p>" })
    }
}

@Suite("Audit and concurrent edits")
struct RegistryAuditTests {
    @Test("views, changes and prints of a resident's record are in the audit trail, without names")
    func audited() throws {
        let home = try registryHome()
        let id = try addResident(home)
        _ = try home.get("/residents/\(id)", as: .carer)
        _ = try home.get("/residents/\(id)/transfer-summary", as: .nurse)
        _ = try home.get("/residents/\(id)/history", as: .clinician)
        let entries = try home.appliance.audit.entries(AuditLog.Filter(residentID: id), limit: 50)
        let actions = Set(entries.map(\.action))
        #expect(actions.isSuperset(of: ["create", "view", "print"]))
        #expect(entries.contains { $0.username == "test-carer" && $0.detail == "resident record" })
        #expect(!entries.contains { $0.detail.contains("Hughes") || $0.detail.contains("9434765919") })
    }

    @Test("an edit made on a stale form is refused, not silently overwritten")
    func staleEdit() throws {
        let home = try registryHome()
        let id = try addResident(home)
        var first = residentForm(["room": "14"])
        first["version"] = "1"
        #expect(try home.post("/residents/\(id)/edit", as: .nurse, form: first).status == 303)
        var stale = residentForm(["room": "15"])
        stale["version"] = "1"
        let refused = try home.post("/residents/\(id)/edit", as: .manager, form: stale)
        #expect(refused.status == 409)
        #expect(try directory(home).resident(id: id)?.room == "14")
        // A movement recorded meanwhile does not make an edit stale.
        _ = try home.post("/residents/\(id)/movements", as: .nurse, form: ["kind": "went-to-hospital", "on_day": "2026-11-22"])
        var fresh = residentForm(["room": "16"])
        fresh["version"] = "2"
        #expect(try home.post("/residents/\(id)/edit", as: .manager, form: fresh).status == 303)
        #expect(try directory(home).resident(id: id)?.room == "16")
    }
}
