import Foundation
import CareKit
import CareServices

// MARK: - The falls list (every figure links here with a filter)

extension FallsApp {
    func listFalls(_ request: Request) throws -> Response {
        var filter = FallFilter(query: request.query)
        // Without a filter the list shows the last twelve months; older falls are one link away.
        let olderHidden = filter.isEmpty
        if olderHidden { filter.since = HomeTime.startOf(HomeTime.today(now()).adding(months: -12)) }
        // The time bounds go to SQL (an index on the time), the other filters are checked here.
        let since = [filter.since, filter.month.map { HomeTime.startOf($0.first) }].compactMap { $0 }.max()
        let before = filter.month.map { HomeTime.startOf($0.adding(months: 1).first) }
        let falls = try database.read { db in
            try FallsStore.falls(residentID: filter.residentID, since: since, before: before, status: filter.toComplete ? .firstEntry : nil, in: db)
        }.filter(filter.matches)
        let residents = try residents(for: falls.map(\.residentID))
        context.audit.record(request, .view, residentID: filter.residentID, detail: "falls list")
        let rows = falls.map(withMedicinesAnswer).map { fall -> [HTML] in
            var flags = [HTML]()
            if fall.headStrike == .yes { flags.append(UI.tag("Head strike", colour: "orange")) }
            if fall.headInjuryAdvice.needsHospital { flags.append(UI.tag("NG232: hospital", colour: "red")) }
            if fall.postFallCheck?.isCall999 == true { flags.append(UI.tag("999", colour: "red")) }
            if fall.isLongLie { flags.append(UI.tag("Long lie", colour: "orange")) }
            if fall.fracture == true { flags.append(UI.tag("Fracture", colour: "red")) }
            let status: HTML = fall.status == .firstEntry ? UI.tag("To complete", colour: "yellow") : HTML(text: fall.status.title)
            return [UI.link(HomeTime.display(fall.occurredAt), to: "/falls/\(fall.id)"), residentLink(fall.residentID, residents),
                    HTML(text: fall.summary), flags.joined(), status]
        }
        let dueCount = try dueChecksForResidentsHere(now: now()).0.count
        let heading: HTML = olderHidden
            ? "<p class=\"lead\">Falls in the last twelve months. \(UI.link("Include older falls", to: "/falls?since=2000-01-01"))</p>"
            : "<p class=\"lead\">Showing falls: \(filter.description). \(UI.link("Show all recent falls", to: "/falls"))</p>"
        let body: HTML = """
        <div class="falls-actions">\(UI.buttonLink("Record a fall", to: "/falls/new"))\
        \(UI.buttonLink("Checks due now (\(dueCount))", to: "/falls/checks", kind: "secondary"))\
        \(UI.buttonLink("Falls assessments", to: "/falls/assessments", kind: "secondary"))\
        \(UI.buttonLink("Figures", to: "/falls/analytics", kind: "secondary"))</div>
        \(helpLink)
        \(heading)
        \(UI.table(caption: "\(falls.count) \(falls.count == 1 ? "fall" : "falls"), newest first", headers: ["When", "Resident", "What happened", "Flags", "Record"], rows: rows, emptyMessage: "No falls recorded."))
        """
        return .page(Page(title: "Falls", body: body))
    }
}

// MARK: - Checks due now

extension FallsApp {
    func dueChecksPage(_ request: Request) throws -> Response {
        let now = now()
        let (checks, residents) = try dueChecksForResidentsHere(now: now)
        context.audit.record(request, .view, residentID: nil, detail: "falls checks due now")
        let body: HTML = """
        <p class="lead">Checks after a fall that are due now or overdue, most overdue first.</p>
        \(checksTable(checks, residents: residents, now: now))
        \(FallRule.followUpChecks.html)
        """
        return .page(Page(title: "Falls checks due now", breadcrumbs: FallsApp.breadcrumbs(), body: body))
    }

