import Foundation
import Testing
import CareKit
import CareServices
import CareTesting
import ResidentsPlugin
import MedicationReviewPlugin
@testable import FallsLogPlugin

@Suite("Falls log pages, end to end through the real host")
struct FallsPagesTests {
    @Test("a carer's quick entry saves the fall, goes to the post-fall check and publishes fall recorded")
    func quickEntry() throws {
        let h = try FallsHome()
        let resident = h.residentIDs[0]
        let form = try h.home.get("/falls/new", as: .carer)
        #expect(form.status == 200)
        #expect(form.body.contains("Did they hit their head?"))
        let response = try h.home.post("/falls/new", as: .carer, form: [
            "resident_id": String(resident), "occurred_at": FallsHome.input(minutesAgo: 3), "location": "bedroom",
            "witnessed": "no", "injured": "yes", "head_strike": "unknown",
        ])
        #expect(response.status == 303)
        let location = try #require(response.location)
        #expect(location.hasSuffix("/check"))
        #expect(response.flash?.contains("post-fall check") == true)
        let fallID = try #require(Int64(location.split(separator: "/")[1]))
        let recorded = h.home.publishedEvents.compactMap { event -> (Int64, Bool?, Bool)? in
            if case .fallRecorded(let r, let f, _, let head, let injured) = event, f == fallID { return (r, head, injured) }
            return nil
        }
        #expect(recorded.count == 1)
        #expect(recorded.first?.0 == resident)
        #expect(recorded.first?.1 == nil)      // head strike not known
        #expect(recorded.first?.2 == true)
        let page = try h.home.get("/falls/\(fallID)", as: .carer)
        #expect(page.body.contains("Do the post-fall check before lifting"))
        #expect(page.body.contains("ReSPECT"))
    }

    @Test("the check comes first on the one fall form: all eight answered goes straight to the fall; one 'yes' shows Call 999 there; the banner waits hidden until a 'yes'")
    func checkOnTheFirstForm() throws {
        let h = try FallsHome(residents: 3)
        let form = try h.home.get("/falls/new", as: .carer)
        let firstQuestion = try #require(form.body.range(of: PostFallQuestion.allCases[0].question))
        let who = try #require(form.body.range(of: "Who fell"))
        #expect(firstQuestion.lowerBound < who.lowerBound, "the eight points come before who, when and where")
        #expect(form.body.contains("data-answer-all=\"no\""), "one tap answers all eight 'no' where the script runs")
        #expect(form.body.contains("<div class=\"shown-when-answered\" data-shown-when=\"yes\" data-scope=\"quick-fall-check\" hidden>"),
                "Call 999 is on the page, hidden until a 'yes' is ticked")
        func post(resident: Int64, yes: [PostFallQuestion], omit: [PostFallQuestion] = [], headStrike: String = "no") throws -> TestResponse {
            var fields = ["resident_id": String(resident), "occurred_at": FallsHome.input(minutesAgo: 2), "location": "lounge",
                          "witnessed": "yes", "injured": "no", "head_strike": headStrike]
            for q in PostFallQuestion.allCases where !omit.contains(q) { fields[q.rawValue] = yes.contains(q) ? "yes" : "no" }
            return try h.home.post("/falls/new", as: .carer, form: fields)
        }
        let clear = try post(resident: h.residentIDs[0], yes: [])
        #expect(clear.status == 303)
        let clearFall = try #require(clear.location)
        #expect(!clearFall.hasSuffix("/check"), "nothing left to ask: the fall itself, not the check again")
        let clearPage = try h.home.get(clearFall, as: .carer)
        #expect(clearPage.body.contains("No red flags on all eight points"))
        #expect(!clearPage.body.contains("Do the post-fall check before lifting"))

