import Foundation
import CareKit
import CareServices

/// The plugin while it serves: route handlers, cards and panels share this value.
struct FallsApp: Sendable {
    let context: PluginContext
    /// The clock (a value so that tests could pin it; the server uses the real time).
    var now: @Sendable () -> Date = { Date() }

    /// Everyone who cares for residents records falls and their checks.
    static let recorders: Set<Role> = Role.careTeam
    /// Nurses and the manager complete, amend and mark falls entered in error.
    static let editors: Set<Role> = [.nurse, .manager]
    /// Falls assessments: nurses, the manager and visiting clinicians (MDT members carry them out).
    static let assessors: Set<Role> = [.nurse, .manager, .clinician]
    /// A second fall for the same resident within this many hours of one already recorded asks "is this the same fall?".
    static let sameFallHours: Double = 2

    var database: any CareDatabase { context.database }

    // MARK: Residents

    func directory() throws -> any ResidentDirectory {
        try context.services.require(Services.residentDirectory, orSay: "The resident list is not available just now. Record the fall on paper and enter it later.")
    }

    func resident(_ id: Int64) throws -> ResidentSummary {
        guard let resident = try directory().resident(id: id) else { throw CareError.notFound("No such resident.") }
        return resident
    }

    /// The resident a stored record belongs to. When the register no longer has them (their entry
    /// was marked entered in error), a placeholder keeps the fall readable instead of a 404.
    func recordResident(_ id: Int64) throws -> ResidentSummary {
        if let resident = try directory().resident(id: id) { return resident }
        let unknownPlan = AdvanceCarePlanHeadline(exists: true, kind: "Not available",
                                                  cpr: "the resident register has no record of this resident: check the paper ReSPECT form")
        return ResidentSummary(id: id, preferredName: "", fullName: "Resident \(id) (not in the register)", dateOfBirth: nil,
                               nhsNumber: nil, room: "", status: .left, admittedOn: nil, latestAdmission: nil,
                               latestAdmissionIsReadmission: false, dementia: .notRecorded, allergies: "", advanceCarePlan: unknownPlan,
                               gpPractice: "")
    }

    /// Residents by id for the falls given (current residents, plus anyone who has since left).
    func residents(for ids: some Sequence<Int64>) throws -> [Int64: ResidentSummary] {
        try directory().residents(ids: Set(ids))
    }

    func residentLink(_ id: Int64, _ residents: [Int64: ResidentSummary]) -> HTML {
        guard let resident = residents[id] else { return HTML(text: "Resident \(id)") }
        return UI.link(resident.label, to: resident.path)
    }

    /// The anticoagulant / antiplatelet status from the medicines list, when the medication plugin is
    /// loaded, has medicines for the resident and recognises every one of them. Nil means the form must ask.
    func antithromboticFromMedicines(residentID: Int64) -> (answer: AntithromboticAnswer, source: String)? {
        if case .known(let answer, let source) = medicinesLookup(residentID: residentID) { return (answer, source) }
        return nil
    }

    /// What the medicines list says about anticoagulants, or why staff must be asked (FALL-NG232-LIST).
    enum MedicinesLookup {
        case known(AntithromboticAnswer, source: String)
        case ask(because: String)
    }

    func medicinesLookup(residentID: Int64) -> MedicinesLookup {
        guard let medicines = context.services.resolve(Services.currentMedicines) else {
            return .ask(because: "The medicines list is not available here, so we ask. Check the MAR chart if you are not sure.")
        }
        do {
            guard !(try medicines.medicines(residentID: residentID)).isEmpty else {
                return .ask(because: "No medicines are recorded for them here, so we ask. Check the MAR chart if you are not sure.")
            }
            let status = try medicines.antithromboticStatus(residentID: residentID)
            if case .cannotTell(let unknown) = status {
                return .ask(because: "Their medicines list has \(unknown.count == 1 ? "a medicine" : "medicines") the drug table does not recognise (\(unknown.joined(separator: ", "))), so it cannot show there is no anticoagulant. Check the MAR chart.")
            }
            let (answer, names) = AntithromboticAnswer.from(status)
            return .known(answer, source: names.isEmpty ? "Medicines list" : "Medicines list: " + names.joined(separator: ", "))
        } catch {
            context.log.warning("falls-log.medicines-unavailable", ["resident.id": String(residentID)])
            return .ask(because: "The medicines list could not be read just now, so we ask. Check the MAR chart if you are not sure.")
        }
    }

