import CareKit
import CareTesting
import Foundation
import Testing
import ResidentsPlugin
import MedicationReviewPlugin
import FallsLogPlugin
import HomeRoundPlugin
@testable import DeteriorationPlugin

/// A home with every first-party plugin, residents added through the registry's own form.
struct DeteriorationHome {
    let home: TestHome
    var residentIDs: [Int64] = []

    init(residents: Int = 2, plugins: [any CarePlugin]? = nil) throws {
        home = try TestHome(plugins: plugins ?? [ResidentsPlugin(), MedicationReviewPlugin(), FallsLogPlugin(), HomeRoundPlugin(), DeteriorationPlugin()])
        for index in 0..<residents {
            let admitted = HomeTime.today().adding(days: -300)
            let response = try home.post("/residents/new", as: .manager, form: [
                "full_name": ["Margaret Ann Hughes", "Albert Owen", "Edith Jones"][index % 3], "preferred_name": ["Peggy", "Bert", "Edie"][index % 3],
                "date_of_birth": "1938-04-02", "room": String(index + 1), "admission_type": "permanent", "admission_date": admitted.iso,
                "allergies": "Penicillin: rash", "diagnoses": "Heart failure\nCOPD", "dementia_type": "no-dementia",
                "plan_exists": "yes", "plan_kind": "respect", "plan_date": admitted.iso, "plan_location": "red folder",
                "plan_cpr": "not-for-cpr", "plan_hospital": "wanted", "plan_priority": "balance",
            ])
            try #require(response.status == 303, "adding a resident failed: \(response.status)")
            residentIDs.append(try #require(Int64(response.location?.split(separator: "/").last.map(String.init) ?? "")))
        }
    }

    static func at(minutesAgo: Int) -> String { HomeTime.inputValue(Date().addingTimeInterval(TimeInterval(-minutesAgo * 60))) }

    /// A complete set scoring `total` in a known way, as a carer would enter it.
    static func normalSet(minutesAgo: Int = 10) -> [String: String] {
        ["taken_at": at(minutesAgo: minutesAgo), "respiration": "16", "spo2": "97", "oxygen": "air", "systolic": "130", "diastolic": "80",
         "pulse": "72", "consciousness": "alert", "temperature": "36.8"]
    }
}

@Suite("Deterioration pages, end to end through the real host")
struct DeteriorationPagesTests {
    @Test("a carer records soft signs, is taken to the observations form, and a complete set shows every sub-score and the total")
    func softSignsThenObservations() throws {
        let h = try DeteriorationHome()
        let id = h.residentIDs[0]
        #expect(try h.home.get("/deterioration/residents/\(id)/soft-signs/new", as: .carer).body.contains("Just not themselves"))
        let missing = try h.home.post("/deterioration/residents/\(id)/soft-signs/new", as: .carer, form: ["noticed_at": DeteriorationHome.at(minutesAgo: 5)])
        #expect(missing.status == 422)
        #expect(missing.body.contains("Tick at least one thing you have noticed"))
        let saved = try h.home.post("/deterioration/residents/\(id)/soft-signs/new", as: .carer, fields: [
            ("signs", "new-confusion"), ("signs", "eating-drinking-less"), ("noticed_at", DeteriorationHome.at(minutesAgo: 5)), ("notes", "Off her food"),
        ])
        #expect(saved.status == 303)
        let next = try #require(saved.location)
        #expect(next.contains("/observations/new?soft_signs="))
        #expect(try h.home.get(next, as: .carer).body.contains("New or worse confusion; eating or drinking less"))
        var form = DeteriorationHome.normalSet()
        form["respiration"] = "22"; form["consciousness"] = "new-confusion"
        let set = try h.home.post("/deterioration/residents/\(id)/observations/new", as: .carer, form: form)
        #expect(set.status == 303)
        let page = try h.home.get(try #require(set.location), as: .carer).body
        #expect(page.contains("NEWS2 total <strong>5</strong>"))                // 2 (breathing) + 3 (new confusion)
        #expect(page.contains("Medium (5–6): urgent response"))
        #expect(page.contains("At least every hour"))
        #expect(page.contains("No usual observations agreed"))
        // The audit trail has the record.
        let audited = try h.home.context.database.read { db in
            try db.scalar("SELECT COUNT(*) FROM core_audit WHERE detail LIKE 'observations % recorded'")
        }
        #expect(audited == 1)
    }

    @Test("impossible readings are refused beside the field with the input kept; unusual ones need a tick; an incomplete set has no total")
    func readings() throws {
        let h = try DeteriorationHome(residents: 1)
        let id = h.residentIDs[0]
        var form = DeteriorationHome.normalSet()
        form["spo2"] = "104"; form["temperature"] = "3.7"
        let refused = try h.home.post("/deterioration/residents/\(id)/observations/new", as: .carer, form: form)
        #expect(refused.status == 422)
        #expect(refused.body.contains("cannot be over 100%"))
        #expect(refused.body.contains("did you mean 37?"))
        #expect(refused.body.contains("value=\"104\""))
        #expect(refused.body.contains("<title>Error: "))
        form = DeteriorationHome.normalSet()
        form["pulse"] = "38"
        let check = try h.home.post("/deterioration/residents/\(id)/observations/new", as: .carer, form: form)
        #expect(check.status == 422)
        #expect(check.body.contains("Check these readings again before saving"))
        #expect(check.body.contains("Pulse 38 beats a minute"))
        form["confirm_unusual"] = "on"
        #expect(try h.home.post("/deterioration/residents/\(id)/observations/new", as: .carer, form: form).status == 303)
        var partial = DeteriorationHome.normalSet()
        partial["temperature"] = ""
        let saved = try h.home.post("/deterioration/residents/\(id)/observations/new", as: .carer, form: partial)
        let page = try h.home.get(try #require(saved.location), as: .carer).body
        #expect(page.contains("No total: temperature not measured"))
    }

    @Test("with their usual agreed by a nurse, a set 2 above it is flagged though the total is low; a carer cannot set the usual")
    func baseline() throws {
        let h = try DeteriorationHome(residents: 1)
        let id = h.residentIDs[0]
        #expect(try h.home.post("/deterioration/residents/\(id)/baseline", as: .carer, form: ["usual_news2": "1"]).status == 403)
        let agreed = try h.home.post("/deterioration/residents/\(id)/baseline", as: .nurse, form: [
            "usual_news2": "1", "respiration": "16", "spo2": "96", "oxygen": "air", "systolic": "130", "pulse": "72", "consciousness": "alert",
            "temperature": "36.8", "agreed_by": "Dr Gareth Price", "agreed_by_role": "GP", "agreed_on": HomeTime.today().iso,
        ])
        #expect(agreed.status == 303)
        var form = DeteriorationHome.normalSet()
        form["pulse"] = "95"; form["temperature"] = "38.2"; form["spo2"] = "95"     // 1 + 1 + 1 = 3: up 2 from 1
        let set = try h.home.post("/deterioration/residents/\(id)/observations/new", as: .carer, form: form)
        let page = try h.home.get(try #require(set.location), as: .carer).body
        #expect(page.contains("Above their usual: NEWS2 3, usual 1: up 2"))
        let list = try h.home.get("/deterioration", as: .nurse).body
        #expect(list.contains("Above usual"))
        #expect(try h.home.get("/", as: .nurse).body.contains("Deteriorating: above their usual or in a trigger band"))
    }

    @Test("scale 2 applies only after a clinician records the 88–92% target, and says who set it")
    func scaleTwo() throws {
        let h = try DeteriorationHome(residents: 1)
        let id = h.residentIDs[0]
        var form = DeteriorationHome.normalSet()
        form["spo2"] = "90"
        let before = try h.home.get(try #require(try h.home.post("/deterioration/residents/\(id)/observations/new", as: .carer, form: form).location), as: .carer).body
        #expect(before.contains("NEWS2 total <strong>3</strong>"))
        let target = try h.home.post("/deterioration/residents/\(id)/spo2-target", as: .clinician, form: [
            "scale": "2", "set_by": "Dr Ann Lee", "set_by_role": "Respiratory consultant", "set_on": HomeTime.today().iso, "reason": "COPD with type 2 respiratory failure",
        ])
        #expect(target.status == 303)
        let after = try h.home.get(try #require(try h.home.post("/deterioration/residents/\(id)/observations/new", as: .carer, form: form).location), as: .carer).body
        #expect(after.contains("NEWS2 total <strong>0</strong> (SpO2 scale 2)"))
        #expect(try h.home.get("/deterioration/residents/\(id)", as: .carer).body.contains("set by Dr Ann Lee (Respiratory consultant)"))
    }

    @Test("the escalation screen puts the plan, the latest set, allergies, medicines and an SBARD together; a nurse records the call and an admission reaches the registry")
    func escalation() throws {
        let h = try DeteriorationHome(residents: 1)
        let id = h.residentIDs[0]
        _ = try h.home.post("/medication/residents/\(id)/medicines/new", as: .nurse, form: [
            "name": "Apixaban 5mg tablets", "dose": "5 mg", "route": "oral", "frequency": "twice a day", "regular": "regular",
            "started_on": HomeTime.today().adding(days: -40).iso,
        ])
        var form = DeteriorationHome.normalSet()
        form["respiration"] = "26"; form["spo2"] = "91"; form["pulse"] = "118"     // 3 + 3 + 2 = 8: high
        #expect(try h.home.post("/deterioration/residents/\(id)/observations/new", as: .carer, form: form).status == 303)
        let screen = try h.home.get("/deterioration/residents/\(id)/escalate", as: .carer)
        #expect(screen.status == 200)
        let body = screen.body
        #expect(body.contains("ReSPECT and advance care plan"))
        #expect(body.contains("Suggested: 999 (emergency ambulance)"))
        #expect(body.contains("S — Situation: This is Test Carer (Carer)"))
        #expect(body.contains("their NEWS2 is 8"))
        #expect(body.contains("Apixaban 5mg tablets (anticoagulant)"))
        #expect(body.contains("Penicillin: rash"))
        #expect(!body.contains("Save the escalation"), "carers read the screen; nurses and clinicians record the call")
        #expect(try h.home.post("/deterioration/residents/\(id)/escalate", as: .carer, form: [:]).status == 403)
        let incomplete = try h.home.post("/deterioration/residents/\(id)/escalate", as: .nurse, form: ["route": "999", "called_who": "Ambulance control"])
        #expect(incomplete.status == 422)
        #expect(incomplete.body.contains("Write down the advice you were given"))
        #expect(incomplete.body.contains("value=\"Ambulance control\""))
        let saved = try h.home.post("/deterioration/residents/\(id)/escalate", as: .nurse, form: [
            "route": "999", "called_who": "Ambulance control", "called_at": DeteriorationHome.at(minutesAgo: 2), "advice": "Ambulance sent",
            "outcome": "admitted", "decision": "Admitted to the medical assessment unit", "record_hospital": "on",
        ])
        #expect(saved.status == 303)
        #expect(saved.flash?.contains("the move to hospital is on their record") == true)
        let status = try h.home.context.database.read { db in try db.queryOne("SELECT status FROM residents_residents WHERE id = ?", [.integer(id)])?.string("status") }
        #expect(status == "in-hospital")
        #expect(h.home.publishedEvents.contains(.residentWentToHospital(residentID: id, on: HomeTime.today())))
        #expect(try h.home.get("/deterioration/residents/\(id)", as: .nurse).body.contains("Ambulance control"))
    }

    @Test("the transfer summary carries what a crew needs first: the latest observations with NEWS2, the escalation and the falls of the last 30 days")
    func transferSummary() throws {
        let h = try DeteriorationHome(residents: 2)
        let id = h.residentIDs[0]
        let before = try h.home.get("/residents/\(id)/transfer-summary", as: .carer).body
        #expect(before.contains("Before the transfer"))
        #expect(before.contains("None recorded in the last 3 days"))
        var form = DeteriorationHome.normalSet(minutesAgo: 20)
        form["respiration"] = "26"; form["spo2"] = "91"; form["pulse"] = "118"     // NEWS2 8
        #expect(try h.home.post("/deterioration/residents/\(id)/observations/new", as: .carer, form: form).status == 303)
        #expect(try h.home.post("/deterioration/residents/\(id)/escalate", as: .nurse, form: [
            "route": "999", "called_who": "Ambulance control", "called_at": DeteriorationHome.at(minutesAgo: 5), "advice": "Ambulance sent",
            "outcome": "conveyed", "decision": "Conveyed to A&E",
        ]).status == 303)
        var fall = ["resident_id": String(id), "occurred_at": DeteriorationHome.at(minutesAgo: 60 * 30), "location": "bedroom",
                    "witnessed": "no", "injured": "no", "head_strike": "yes"]
        for question in ["intense-pain", "suspected-collapse", "trauma", "unusual-behaviour", "breathing", "bleeding", "loss-of-consciousness", "fracture"] {
            fall[question] = "no"
        }
        #expect(try h.home.post("/falls/new", as: .carer, form: fall).status == 303)
        let page = try h.home.get("/residents/\(id)/transfer-summary", as: .carer).body
        #expect(page.contains("Latest observations"))
        #expect(page.contains("NEWS2 8"))
        #expect(page.contains("Escalation"))
        #expect(page.contains("Ambulance control"))
        #expect(page.contains("Falls in the last 30 days"))
        #expect(page.contains("(head strike)"))
        // The other resident's summary has none of it.
        let other = try h.home.get("/residents/\(h.residentIDs[1])/transfer-summary", as: .carer).body
        #expect(!other.contains("NEWS2 8") && !other.contains("Ambulance control"))
    }

    @Test("a resident deteriorating since the last round is on the next round's agenda with what happened")
    func roundAgenda() throws {
        let h = try DeteriorationHome(residents: 2)
        _ = try h.home.post("/deterioration/residents/\(h.residentIDs[1])/soft-signs/new", as: .carer, fields: [
            ("signs", "not-themselves"), ("noticed_at", DeteriorationHome.at(minutesAgo: 30)),
        ])
        let opened = try h.home.post("/rounds/new", as: .nurse, form: ["round_day": HomeTime.today().iso])
        let agenda = try h.home.get(try #require(opened.location), as: .nurse).body
        #expect(agenda.contains("Deteriorating since the last round"))
        #expect(agenda.contains("Soft signs"))
        #expect(agenda.contains("just not themselves"))
    }

    @Test("the admin sees nothing here; pages need a role; a falls head-injury check links to a structured set")
    func roles() throws {
        let h = try DeteriorationHome(residents: 1)
        let id = h.residentIDs[0]
        for path in ["/deterioration", "/deterioration/residents/\(id)", "/deterioration/residents/\(id)/escalate"] {
            #expect(try h.home.get(path, as: .admin).status == 403, "\(path)")
            #expect(h.home.anonymous("GET", path).status != 200, "\(path)")
        }
        #expect(try h.home.get("/deterioration/rules", as: .carer).body.contains("DET-NEWS2-3"))
        // A head strike plans head-injury observations; their check page offers the structured form.
        let fall = try h.home.post("/falls/new", as: .carer, form: [
            "resident_id": String(id), "occurred_at": DeteriorationHome.at(minutesAgo: 20), "location": "lounge", "witnessed": "yes", "injured": "no", "head_strike": "yes",
        ])
        #expect(fall.status == 303)
        let checks = try h.home.context.database.read { db in try db.query("SELECT id, kind FROM falls_log_checks") }
        let observation = try #require(checks.first { $0.string("kind") != "skin" }?.int64("id"))
        let page = try h.home.get("/falls/checks/\(observation)", as: .carer).body
        #expect(page.contains("Record the observations as a set (NEWS2)"))
        #expect(page.contains("/deterioration/residents/\(id)/observations/new?prompt=Falls"))
    }

    @Test("metrics count sets, escalations by route and outcome, and missing baselines, with no personal data")
    func metrics() throws {
        let h = try DeteriorationHome(residents: 2)
        _ = try h.home.post("/deterioration/residents/\(h.residentIDs[0])/observations/new", as: .carer, form: DeteriorationHome.normalSet())
        let app = DeteriorationApp(context: try #require(h.home.context(of: "deterioration")))
        let metrics = try app.metrics()
        #expect(metrics.first { $0.name == "carehome_deterioration_observation_sets_30d" }?.samples.first?.value == 1)
        #expect(metrics.first { $0.name == "carehome_deterioration_baselines_missing" }?.samples.first?.value == 2)
        let labels = metrics.flatMap(\.samples).flatMap(\.labels.values).joined(separator: " ")
        #expect(!labels.contains("Hughes") && !labels.contains("Margaret"))
    }
}