    /// Due checks for residents living here now (a resident in hospital cannot be checked by the home).
    func dueChecksForResidentsHere(now: Date) throws -> ([FollowUpCheck], [Int64: ResidentSummary]) {
        let checks = try database.read { db in try FallsStore.dueChecks(now: now, in: db) }
        let residents = try residents(for: checks.map(\.residentID))
        return (checks.filter { residents[$0.residentID]?.status == .livingHere }, residents)
    }

    func checksTable(_ checks: [FollowUpCheck], residents: [Int64: ResidentSummary], now: Date) -> HTML {
        let rows = checks.map { check -> [HTML] in
            let state = check.state(now: now)
            let when: HTML = state == .overdue
                ? "<span class=\"falls-overdue\">\(HomeTime.display(check.dueAt))</span>"
                : HTML(text: HomeTime.display(check.dueAt))
            return [state.tag, when, residentLink(check.residentID, residents), HTML(text: check.label),
                    UI.buttonLink("Record check", to: "/falls/checks/\(check.id)", kind: "secondary") + " " + UI.link("The fall", to: "/falls/\(check.fallID)")]
        }
        return UI.actionTable(caption: "Checks due now", headerCells: ["State", "Due", "Resident", "Check", "Action"], rows: rows,
                              emptyMessage: "No falls checks are due now.")
    }

    func checkDoneForm(_ request: Request) throws -> Response {
        try checkDonePage(request, form: FormData(), errors: FormErrors(), status: 200)
    }

    private func loadCheck(_ request: Request) throws -> FollowUpCheck {
        let id = try request.id("checkID")
        guard let check = try database.read({ try FallsStore.check(id, in: $0) }) else { throw CareError.notFound("No such check.") }
        return check
    }

    private func checkDonePage(_ request: Request, form: FormData, errors: FormErrors, status: Int) throws -> Response {
        let check = try loadCheck(request)
        let resident = try recordResident(check.residentID)
        context.audit.record(request, .view, residentID: check.residentID, detail: "fall \(check.fallID) check \(check.key)")
        let hint = check.kind == .skin
            ? "Skin colour, bruising, swelling, skin tears, pressure areas, pain on moving."
            : "Consciousness (ACVPU), pupils, pulse, breathing rate, blood pressure, temperature; anything new such as headache, vomiting or drowsiness."
        let done: HTML = check.doneAt.map { "<p>Done by \(check.doneByName ?? "") at \(HomeTime.display($0)): \(check.findings)</p>" } ?? .empty
        let formHTML: HTML = check.doneAt != nil ? .empty : """
        \(Form.start(action: "/falls/checks/\(check.id)", request: request))
        \(Form.textarea("findings", label: "What you found", value: form["findings"], errors: errors, hint: hint, rows: 4, required: true))
        \(Form.submit("Record the check as done"))
        \(Form.end)
        """
        // With the deterioration plugin loaded, the observations go in as a structured set (trend, NEWS2),
        // and this check records what was found besides.
        var structured: HTML = .empty
        if check.kind != .skin, check.doneAt == nil, let deterioration = context.services.resolve(Services.deterioration) {
            let path = deterioration.observationFormPath(residentID: check.residentID, prompt: "Falls log: \(check.label)")
            structured = "<p>\(UI.buttonLink("Record the observations as a set (NEWS2)", to: path, kind: "secondary"))</p>"
        }
        let body: HTML = """
        \(Form.errorSummary(errors))
        <p class="lead">\(resident.label): \(check.label), due \(HomeTime.display(check.dueAt)). \(check.state(now: now()).tag)</p>
        \(structured)
        \(done)
        \(formHTML)
        <p>Escalate any change: call the GP, 111 or 999 as the observations and the ReSPECT form indicate.</p>
        """
        return .page(Page(title: check.label, breadcrumbs: FallsApp.breadcrumbs(("Checks due now", "/falls/checks"), ("Fall \(check.fallID)", "/falls/\(check.fallID)")),
                          body: body), status: status)
    }