    func loadFall(_ request: Request) throws -> FallRecord {
        let id = try request.id("id")
        guard let fall = try database.read({ try FallsStore.load(id, in: $0) }) else { throw CareError.notFound("No such fall.") }
        return fall
    }

    // MARK: Shared page parts

    /// The ReSPECT / advance care plan headline, shown wherever a decision about hospital is made.
    func respectHeadline(_ resident: ResidentSummary) -> HTML {
        let plan = resident.advanceCarePlan
        return """
        <div class="banner banner-info falls-respect"><p class="banner-title">ReSPECT and advance care plan</p>\
        <p>\(plan.summary)</p></div>
        """
    }

    static func dateTime(_ date: Date?) -> String { date.map(HomeTime.display) ?? "Not recorded" }

    static func breadcrumbs(_ extra: (title: String, path: String)...) -> [(title: String, path: String)] {
        [("Falls", "/falls")] + extra
    }
}

// MARK: - Quick first entry

extension FallsApp {
    func newFallForm(_ request: Request) throws -> Response {
        try quickEntryPage(request, form: request.query, errors: FormErrors(), status: 200)
    }

    /// One form, the check first: a carer beside someone on the floor answers the eight points before
    /// anything else (any "yes" shows "Call 999 — do not lift" at once), then who, when and where.
    /// Everything else is completed later by a nurse.
    private func quickEntryPage(_ request: Request, form: FormData, errors: FormErrors, status: Int, sameFall: [FallRecord] = []) throws -> Response {
        let residents = try directory().currentResidents().filter { $0.status == .livingHere }
        let chosen = form["resident_id"] ?? form["resident"]
        let when = form["occurred_at"] ?? HomeTime.inputValue(now())
        var respect: HTML = .empty
        if let id = chosen.flatMap({ Int64($0) }), let resident = residents.first(where: { $0.id == id }) {
            respect = respectHeadline(resident)
        }
        var duplicate: HTML = .empty
        if !sameFall.isEmpty {
            let items = sameFall.map { fall -> HTML in
                "<li>\(UI.link("\(HomeTime.display(fall.occurredAt)): \(fall.summary), recorded by \(fall.recordedByName)", to: "/falls/\(fall.id)"))</li>"
            }
            duplicate = UI.banner(.warning, title: "Is this the same fall?", """
            <p>A fall is already recorded for them within two hours of this one:</p><ul>\(items)</ul>\
            <p>If it is the same fall, open it and add to it. If it is another fall, press \u{201C}It is another fall: save it\u{201D} below.</p>
            """)
        }
        let check = FallsApp.postFallCheck(from: form)
        let submit: HTML = sameFall.isEmpty ? Form.submit("Save the fall")
            : "<input type=\"hidden\" name=\"same_fall\" value=\"another\">" + Form.submit("It is another fall: save it")
        let body: HTML = """
        \(UI.shownWhenAnswered("yes", in: "quick-fall-check", shown: check.isCall999, call999Banner(check)))
        \(Form.errorSummary(errors))
        \(duplicate)
        \(respect)
        \(Form.start(action: "/falls/new", request: request, id: "quick-fall"))
        \(checkQuestions(id: "quick-fall-check", form: form, errors: errors,
                         legend: "First, before anyone lifts them: any \u{201C}yes\u{201D} means call 999 and do not lift"))
        <fieldset class="falls-what"><legend>What happened (a nurse completes the rest later)</legend>
        \(Form.select("resident_id", label: "Who fell", options: residents.map { (String($0.id), $0.label) }, selected: chosen, errors: errors, required: true))
        \(Form.input("occurred_at", label: "When", value: when, errors: errors, hint: "When it happened or, if nobody saw it, when they were found.", type: "datetime-local", required: true))
        \(Form.select("location", label: "Where", options: FallLocation.options, selected: form["location"], errors: errors, required: true))
        \(Form.radios("witnessed", legend: "Did anyone see the fall?", options: [("yes", "Yes"), ("no", "No")], selected: form["witnessed"], errors: errors, required: true, inline: true))
        \(Form.radios("injured", legend: "Any injury?", options: [("yes", "Yes"), ("no", "No")], selected: form["injured"], errors: errors, required: true, inline: true))
        \(Form.radios("head_strike", legend: "Did they hit their head?", options: HeadStrike.options, selected: form["head_strike"], errors: errors, required: true, inline: true))
        </fieldset>
        \(submit)
        \(Form.end)
        """
        return .page(Page(title: "Record a fall", breadcrumbs: FallsApp.breadcrumbs(), body: body), status: status)
    }