        let red = try post(resident: h.residentIDs[1], yes: [.breathing], omit: [.unusualBehaviour])
        let redPage = try h.home.get(try #require(red.location), as: .carer)
        #expect(redPage.body.contains("Call 999 — do not lift"))
        #expect(redPage.body.contains(PostFallQuestion.breathing.shortTitle))

        let half = try post(resident: h.residentIDs[2], yes: [], omit: [.unusualBehaviour, .breathing])
        #expect(try #require(half.location).hasSuffix("/check"), "unanswered points: the check comes next")
        let checkPage = try h.home.get(try #require(half.location), as: .carer)
        #expect(checkPage.body.contains("name=\"\(PostFallQuestion.trauma.rawValue)\" value=\"no\" checked"), "answers already given are kept")

        // Sent with a 'yes' and nothing else (no script): Call 999 shows first, above the errors.
        let bare = try h.home.post("/falls/new", as: .carer, form: [PostFallQuestion.lossOfConsciousness.rawValue: "yes"])
        #expect(bare.status == 422)
        let banner = try #require(bare.body.range(of: "Call 999 — do not lift"))
        let summary = try #require(bare.body.range(of: "error-summary"))
        #expect(banner.lowerBound < summary.lowerBound)
        #expect(bare.body.contains("data-shown-when=\"yes\" data-scope=\"quick-fall-check\">"), "the server shows it when a 'yes' came back")
    }

    @Test("the same fall recorded twice: a second entry within two hours asks 'is this the same fall?' with a link, before a second record is made")
    func sameFallTwice() throws {
        let h = try FallsHome()
        let resident = h.residentIDs[0]
        let first = try h.quickFall(resident: resident, minutesAgo: 100, anotherFall: false)
        func entry(minutesAgo: Int, _ extra: [String: String] = [:]) throws -> TestResponse {
            var form = ["resident_id": String(resident), "occurred_at": FallsHome.input(minutesAgo: minutesAgo), "location": "lounge",
                        "witnessed": "no", "injured": "no", "head_strike": "no"]
            form.merge(extra) { _, new in new }
            return try h.home.post("/falls/new", as: .carer, form: form)
        }
        // 100 minutes apart: within two hours, so it asks; nothing is saved yet.
        let asked = try entry(minutesAgo: 0)
        #expect(asked.status == 200)
        #expect(asked.body.contains("Is this the same fall?"))
        #expect(asked.body.contains("href=\"/falls/\(first)\""))
        #expect(asked.body.contains("It is another fall: save it"))
        #expect(try FallsLogPagesProbe.fallCount(h) == 1)
        // The carer says it is another fall: it is saved.
        #expect(try entry(minutesAgo: 0, ["same_fall": "another"]).status == 303)
        #expect(try FallsLogPagesProbe.fallCount(h) == 2)
        // More than two hours from both: no question.
        #expect(try entry(minutesAgo: -0 + 0, ["occurred_at": FallsHome.input(minutesAgo: 230)]).status == 303)
        // Another resident's fall at the same time is never asked about.
        #expect(try h.quickFall(resident: h.residentIDs[1], minutesAgo: 100, anotherFall: false) > 0)
    }

    @Test("a quick entry with answers missing comes back with each error beside its field and the input kept")
    func quickEntryErrors() throws {
        let h = try FallsHome()
        let response = try h.home.post("/falls/new", as: .carer, form: ["resident_id": String(h.residentIDs[0]), "location": "toilet"])
        #expect(response.status == 422)
        #expect(response.body.contains("There is a problem"))
        #expect(response.body.contains("Say whether they hit their head"))
        #expect(response.body.contains("Say whether anyone saw the fall"))
        #expect(response.body.contains("<option value=\"toilet\" selected>"))
        let future = try h.home.post("/falls/new", as: .carer, form: [
            "resident_id": String(h.residentIDs[0]), "occurred_at": FallsHome.input(minutesAgo: -120), "location": "toilet",
            "witnessed": "yes", "injured": "no", "head_strike": "no",
        ])
        #expect(future.status == 422)
        #expect(future.body.contains("is in the future"))
        #expect(try FallsLogPagesProbe.fallCount(h) == 0)
    }

    @Test("any yes on the I STUMBLE check shows Call 999 — do not lift; all noes with no head strike offer the community response")
    func postFallCheck() throws {
        let h = try FallsHome()
        let red = try h.quickFall(resident: h.residentIDs[0])
        let saved = try h.check(red, yes: [.fracture])
        #expect(saved.status == 303)
        #expect(saved.flash == "Post-fall check saved")
        let redPage = try h.home.get("/falls/\(red)", as: .carer)
        #expect(redPage.body.contains("Call 999 — do not lift"))
        #expect(redPage.body.contains("Evidence of fracture"))
        #expect(!redPage.body.contains("Urgent Community Response can come"))

        let calm = try h.quickFall(resident: h.residentIDs[1])
        _ = try h.check(calm)
        let calmPage = try h.home.get("/falls/\(calm)", as: .carer)
        #expect(!calmPage.body.contains("Call 999 — do not lift"))
        #expect(calmPage.body.contains("2-hour Urgent Community Response can come instead of 999"))
    }

    @Test("a single yes is enough, but with no yes every point must be answered")
    func incompleteCheck() throws {
        let h = try FallsHome()
        let fall = try h.quickFall(resident: h.residentIDs[0])
        let oneYes = try h.home.post("/falls/\(fall)/check", as: .carer, form: ["bleeding": "yes"])
        #expect(oneYes.status == 303)
        let other = try h.quickFall(resident: h.residentIDs[1])
        let partial = try h.home.post("/falls/\(other)/check", as: .carer, form: ["bleeding": "no", "trauma": "no"])
        #expect(partial.status == 422)
        #expect(partial.body.contains("Answer \u{201C}Intense pain\u{201D}: yes or no"))
        #expect(partial.body.contains("value=\"no\" checked"))
    }

    @Test("without the medicines list the check asks about anticoagulants; a head strike on one shows hospital assessment with NG232 and ReSPECT")
    func ng232Banner() throws {
        let h = try FallsHome()
        let fall = try h.quickFall(resident: h.residentIDs[0], witnessed: false, injured: true, headStrike: "yes")
        let form = try h.home.get("/falls/\(fall)/check", as: .carer)
        #expect(form.body.contains("Do they take an anticoagulant or antiplatelet medicine?"))
        #expect(form.body.contains("Not for CPR"))
        let missing = try h.check(fall)
        #expect(missing.status == 422)
        #expect(missing.body.contains("Say whether they take an anticoagulant"))
        _ = try h.check(fall, extra: ["antithrombotic": "anticoagulant"])
        let page = try h.home.get("/falls/\(fall)", as: .nurse)
        #expect(page.body.contains("Hospital assessment needed"))
        #expect(page.body.contains("NICE NG232"))
        #expect(page.body.contains("Not for CPR"))
        #expect(!page.body.contains("Urgent Community Response can come"))

        let aspirin = try h.quickFall(resident: h.residentIDs[1], headStrike: "yes")
        _ = try h.check(aspirin, extra: ["antithrombotic": "aspirin-alone"])
        #expect(!(try h.home.get("/falls/\(aspirin)", as: .nurse)).body.contains("Hospital assessment needed"))
    }

    @Test("carers record but cannot complete; the admin sees nothing of the falls log")
    func roles() throws {
        let h = try FallsHome()
        let fall = try h.quickFall(resident: h.residentIDs[0])
        #expect(try h.home.get("/falls/\(fall)/complete", as: .carer).status == 403)
        #expect(try h.home.get("/falls/\(fall)/complete", as: .clinician).status == 403)
        #expect(try h.home.get("/falls/\(fall)/complete", as: .nurse).status == 200)
        #expect(try h.home.get("/falls", as: .admin).status == 403)
        #expect(try h.home.get("/falls/\(fall)", as: .admin).status == 403)
        #expect(try h.home.get("/falls/new", as: .clinician).status == 200)
        #expect(try h.home.post("/falls/\(fall)/entered-in-error", as: .carer, form: ["reason": "x"]).status == 403)
    }

    @Test("completing works out time on the floor and flags a long lie at one hour")
    func completeAndLongLie() throws {
        let h = try FallsHome()
        let fall = try h.quickFall(resident: h.residentIDs[0], minutesAgo: 120)
        var form = FallsHome.completeForm(minutesAgo: 120, upAfter: 59, version: 1)
        let short = try h.home.post("/falls/\(fall)/complete", as: .nurse, form: form)
        #expect(short.status == 303)
        let shortPage = try h.home.get("/falls/\(fall)", as: .nurse)
        #expect(shortPage.body.contains("59 min"))
        #expect(!shortPage.body.contains("Long lie"))

        let other = try h.quickFall(resident: h.residentIDs[1], minutesAgo: 120)
        form = FallsHome.completeForm(minutesAgo: 120, upAfter: 60, version: 1)
        #expect(try h.home.post("/falls/\(other)/complete", as: .nurse, form: form).status == 303)
        let longPage = try h.home.get("/falls/\(other)", as: .nurse)
        #expect(longPage.body.contains("Long lie: 1 h on the floor"))
    }

    @Test("the completion form refuses missing answers and backwards times, keeping what was typed")
    func completeValidation() throws {
        let h = try FallsHome()
        let fall = try h.quickFall(resident: h.residentIDs[0], minutesAgo: 30)
        var form = FallsHome.completeForm(minutesAgo: 30, version: 1)
        form["up_at"] = FallsHome.input(minutesAgo: 40)
        form["harm"] = nil
        form["notes"] = "Found by the lounge door"
        let response = try h.home.post("/falls/\(fall)/complete", as: .nurse, form: form)
        #expect(response.status == 422)
        #expect(response.body.contains("Off the floor must be at or after the fall"))
        #expect(response.body.contains("Choose the degree of harm"))
        #expect(response.body.contains("Found by the lounge door"))
    }

    @Test("an amendment needs a reason and keeps the earlier version; entered in error hides the fall but keeps it")
    func amendAndEnteredInError() throws {
        let h = try FallsHome()
        let fall = try h.quickFall(resident: h.residentIDs[0], minutesAgo: 30)
        #expect(try h.home.post("/falls/\(fall)/complete", as: .nurse, form: FallsHome.completeForm(minutesAgo: 30, version: 1)).status == 303)
        var form = FallsHome.completeForm(minutesAgo: 30, version: 2)
        form["location"] = "corridor"
        let noReason = try h.home.post("/falls/\(fall)/amend", as: .manager, form: form)
        #expect(noReason.status == 422)
        #expect(noReason.body.contains("Give the reason for the amendment"))
        form["reason"] = "Wrong place chosen on the phone"
        let amended = try h.home.post("/falls/\(fall)/amend", as: .manager, form: form)
        #expect(amended.status == 303)
        let page = try h.home.get("/falls/\(fall)", as: .nurse)
        #expect(page.body.contains("Wrong place chosen on the phone"))
        #expect(page.body.contains("Corridor"))
        #expect(page.body.contains("<td>where</td>"))      // the history names the changed field
        #expect(page.body.contains("version 3"))
        // A stale form (version 2 again) is refused rather than overwriting the amendment.
        let stale = try h.home.post("/falls/\(fall)/amend", as: .manager, form: form)
        #expect(stale.status == 409)

        let eie = try h.home.post("/falls/\(fall)/entered-in-error", as: .nurse, form: ["reason": "Wrong resident", "version": "3"])
        #expect(eie.status == 303)
        #expect(!(try h.home.get("/falls", as: .nurse)).body.contains("/falls/\(fall)\""))
        let kept = try h.home.get("/falls/\(fall)", as: .nurse)
        #expect(kept.status == 200)
        #expect(kept.body.contains("Entered in error"))
        #expect(kept.body.contains("Wrong resident"))
        let source = try #require(h.home.context.services.resolve(Services.falls))
        #expect(try source.falls(residentID: nil, since: Date(timeIntervalSince1970: 0)).isEmpty)
    }

    @Test("the skin check at 24 hours is due now, the 48-hour one overdue after its window, and each leaves the list when recorded")
    func checksDue() throws {
        let h = try FallsHome()
        _ = try h.quickFall(resident: h.residentIDs[0], minutesAgo: 23 * 60)
        _ = try h.quickFall(resident: h.residentIDs[1], minutesAgo: 53 * 60)
        let list = try h.home.get("/falls/checks", as: .carer)
        #expect(list.body.contains("Skin and bruising check at 24 hours"))
        #expect(list.body.contains("Skin and bruising check at 48 hours"))
        #expect(list.body.contains("Overdue"))
        #expect(list.body.contains("Due now"))
        let dashboardCard = try FallsApp(context: try #require(h.home.context(of: "falls-log"))).dueChecksCard(
            Request(method: .get, path: "/", principal: try h.home.principal(.carer)))
        #expect(dashboardCard?.rendered.contains("overdue") == true)

        let checks = try h.home.context.database.read { db in try FallsStore.dueChecks(now: Date(), in: db) }
        let first = try #require(checks.first)
        let empty = try h.home.post("/falls/checks/\(first.id)", as: .carer, form: [:])
        #expect(empty.status == 422)
        let done = try h.home.post("/falls/checks/\(first.id)", as: .carer, form: ["findings": "No new bruising"])
        #expect(done.status == 303)
        #expect(done.flash == "Check recorded")
        let after = try h.home.context.database.read { db in try FallsStore.dueChecks(now: Date(), in: db) }
        #expect(after.count == checks.count - 1)
    }

    @Test("a fall that ends in a hospital admission stops the home's open checks")
    func admissionStopsChecks() throws {
        let h = try FallsHome()
        let fall = try h.quickFall(resident: h.residentIDs[0], minutesAgo: 23 * 60)
        #expect(try h.home.get("/falls/checks", as: .carer).body.contains("Skin and bruising check at 24 hours"))
        var form = FallsHome.completeForm(minutesAgo: 23 * 60, upAfter: 40, version: 1)
        form["conveyed"] = "yes"
        form["admitted"] = "yes"
        #expect(try h.home.post("/falls/\(fall)/complete", as: .nurse, form: form).status == 303)
        #expect(!(try h.home.get("/falls/checks", as: .carer)).body.contains("Skin and bruising check at 24 hours"))
        #expect(try h.home.get("/falls/\(fall)", as: .nurse).body.contains("No checks: admitted to hospital from this fall."))
        form["conveyed"] = "no"
        form["version"] = "2"
        let contradiction = try h.home.post("/falls/\(fall)/amend", as: .nurse, form: form.merging(["reason": "typo"]) { $1 })
        #expect(contradiction.status == 422)
        #expect(contradiction.body.contains("Admitted, but not taken to hospital"))
    }

    @Test("a fall stays readable when the resident's register entry is marked entered in error")
    func residentEnteredInError() throws {
        let h = try FallsHome()
        let fall = try h.quickFall(resident: h.residentIDs[0])
        let marked = try h.home.post("/residents/\(h.residentIDs[0])/entered-in-error", as: .manager, form: ["reason": "Duplicate record"])
        #expect(marked.status == 303)
        let page = try h.home.get("/falls/\(fall)", as: .nurse)
        #expect(page.status == 200)
        #expect(page.body.contains("not in the register"))
        #expect(page.body.contains("check the paper ReSPECT form"))
        #expect(try h.home.get("/falls", as: .nurse).status == 200)
    }

    @Test("a head strike adds observation checks; the first is due half an hour after being found")
    func observationChecks() throws {
        let h = try FallsHome()
        let fall = try h.quickFall(resident: h.residentIDs[0], minutesAgo: 30, headStrike: "yes")
        let page = try h.home.get("/falls/\(fall)", as: .carer)
        #expect(page.body.contains("Head injury observations at 30 minutes"))
        #expect(page.body.occurrences(of: "Head injury observations at") == 17)
        let list = try h.home.get("/falls/checks", as: .carer)
        #expect(list.body.contains("Head injury observations at 30 minutes"))
    }

    @Test("the falls assessment is prompted after a fall and on admission, shows no risk score, and wants an action per problem")
    func assessment() throws {
        let h = try FallsHome(residents: 1)
        let admittedPrompt = try h.home.get("/falls/assessments", as: .nurse)
        #expect(admittedPrompt.body.contains("Prompted on moving in"))
        let resident = h.residentIDs[0]
        let page = try h.home.get("/falls/assessments/\(resident)", as: .nurse)
        #expect(page.body.contains("No falls risk score is used"))
        #expect(page.body.contains("NICE NG249"))
        var form = [String: String]()
        for component in AssessmentComponent.allCases { form["\(component.rawValue)-problem"] = "no" }
        form["vision-problem"] = "yes"
        form["vision-finding"] = "Glasses lost"
        let missing = try h.home.post("/falls/assessments/\(resident)", as: .nurse, form: form)
        #expect(missing.status == 422)
        #expect(missing.body.contains("every problem found needs one"))
        form["vision-action"] = "Optician booked for Friday"
        let saved = try h.home.post("/falls/assessments/\(resident)", as: .nurse, form: form)
        #expect(saved.status == 303)
        #expect(saved.flash == "Falls assessment saved: 1 problem with actions")
        #expect(!(try h.home.get("/falls/assessments", as: .nurse)).body.contains("/falls/assessments/\(resident)\""))
        _ = try h.quickFall(resident: resident)
        #expect(try h.home.get("/falls/assessments", as: .nurse).body.contains("Prompted after a fall"))
        #expect(try h.home.post("/falls/assessments/\(resident)", as: .carer, form: form).status == 403)
    }

    @Test("the figures are server-drawn SVG with tables and links to the falls behind them, and no script or inline style")
    func analytics() throws {
        let h = try FallsHome()
        _ = try h.quickFall(resident: h.residentIDs[0], location: "bedroom", injured: true)
        _ = try h.quickFall(resident: h.residentIDs[0], minutesAgo: 90, location: "bedroom")
        let page = try h.home.get("/falls/analytics", as: .manager)
        #expect(page.status == 200)
        #expect(page.body.occurrences(of: "<svg") >= 4)
        // The appliance's one script file (enhancements) may load; the figures need none of their own.
        #expect(page.body.occurrences(of: "<script") == page.body.occurrences(of: "<script src=\"/assets/app.js\" defer></script>"))
        #expect(!page.body.contains("style="))
        #expect(page.body.contains("per 1,000 occupied bed days"))
        let month = CalendarMonth(HomeTime.today()).iso
        #expect(page.body.contains("href=\"/falls?month=\(month)\""))
        #expect(page.body.contains("href=\"/falls?location=bedroom"))
        #expect(page.body.contains("Residents with two or more falls"))
        let list = try h.home.get("/falls?month=\(month)&injured=yes", as: .manager)
        #expect(list.body.contains("1 fall, newest first"))
    }

    @Test("the CSV export lists the falls and neutralises a formula typed into a field")
    func csvExport() throws {
        let h = try FallsHome()
        let fall = try h.quickFall(resident: h.residentIDs[0], minutesAgo: 30, injured: true)
        var form = FallsHome.completeForm(minutesAgo: 30, version: 1)
        form["injured"] = "yes"
        form["harm"] = "low"
        form["injuries"] = "=HYPERLINK(\"http://evil\")"
        #expect(try h.home.post("/falls/\(fall)/complete", as: .nurse, form: form).status == 303)
        let csv = try h.home.get("/falls/analytics/falls.csv", as: .manager)
        #expect(csv.status == 200)
        #expect(csv.header("Content-Type")?.hasPrefix("text/csv") == true)
        #expect(csv.body.hasPrefix("Fall,Date,Time,Day,Resident ID"))
        #expect(csv.body.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""))
        #expect(try h.home.get("/falls/analytics/falls.csv", as: .carer).status == 403)
    }

    @Test("the resident page panel shows recent falls and due checks")
    func residentPanel() throws {
        let h = try FallsHome()
        _ = try h.quickFall(resident: h.residentIDs[0], minutesAgo: 23 * 60)
        _ = try h.quickFall(resident: h.residentIDs[0], minutesAgo: 60)
        let app = FallsApp(context: try #require(h.home.context(of: "falls-log")))
        let panel = try app.residentPanel(Request(method: .get, path: "/residents/1", principal: try h.home.principal(.carer)),
                                          residentID: h.residentIDs[0])
        let html = try #require(panel).rendered
        #expect(html.contains("2 falls in the last six months"))
        #expect(html.contains("Skin and bruising check at 24 hours"))
        #expect(html.contains("/falls/new?resident=\(h.residentIDs[0])"))
    }

    @Test("demo data seeds a recent anticoagulated head strike, a long lie, a fracture and checks due now")
    func demoData() throws {
        let h = try FallsHome(residents: 5)
        try h.home.seedDemoData(today: HomeTime.today())
        let falls = try h.home.context.database.read { db in try FallsStore.falls(in: db) }
        #expect(falls.count >= 20)
        #expect(falls.contains { $0.headInjuryAdvice.needsHospital && $0.occurredAt > Date().addingTimeInterval(-3 * 3600) })
        #expect(falls.contains { $0.isLongLie })
        #expect(falls.contains { $0.fracture == true })
        let due = try h.home.context.database.read { db in try FallsStore.dueChecks(now: Date(), in: db) }
        #expect(due.contains { $0.state(now: Date()) == .overdue })
        #expect(due.contains { $0.state(now: Date()) == .dueNow })
        let analytics = try h.home.get("/falls/analytics", as: .manager)
        #expect(analytics.status == 200)
        let eie = try h.home.context.database.read { db in try db.scalar("SELECT COUNT(*) FROM falls_log_falls WHERE status = 'entered-in-error'") }
        #expect(eie == 1)
    }
}

enum FallsLogPagesProbe {
    static func fallCount(_ h: FallsHome) throws -> Int64 {
        try h.home.context.database.read { db in try db.scalar("SELECT COUNT(*) FROM falls_log_falls") } ?? -1
    }
}

@Suite("Falls log with the medication plugin loaded")
struct FallsWithMedicinesTests {
    @Test("with the medicines list loaded, a head strike on apixaban shows hospital assessment without asking the question")
    func medicinesFromService() throws {
        let home = try TestHome(plugins: [ResidentsPlugin(), MedicationReviewPlugin(), FallsLogPlugin()])
        let h = try FallsHome(home: home, residents: 5)
        try home.seedDemoData(today: HomeTime.today())
        let medicines = try #require(home.context.services.resolve(Services.currentMedicines))
        let onAnticoagulant = try #require(try h.residentIDs.first { id in
            if case .anticoagulant = try medicines.antithromboticStatus(residentID: id) { return true }
            return false
        })
        let fall = try h.quickFall(resident: onAnticoagulant, headStrike: "yes")
        let form = try home.get("/falls/\(fall)/check", as: .carer)
        #expect(!form.body.contains("Do they take an anticoagulant or antiplatelet medicine?"))
        // NG232 as soon as it is known: on the check itself, first, with what to do now.
        let banner = try #require(form.body.range(of: "Hospital assessment needed (head injury on an anticoagulant or antiplatelet)"))
        let check = try #require(form.body.range(of: "I STUMBLE: answer each"))
        #expect(banner.lowerBound < check.lowerBound)
        #expect(form.body.contains("Now: tell the nurse in charge, and call NHS 111 or 999 for assessment in hospital."))
        #expect(try h.check(fall).status == 303)
        let page = try home.get("/falls/\(fall)", as: .carer)
        #expect(page.body.contains("Hospital assessment needed"))
        #expect(page.body.contains("Medicines list: Apixaban"))
        // The seeded recent head strike sits on the same resident, with the medicines list as its source.
        let seeded = try home.context.database.read { db in try FallsStore.falls(residentID: onAnticoagulant, in: db) }
        #expect(seeded.contains { $0.headInjuryAdvice.needsHospital && $0.antithromboticSource.hasPrefix("Medicines list") && $0.id != fall })
    }
    @Test("a medicines list with a medicine the drug table does not know is not evidence of 'no anticoagulant': the check asks and says why")
    func unclassifiedMedicineMeansAsk() throws {
        let home = try TestHome(plugins: [ResidentsPlugin(), MedicationReviewPlugin(), FallsLogPlugin()])
        let h = try FallsHome(home: home, residents: 2)
        let started = HomeTime.today().adding(days: -30).iso
        func add(_ resident: Int64, _ name: String) throws {
            let saved = try home.post("/medication/residents/\(resident)/medicines/new", as: .nurse, form: [
                "name": name, "dose": "1 tablet", "route": "oral", "frequency": "once a day", "regular": "regular", "started_on": started,
            ])
            #expect(saved.status == 303, "\(name) not saved: \(saved.status)")
        }
        // Resident 0: every medicine known, none an anticoagulant: the list answers "none".
        try add(h.residentIDs[0], "Amlodipine 5mg tablets")
        let known = try h.quickFall(resident: h.residentIDs[0], headStrike: "yes")
        #expect(!(try home.get("/falls/\(known)/check", as: .carer)).body.contains("Do they take an anticoagulant or antiplatelet medicine?"))
        // Resident 1: the same, plus a misspelt DOAC: the form must ask, and name the medicine it could not read.
        try add(h.residentIDs[1], "Amlodipine 5mg tablets")
        try add(h.residentIDs[1], "Apixaben 5mg")
        let unknown = try h.quickFall(resident: h.residentIDs[1], headStrike: "yes")
        let form = try home.get("/falls/\(unknown)/check", as: .carer).body
        #expect(form.contains("Do they take an anticoagulant or antiplatelet medicine?"))
        #expect(form.contains("the drug table does not recognise (Apixaben 5mg)"))
        // Unanswered, the check is refused; answered "anticoagulant", the fall says hospital assessment.
        #expect(try h.check(unknown).status == 422)
        #expect(try h.check(unknown, extra: ["antithrombotic": "anticoagulant"]).status == 303)
        let page = try home.get("/falls/\(unknown)", as: .carer).body
        #expect(page.contains("Hospital assessment needed"))
        #expect(!page.contains("No anticoagulant or antiplatelet (Medicines list)"))
        // The transfer summary says the list cannot tell.
        let transfer = try home.get("/residents/\(h.residentIDs[1])/transfer-summary", as: .nurse)
        #expect(transfer.status == 200)
        #expect(transfer.body.contains("Anticoagulants: not known from this list"))
        #expect(transfer.body.contains("Apixaben 5mg"))
    }
}