    func saveCheckDone(_ request: Request) throws -> Response {
        let check = try loadCheck(request)
        guard let findings = request.form.nonEmpty("findings") else {
            var errors = FormErrors()
            errors.add("findings", "Record what you found (for example: no new bruising)")
            return try checkDonePage(request, form: request.form, errors: errors, status: 422)
        }
        let when = now()
        try database.write { db in try FallsStore.recordCheck(check.id, findings: findings, by: request.principal, at: when, in: db) }
        context.audit.record(request, .amend, residentID: check.residentID, detail: "fall \(check.fallID) check \(check.key) done")
        return .redirect(to: "/falls/checks", flash: "Check recorded")
    }
}

// MARK: - Multifactorial falls assessment (NICE NG249)

extension FallsApp {
    /// Open falls assessments of current residents (living here or in hospital): one who has left needs none.
    func waitingAssessments() throws -> [FallsAssessmentRecord] {
        let open = try database.read { db in try FallsStore.openAssessments(in: db) }
        let current = Set(try directory().currentResidents().map(\.id))
        return open.filter { current.contains($0.residentID) }
    }

    func assessmentsList(_ request: Request) throws -> Response {
        let waiting = try waitingAssessments()
        let residents = try residents(for: waiting.map(\.residentID))
        context.audit.record(request, .view, residentID: nil, detail: "falls assessments due")
        let rows = waiting.map { assessment -> [HTML] in
            [residentLink(assessment.residentID, residents), HTML(text: "Prompted \(assessment.promptText)") + UI.why(ruleID: assessment.rule.id, source: assessment.rule.source),
             HTML(text: assessment.promptedByMovement ? HomeTime.day(of: assessment.promptedAt).display : HomeTime.display(assessment.promptedAt)),
             UI.link("Do the assessment", to: "/falls/assessments/\(assessment.residentID)")]
        }
        let body: HTML = """
        \(FallRule.multifactorialAssessment.html)
        \(FallRule.reassessmentAfterHospital.html)
        \(UI.table(caption: "Falls assessments to do", headers: ["Resident", "Why", "Since", "Action"], rows: rows, emptyMessage: "No falls assessments are waiting."))
        """
        return .page(Page(title: "Falls assessments", breadcrumbs: FallsApp.breadcrumbs(), body: body))
    }

    func assessmentForm(_ request: Request) throws -> Response {
        try assessmentPage(request, form: FormData(), errors: FormErrors(), status: 200)
    }