    /// "Call 999 — do not lift", naming the points answered "yes" when they are known.
    func call999Banner(_ check: PostFallCheck) -> HTML {
        let found: HTML
        if case .call999DoNotLift(let reasons) = check.outcome {
            found = "<p>The post-fall check found:</p><ul>\(reasons.map { q -> HTML in "<li>\(q.shortTitle)</li>" })</ul>"
        } else {
            found = "<p>A \u{201C}yes\u{201D} on the post-fall check.</p>"
        }
        return UI.banner(.danger, title: "Call 999 — do not lift", found + FallRule.postFallCheck.html)
    }

    /// The eight I STUMBLE questions, with "No to all eight" where the script runs. `id` names the
    /// group (the one-tap answer and the live 999 banner refer to it).
    func checkQuestions(id: String, form: FormData, errors: FormErrors, legend: String) -> HTML {
        let questions = PostFallQuestion.allCases.map { q -> HTML in
            Form.radios(q.rawValue, legend: "\(q.letter) — \(q.question)", options: [("yes", "Yes"), ("no", "No")],
                        selected: form[q.rawValue], errors: errors, inline: true)
        }
        return """
        <fieldset class="falls-istumble" id="\(id)"><legend>\(legend)</legend>\
        <p>\(Form.answerAllButton("No to all eight", value: "no", in: id))</p>
        \(questions)
        </fieldset>
        """
    }

    /// The post-fall answers given on a form (any of the eight; unanswered ones are left out).
    static func postFallCheck(from form: FormData) -> PostFallCheck {
        var answers = [PostFallQuestion: Bool]()
        for q in PostFallQuestion.allCases {
            switch form[q.rawValue] {
            case "yes": answers[q] = true
            case "no": answers[q] = false
            default: break
            }
        }
        return PostFallCheck(answers: answers)
    }

    func createFall(_ request: Request) throws -> Response {
        let form = request.form
        var errors = FormErrors()
        let residentID = form["resident_id"].flatMap { Int64($0) }
        var resident: ResidentSummary?
        if let residentID { resident = try directory().resident(id: residentID) }
        if resident == nil || resident?.status.isCurrent != true { errors.add("resident_id", "Choose who fell") }
        let occurredAt = parseTime(form, "occurred_at", label: "when it happened", required: true, errors: &errors)
        let location = FallLocation(form: form["location"])
        if location == nil { errors.add("location", "Choose where it happened") }
        let witnessed = yesNo(form, "witnessed", "Say whether anyone saw the fall", errors: &errors)
        let injured = yesNo(form, "injured", "Say whether there is any injury", errors: &errors)
        let headStrike = HeadStrike(form: form["head_strike"])
        if headStrike == nil { errors.add("head_strike", "Say whether they hit their head, or that it is not known") }
        guard errors.isEmpty, let resident, let occurredAt, let location, let witnessed, let injured, let headStrike else {
            return try quickEntryPage(request, form: form, errors: errors, status: 422)
        }
        // The same fall recorded twice (two carers, or a second entry after a timeout) would be counted
        // twice: ask first (FALL-SAME-1, own design: two hours either side).
        if form["same_fall"] != "another" {
            let window = FallsApp.sameFallHours * 3600
            let nearby = try database.read { db in
                try FallsStore.falls(residentID: resident.id, since: occurredAt.addingTimeInterval(-window), in: db)
            }.filter { abs($0.occurredAt.timeIntervalSince(occurredAt)) <= window }
            if !nearby.isEmpty { return try quickEntryPage(request, form: form, errors: FormErrors(), status: 200, sameFall: nearby) }
        }
        var fall = FallRecord(residentID: resident.id, occurredAt: occurredAt, location: location, witnessed: witnessed,
                              injured: injured, headStrike: headStrike)
        let check = FallsApp.postFallCheck(from: form)
        if !check.answers.isEmpty { fall.postFallCheck = check }
        // The quick "when" is the time of the fall, or (nobody saw it) the time found; the nurse adds
        // the estimated time of the fall when completing the record.
        fall.foundAt = occurredAt
        if let fromMedicines = antithromboticFromMedicines(residentID: resident.id) {
            fall.antithrombotic = fromMedicines.answer
            fall.antithromboticSource = fromMedicines.source
        }
        let when = now()
        let id = try database.write { db in try FallsStore.insert(fall, by: request.principal, at: when, in: db) }
        context.audit.record(request, .create, residentID: resident.id, detail: "fall \(id) recorded")
        context.log.info("falls-log.recorded", ["fall.id": String(id), "resident.id": String(resident.id)])
        // Next: whatever is still missing before lifting, else the fall with its advice.
        switch check.outcome {
        case .incomplete:
            return .redirect(to: "/falls/\(id)/check", flash: "Fall saved. Now finish the post-fall check before lifting.")
        case .noRedFlags where asksAntithrombotic(fall):
            return .redirect(to: "/falls/\(id)/check", flash: "Fall saved. One more question, about their medicines (a possible head injury).")
        case .noRedFlags, .call999DoNotLift:
            return .redirect(to: "/falls/\(id)", flash: "Fall saved.")
        }
    }