    private func assessmentPage(_ request: Request, form: FormData, errors: FormErrors, status: Int) throws -> Response {
        let residentID = try request.id("residentID")
        let resident = try resident(residentID)
        let assessments = try database.read { db in try FallsStore.assessments(residentID: residentID, in: db) }
        context.audit.record(request, .view, residentID: residentID, detail: "falls assessments")
        let open = assessments.first { $0.completedAt == nil }
        let prompt: HTML = open.map { open -> HTML in
            let when = open.promptedByMovement ? HomeTime.day(of: open.promptedAt).display : HomeTime.display(open.promptedAt)
            // FALL-NG249-1 is already on the page; a return from hospital shows its own rule here.
            let rule: HTML = open.rule == .multifactorialAssessment ? .empty : open.rule.html
            return UI.banner(.info, title: "Falls assessment due \(open.promptText)", "<p>Prompted \(when).</p>\(rule)")
        } ?? .empty
        let canAssess = FallsApp.assessors.contains(request.principal.role)
        let formHTML: HTML = canAssess ? """
        <h2>Record an assessment</h2>
        \(Form.start(action: "/falls/assessments/\(residentID)", request: request, id: "falls-assessment"))
        \(assessmentFields(form: form, errors: errors))
        \(Form.submit("Save the assessment"))
        \(Form.end)
        """ : "<p>A nurse, the manager or a visiting clinician records the assessment.</p>"
        let completed = assessments.filter { $0.completedAt != nil }
        let versions = try database.read { db in try completed.map { try FallsStore.assessmentVersions($0.id, in: db) } }
        let done = zip(completed, versions).map { a, versions -> HTML in
            var html = findingsTable(a.findings, caption: "Assessment \(FallsApp.dateTime(a.completedAt)) by \(a.completedByName ?? "") (\(a.promptText))")
            if let latest = versions.last, latest.change == "amended" {
                html += "<p>Version \(latest.version): amended by \(latest.savedByName), \(HomeTime.display(latest.savedAt)). Why: \(latest.reason)</p>"
            }
            let earlier = versions.dropLast().reversed().map { v -> HTML in
                let what = v.change == "amended" ? "amended by \(v.savedByName), \(HomeTime.display(v.savedAt)). Why: \(v.reason)"
                                                 : "completed by \(v.savedByName), \(HomeTime.display(v.savedAt))"
                return findingsTable(v.findings, caption: "Version \(v.version), \(what)")
            }
            if !earlier.isEmpty {
                html += "<details class=\"falls-versions\"><summary>Earlier versions (\(earlier.count))</summary>\(earlier.joined())</details>"
            }
            if canAssess { html += "<p>\(UI.link("Amend this assessment", to: "/falls/assessments/\(residentID)/\(a.id)/amend"))</p>" }
            return html
        }
        let body: HTML = """
        \(Form.errorSummary(errors))
        \(UI.banner(.info, title: "No falls risk score is used", FallRule.multifactorialAssessment.html))
        \(prompt)
        \(formHTML)
        \(UI.section("Earlier assessments", done.isEmpty ? "<p class=\"empty\">None recorded.</p>" : done.joined()))
        """
        return .page(Page(title: "Falls assessment: \(resident.label)",
                          breadcrumbs: FallsApp.breadcrumbs(("Falls assessments", "/falls/assessments")), body: body), status: status)
    }

    /// The ten components of the assessment, as form fields holding `form`'s values.
    func assessmentFields(form: FormData, errors: FormErrors) -> HTML {
        AssessmentComponent.allCases.map { c -> HTML in
            let key = c.rawValue
            return """
            <fieldset class="falls-component"><legend>\(c.title)</legend><p class="hint">\(c.hint)</p>
            \(Form.radios("\(key)-problem", legend: "Problem found?", options: [("yes", "Yes"), ("no", "No")], selected: form["\(key)-problem"], errors: errors, required: true, inline: true))
            \(Form.textarea("\(key)-finding", label: "Finding", value: form["\(key)-finding"], errors: errors, rows: 2))
            \(Form.textarea("\(key)-action", label: "Action (owner and when)", value: form["\(key)-action"], errors: errors, hint: "Required for every problem found.", rows: 2))
            </fieldset>
            """
        }.joined()
    }

    func findingsTable(_ findings: [AssessmentFinding], caption: String) -> HTML {
        let rows = findings.map { f -> [HTML] in
            [HTML(text: f.component.title), f.problem ? UI.tag("Problem", colour: "orange") : UI.tag("No problem", colour: "green"),
             HTML(text: f.finding), HTML(text: f.action)]
        }
        return UI.table(caption: caption, headers: ["Component", "Result", "Finding", "Action"], rows: rows)
    }

    // MARK: Amending a completed assessment

    private func amendable(_ request: Request) throws -> (resident: ResidentSummary, assessment: FallsAssessmentRecord) {
        let residentID = try request.id("residentID")
        let resident = try resident(residentID)
        let id = try request.id("assessmentID")
        guard let assessment = try database.read({ db in try FallsStore.assessment(id, residentID: residentID, in: db) }),
              assessment.completedAt != nil else { throw CareError.notFound("There is no such completed falls assessment.") }
        return (resident, assessment)
    }