    // MARK: Form parsing shared by the forms

    func parseTime(_ form: FormData, _ name: String, label: String, required: Bool, errors: inout FormErrors) -> Date? {
        guard let text = form.nonEmpty(name) else {
            if required { errors.add(name, "Enter \(label)") }
            return nil
        }
        guard let date = HomeTime.parse(text) else {
            errors.add(name, "Enter \(label) as a date and time, for example 23/11/2026 14:05")
            return nil
        }
        if date > now().addingTimeInterval(5 * 60) { errors.add(name, "The time of \(label) is in the future") }
        return date
    }

    func yesNo(_ form: FormData, _ name: String, _ message: String, errors: inout FormErrors) -> Bool? {
        switch form[name] {
        case "yes": return true
        case "no": return false
        default:
            errors.add(name, message)
            return nil
        }
    }
}

// MARK: - The post-fall check (its own short step, so it works without JavaScript)

extension FallsApp {
    func checkForm(_ request: Request) throws -> Response {
        let fall = try loadFall(request)
        guard fall.status != .enteredInError else { return .redirect(to: "/falls/\(fall.id)") }
        var fields = [String: [String]]()
        for (question, answer) in fall.postFallCheck?.answers ?? [:] { fields[question.rawValue] = [answer ? "yes" : "no"] }
        if let answer = fall.antithrombotic { fields["antithrombotic"] = [answer.rawValue] }
        return try checkPage(request, fall: fall, form: FormData(fields: fields), errors: FormErrors(), status: 200)
    }

    /// The medicines list's answer for the fall: the one stored when the fall was recorded, or (when the
    /// medication plugin has the resident's medicines only now) the current one. Nil: the form must ask.
    func medicinesAnswer(_ fall: FallRecord) -> (answer: AntithromboticAnswer, source: String)? {
        if let stored = fall.antithrombotic, fall.antithromboticSource.hasPrefix("Medicines list") {
            return (stored, fall.antithromboticSource)
        }
        return antithromboticFromMedicines(residentID: fall.residentID)
    }

    /// Why the check step asks about anticoagulants, in words for the form.
    func askReason(_ fall: FallRecord) -> String {
        if case .ask(let because) = medicinesLookup(residentID: fall.residentID) { return because }
        return "Check the MAR chart if you are not sure."
    }

    /// NICE NG232 as soon as the head strike and the medicine are known (on the check itself, not two
    /// screens later): what to do now and who to tell in one line, and the plan beside it when the two
    /// pull different ways.
    func ng232Now(_ recorded: FallRecord, resident: ResidentSummary) -> HTML {
        let fall = withMedicinesAnswer(recorded)
        guard case .hospitalAssessment(let reason) = fall.headInjuryAdvice else { return .empty }
        var body: HTML = "<p><strong>Now: tell the nurse in charge, and call NHS 111 or 999 for assessment in hospital.</strong> \(reason)</p>"
        let plan = resident.advanceCarePlan
        if plan.prefersCareHere {
            body += "<p>Their ReSPECT plan prefers care here: \(plan.summary). Tell the clinician you call, so that the decision follows it.</p>"
        }
        return UI.banner(.danger, title: "Hospital assessment needed (head injury on an anticoagulant or antiplatelet)", body + FallRule.headInjuryOnAntithrombotics.html)
    }