    func amendAssessmentForm(_ request: Request) throws -> Response {
        let (resident, assessment) = try amendable(request)
        var fields = ["version": [String(assessment.version)]]
        for f in assessment.findings {
            fields["\(f.component.rawValue)-problem"] = [f.problem ? "yes" : "no"]
            fields["\(f.component.rawValue)-finding"] = [f.finding]
            fields["\(f.component.rawValue)-action"] = [f.action]
        }
        let form = FormData(fields: fields)
        context.audit.record(request, .view, residentID: resident.id, detail: "falls assessment \(assessment.id) amend form")
        return try amendPage(request, resident: resident, assessment: assessment, form: form, errors: FormErrors(), status: 200)
    }

    private func amendPage(_ request: Request, resident: ResidentSummary, assessment: FallsAssessmentRecord, form: FormData, errors: FormErrors,
                           status: Int) throws -> Response {
        let path = "/falls/assessments/\(resident.id)"
        let body: HTML = """
        \(Form.errorSummary(errors))
        <p>Assessment \(FallsApp.dateTime(assessment.completedAt)) by \(assessment.completedByName ?? "") (\(assessment.promptText)), version \(String(assessment.version)). \
        The version you change is kept, with who changed it, when and why.</p>
        \(Form.start(action: "\(path)/\(assessment.id)/amend", request: request, id: "falls-assessment-amend"))
        <input type="hidden" name="version" value="\(form["version"] ?? String(assessment.version))">
        \(assessmentFields(form: form, errors: errors))
        \(Form.textarea("reason", label: "Why are you amending it?", value: form["reason"], errors: errors,
                        hint: "For example: the optician's visit found a new prescription; the wrong resident's blood pressure was entered", rows: 2, required: true))
        \(Form.submit("Save the amendment"))
        \(Form.end)
        """
        return .page(Page(title: "Amend falls assessment: \(resident.label)",
                          breadcrumbs: FallsApp.breadcrumbs(("Falls assessments", "/falls/assessments"), (resident.label, path)), body: body), status: status)
    }

    func saveAmendedAssessment(_ request: Request) throws -> Response {
        let (resident, assessment) = try amendable(request)
        var errors = FormErrors()
        let findings = AssessmentValidation.findings(from: request.form, errors: &errors)
        let reason = (request.form["reason"] ?? "").trimmingWhitespace()
        if reason.isEmpty { errors.add("reason", "Say why you are amending the assessment") }
        else if reason.count > 1000 { errors.add("reason", "Shorten the reason to 1,000 characters or fewer") }
        guard let expected = request.form["version"].flatMap({ Int($0) }) else {
            throw CareError.badRequest("The form did not say which version it changes. Open the assessment again and amend it from there.")
        }
        guard errors.isEmpty else { return try amendPage(request, resident: resident, assessment: assessment, form: request.form, errors: errors, status: 422) }
        let when = now()
        let version = try database.write { db in
            try FallsStore.amendAssessment(assessment.id, residentID: resident.id, expectedVersion: expected, findings: findings, reason: reason,
                                           by: request.principal, at: when, in: db)
        }
        context.audit.record(request, .amend, residentID: resident.id, detail: "falls assessment \(assessment.id) amended to version \(version)")
        return .redirect(to: "/falls/assessments/\(resident.id)", flash: "Falls assessment amended: the earlier version is kept")
    }

    func saveAssessment(_ request: Request) throws -> Response {
        let residentID = try request.id("residentID")
        let resident = try resident(residentID)
        var errors = FormErrors()
        let findings = AssessmentValidation.findings(from: request.form, errors: &errors)
        guard errors.isEmpty else { return try assessmentPage(request, form: request.form, errors: errors, status: 422) }
        let when = now()
        _ = try database.write { db in
            try FallsStore.completeAssessment(residentID: resident.id, findings: findings, by: request.principal, at: when, in: db)
        }
        context.audit.record(request, .create, residentID: resident.id, detail: "falls assessment")
        let problems = findings.filter(\.problem).count
        return .redirect(to: "/falls/assessments/\(resident.id)",
                         flash: "Falls assessment saved: \(problems) \(problems == 1 ? "problem" : "problems") with actions")
    }
}