    /// Whether the check step must ask about anticoagulants: a head strike is possible and the
    /// medicines list cannot answer.
    func asksAntithrombotic(_ fall: FallRecord) -> Bool {
        fall.headStrike != .no && medicinesAnswer(fall) == nil
    }

    private func checkPage(_ request: Request, fall: FallRecord, form: FormData, errors: FormErrors, status: Int) throws -> Response {
        let resident = try recordResident(fall.residentID)
        context.audit.record(request, .view, residentID: fall.residentID, detail: "fall \(fall.id) post-fall check")
        let medicinesQuestion: HTML = asksAntithrombotic(fall) ? Form.radios(
            "antithrombotic", legend: "Do they take an anticoagulant or antiplatelet medicine?",
            options: AntithromboticAnswer.options, selected: form["antithrombotic"], errors: errors,
            hint: askReason(fall)) : .empty
        let answered = FallsApp.postFallCheck(from: form)
        let body: HTML = """
        \(UI.shownWhenAnswered("yes", in: "post-fall-questions", shown: answered.isCall999, call999Banner(answered)))
        \(Form.errorSummary(errors))
        <p class="lead">\(resident.label): \(fall.summary), \(HomeTime.display(fall.occurredAt)).</p>
        \(ng232Now(fall, resident: resident))
        \(UI.banner(.warning, title: "Do not lift until you have done this check", FallRule.postFallCheck.html))
        \(respectHeadline(resident))
        \(Form.start(action: "/falls/\(fall.id)/check", request: request, id: "post-fall-check"))
        <input type="hidden" name="version" value="\(fall.version)">
        \(checkQuestions(id: "post-fall-questions", form: form, errors: errors,
                         legend: "I STUMBLE: answer each as soon as you can. Any \u{201C}yes\u{201D}: call 999."))
        \(medicinesQuestion)
        \(Form.submit("Save the check"))
        \(Form.end)
        """
        return .page(Page(title: "Post-fall check before lifting",
                          breadcrumbs: FallsApp.breadcrumbs(("Fall \(fall.id)", "/falls/\(fall.id)")), body: body), status: status)
    }

    func saveCheck(_ request: Request) throws -> Response {
        let fall = try loadFall(request)
        guard fall.status != .enteredInError else { throw CareError.conflict("This fall was marked entered in error.") }
        let form = request.form
        let check = FallsApp.postFallCheck(from: form)
        var errors = FormErrors()
        if case .incomplete(let missing) = check.outcome {
            for q in missing { errors.add(q.rawValue, "Answer \u{201C}\(q.shortTitle)\u{201D}: yes or no") }
        }
        let fromMedicines = medicinesAnswer(fall)
        var asked: AntithromboticAnswer?
        if fall.headStrike != .no && fromMedicines == nil {
            asked = AntithromboticAnswer(form: form["antithrombotic"])
            if asked == nil && !check.isCall999 {
                errors.add("antithrombotic", "Say whether they take an anticoagulant or antiplatelet, or that it is not known")
            }
        }
        guard errors.isEmpty else { return try checkPage(request, fall: fall, form: form, errors: errors, status: 422) }
        var updated = fall
        updated.postFallCheck = check
        if let fromMedicines {
            updated.antithrombotic = fromMedicines.answer
            updated.antithromboticSource = fromMedicines.source
        } else if let asked {
            updated.antithrombotic = asked
            updated.antithromboticSource = "Asked on the post-fall check"
        }
        let expected = form["version"].flatMap { Int($0) } ?? fall.version
        let when = now()
        try database.write { db in
            try FallsStore.update(updated, expectedVersion: expected, change: "Post-fall check", reason: "", by: request.principal, at: when, in: db)
        }
        context.audit.record(request, .amend, residentID: fall.residentID, detail: "fall \(fall.id) post-fall check")
        // The flash is styled as a success; the red "call 999" banner on the fall page carries the alarm.
        return .redirect(to: "/falls/\(fall.id)", flash: "Post-fall check saved")
    }
}
