import Foundation
import CareKit
import CareServices

// MARK: - One fall: advice, details, checks and history

extension FallsApp {
    /// The advice banners for a fall: 999 / do not lift, hospital assessment (NG232), the community
    /// response, long lie. One function so the fall page and the tests see the same thing.
    func adviceBanners(_ recorded: FallRecord) -> HTML {
        guard recorded.status != .enteredInError else { return .empty }
        let fall = withMedicinesAnswer(recorded)
        var html: HTML = .empty
        switch fall.postFallCheck?.outcome {
        case .call999DoNotLift?:
            html += call999Banner(fall.postFallCheck ?? PostFallCheck())
        case .noRedFlags?:
            break
        case .incomplete?, nil:
            html += UI.banner(.warning, title: "Do the post-fall check before lifting",
                              "<p>\(UI.buttonLink("Do the I STUMBLE check", to: "/falls/\(fall.id)/check"))</p>")
        }
        switch fall.headInjuryAdvice {
        case .hospitalAssessment(let reason):
            html += UI.banner(.danger, title: "Hospital assessment needed",
                              "<p>\(reason) Source: NICE NG232.</p>\(FallRule.headInjuryOnAntithrombotics.html)")
        case .findOutMedicines:
            html += UI.banner(.warning, title: "Find out now whether they take an anticoagulant or antiplatelet",
                              "<p>A head injury is possible. If they take one (other than aspirin alone) they need assessment in hospital. Source: NICE NG232.</p>\(UI.buttonLink("Answer on the check", to: "/falls/\(fall.id)/check", kind: "secondary"))")
        case .noAntithromboticRisk, .notApplicable:
            break
        }
        if case .offerUCR = fall.urgentResponseAdvice, !fall.called.contains(.ambulance) {
            html += UI.banner(.success, title: "Nothing serious found: the 2-hour Urgent Community Response can come instead of 999",
                              "<p>Call the local Urgent Community Response team for help to get up and a check within 2 hours. Call 999 if anything changes.</p>\(FallRule.urgentCommunityResponse.html)")
        }
        if let time = fall.timeOnFloor, time.isLongLie {
            html += UI.banner(.warning, title: "Long lie: \(time.display) on the floor", FallRule.longLie.html)
        }
        return html
    }

    /// The fall with the medicines list's answer filled in when nobody answered the question: the
    /// medication plugin may know now what it did not when the fall was recorded.
    func withMedicinesAnswer(_ recorded: FallRecord) -> FallRecord {
        guard recorded.antithrombotic == nil, recorded.headStrike != .no, let live = medicinesAnswer(recorded) else { return recorded }
        var fall = recorded
        fall.antithrombotic = live.answer
        fall.antithromboticSource = live.source
        return fall
    }

    func showFall(_ request: Request) throws -> Response {
        let fall = withMedicinesAnswer(try loadFall(request))
        let resident = try recordResident(fall.residentID)
        let (checks, versions, assessments) = try database.read { db in
            (try FallsStore.checks(fallID: fall.id, in: db), try FallsStore.versions(fallID: fall.id, in: db),
             try FallsStore.assessments(residentID: fall.residentID, in: db))
        }
        context.audit.record(request, .view, residentID: fall.residentID, detail: "fall \(fall.id)")
        let role = request.principal.role
        var actions = [HTML]()
        if fall.status != .enteredInError {
            if fall.postFallCheck != nil { actions.append(UI.buttonLink("Redo the post-fall check", to: "/falls/\(fall.id)/check", kind: "secondary")) }
            if FallsApp.editors.contains(role) {
                actions.append(fall.status == .firstEntry ? UI.buttonLink("Complete the record", to: "/falls/\(fall.id)/complete")
                                                          : UI.buttonLink("Amend", to: "/falls/\(fall.id)/amend", kind: "secondary"))
                actions.append(UI.buttonLink("Entered in error", to: "/falls/\(fall.id)/entered-in-error", kind: "warning"))
            }
        }
        let eie: HTML = fall.status == .enteredInError
            ? UI.banner(.warning, title: "Entered in error", "<p>Reason: \(fall.enteredInErrorReason ?? "")</p><p>This record is kept but left out of lists, checks and figures.</p>")
            : .empty
        let openAssessment = assessments.first { $0.completedAt == nil }
        let assessmentHTML: HTML = openAssessment != nil && fall.status != .enteredInError
            ? UI.banner(.info, title: "Multifactorial falls assessment due",
                        "<p>\(UI.link("Do the falls assessment", to: "/falls/assessments/\(fall.residentID)")) (NICE NG249: no risk score; an action for each finding).</p>")
            : .empty
        let now = now()
        let checkRows = checks.map { check -> [HTML] in
            let state = check.state(now: now)
            let action: HTML = check.doneAt == nil
                ? UI.link("Record", to: "/falls/checks/\(check.id)")
                : HTML(text: "\(check.doneByName ?? ""), \(FallsApp.dateTime(check.doneAt)): \(check.findings)")
            return [HTML(text: check.label), HTML(text: HomeTime.display(check.dueAt)), state.tag, action]
        }
        let body: HTML = """
        \(eie)
        \(adviceBanners(fall))
        \(respectHeadline(resident))
        \(assessmentHTML)
        <div class="falls-actions">\(actions)</div>
        \(UI.section("What happened", details(fall, resident: resident)))
        \(UI.section("Checks after the fall", UI.table(caption: "Skin, bruising and observation checks", headers: ["Check", "Due", "State", "Done"], rows: checkRows, emptyMessage: fall.admitted == true ? "No checks: admitted to hospital from this fall." : "No checks (entered in error).") + FallRule.followUpChecks.html))
        \(UI.section("History", history(versions)))
        """
        return .page(Page(title: "Fall: \(resident.label), \(HomeTime.display(fall.occurredAt))",
                          breadcrumbs: FallsApp.breadcrumbs(), body: body))
    }

    func details(_ fall: FallRecord, resident: ResidentSummary) -> HTML {
        func text(_ s: String) -> HTML { HTML(text: s) }
        func optional(_ s: String?) -> HTML { HTML(text: s ?? "Not recorded") }
        let checkText: String = {
            switch fall.postFallCheck?.outcome {
            case .call999DoNotLift(let reasons)?: return "Red flags: " + reasons.map(\.shortTitle).joined(separator: ", ")
            case .noRedFlags?: return "No red flags on all eight points"
            case .incomplete?, nil: return "Not done"
            }
        }()
        let floor = fall.timeOnFloor.map { $0.display + ($0.isLongLie ? " (long lie)" : "") } ?? "Not known"
        let antithrombotic = fall.antithrombotic.map { "\($0.shortTitle) (\(fall.antithromboticSource))" } ?? "Not recorded"
        let rows: [(key: String, value: HTML)] = [
            ("Resident", UI.link(resident.label, to: resident.path)),
            ("Status", text(fall.status.title + " (version \(fall.version))")),
            ("When", text(HomeTime.display(fall.occurredAt))),
            ("When found", text(FallsApp.dateTime(fall.foundAt))),
            ("Off the floor", text(FallsApp.dateTime(fall.upAt))),
            ("Time on the floor", text(floor)),
            ("Witnessed", text(fall.witnessed ? "Yes" : "No")),
            ("Where", text(fall.location.title + (fall.locationDetail.isEmpty ? "" : ": \(fall.locationDetail)"))),
            ("Doing what", optional(fall.activity?.title)),
            ("Footwear", optional(fall.footwear?.title)),
            ("Walking aid", optional(fall.walkingAid?.title)),
            ("Call bell", optional(fall.callBell?.title)),
            ("Head strike", text(fall.headStrike.title)),
            ("Anticoagulant or antiplatelet", text(antithrombotic)),
            ("Post-fall check (I STUMBLE)", text(checkText)),
            ("Injury", text(fall.injured ? (fall.injuries.isEmpty ? "Yes" : fall.injuries) : "No")),
            ("Harm", optional(fall.harm?.title)),
            ("Observations", text(fall.observations.isEmpty ? "Not recorded" : fall.observations)),
            ("Who was called", text(fall.called.isEmpty ? "Nobody recorded" : fall.called.map(\.title).joined(separator: ", "))),
            ("Conveyed to hospital", text(FallsText.yesNo(fall.conveyed))),
            ("Admitted", text(FallsText.yesNo(fall.admitted))),
            ("Fracture", text(FallsText.yesNo(fall.fracture))),
            ("Family informed", text(FallsText.yesNo(fall.familyInformed))),
            ("GP informed", text(FallsText.yesNo(fall.gpInformed))),
            ("Care plan updated", text(FallsText.yesNo(fall.carePlanUpdated))),
            ("Medication review requested", text(FallsText.yesNo(fall.medicationReviewRequested))),
            ("Notes", text(fall.notes.isEmpty ? "None" : fall.notes)),
            ("Recorded by", text("\(fall.recordedByName), \(HomeTime.display(fall.recordedAt))")),
        ]
        return UI.summaryList(rows)
    }

    func history(_ versions: [FallVersion]) -> HTML {
        var previous: FallRecord?
        let rows = versions.map { version -> [HTML] in
            var changed = ""
            if let snapshot = version.snapshot, let before = previous {
                let fields = FallRecord.changedFields(from: before, to: snapshot)
                changed = fields.isEmpty ? "No field changed" : fields.joined(separator: ", ")
            }
            previous = version.snapshot ?? previous
            return [HTML(text: String(version.version)), HTML(text: version.change), HTML(text: version.savedByName),
                    HTML(text: HomeTime.display(version.savedAt)), HTML(text: changed), HTML(text: version.reason)]
        }
        return UI.table(caption: "Every saved version is kept", headers: ["Version", "Change", "By", "When", "Fields changed", "Reason"], rows: rows)
    }
}

// MARK: - Complete and amend

extension FallsApp {
    func completeForm(_ request: Request) throws -> Response {
        let fall = try loadFall(request)
        guard fall.status == .firstEntry else { return .redirect(to: "/falls/\(fall.id)/amend") }
        return try fullForm(request, fall: fall, amend: false, form: FallsApp.formData(from: fall), errors: FormErrors(), status: 200)
    }

    func amendForm(_ request: Request) throws -> Response {
        let fall = try loadFall(request)
        guard fall.status != .enteredInError else { throw CareError.conflict("A fall entered in error cannot be amended.") }
        guard fall.status == .completed else { return .redirect(to: "/falls/\(fall.id)/complete") }
        return try fullForm(request, fall: fall, amend: true, form: FallsApp.formData(from: fall), errors: FormErrors(), status: 200)
    }

    func saveComplete(_ request: Request) throws -> Response { try saveFull(request, amend: false) }
    func saveAmend(_ request: Request) throws -> Response { try saveFull(request, amend: true) }

    /// The form's fields filled from a record (to edit it).
    static func formData(from fall: FallRecord) -> FormData {
        func yn(_ b: Bool?) -> [String] { b.map { [$0 ? "yes" : "no"] } ?? [] }
        var f = [String: [String]]()
        f["version"] = [String(fall.version)]
        f["occurred_at"] = [HomeTime.inputValue(fall.occurredAt)]
        f["found_at"] = fall.foundAt.map { [HomeTime.inputValue($0)] } ?? []
        f["up_at"] = fall.upAt.map { [HomeTime.inputValue($0)] } ?? []
        f["witnessed"] = yn(fall.witnessed)
        f["location"] = [fall.location.rawValue]
        f["location_detail"] = [fall.locationDetail]
        f["activity"] = fall.activity.map { [$0.rawValue] } ?? []
        f["footwear"] = fall.footwear.map { [$0.rawValue] } ?? []
        f["walking_aid"] = fall.walkingAid.map { [$0.rawValue] } ?? []
        f["call_bell"] = fall.callBell.map { [$0.rawValue] } ?? []
        f["head_strike"] = [fall.headStrike.rawValue]
        f["antithrombotic"] = fall.antithrombotic.map { [$0.rawValue] } ?? []
        f["injured"] = yn(fall.injured)
        f["injuries"] = [fall.injuries]
        f["harm"] = fall.harm.map { [$0.rawValue] } ?? []
        f["observations"] = [fall.observations]
        f["called"] = fall.called.map(\.rawValue)
        f["conveyed"] = yn(fall.conveyed)
        f["admitted"] = yn(fall.admitted)
        f["fracture"] = fall.fracture.map { [$0 ? "yes" : "no"] } ?? []
        f["family_informed"] = yn(fall.familyInformed)
        f["gp_informed"] = yn(fall.gpInformed)
        f["care_plan_updated"] = yn(fall.carePlanUpdated)
        f["medication_review_requested"] = yn(fall.medicationReviewRequested)
        f["notes"] = [fall.notes]
        return FormData(fields: f)
    }

    private static let yesNoOptions: [(value: String, label: String)] = [("yes", "Yes"), ("no", "No")]

    private func fullForm(_ request: Request, fall: FallRecord, amend: Bool, form: FormData, errors: FormErrors, status: Int) throws -> Response {
        let resident = try recordResident(fall.residentID)
        context.audit.record(request, .view, residentID: fall.residentID, detail: "fall \(fall.id) \(amend ? "amend" : "complete") form")
        let yn = FallsApp.yesNoOptions
        let action = "/falls/\(fall.id)/\(amend ? "amend" : "complete")"
        let reason: HTML = amend
            ? Form.textarea("reason", label: "Reason for the amendment", value: form["reason"], errors: errors,
                            hint: "The earlier version is kept with your name and this reason.", rows: 2, required: true)
            : .empty
        let medicinesHint = fall.antithromboticSource.isEmpty ? "Check the MAR chart." : "Recorded from: \(fall.antithromboticSource)."
        let body: HTML = """
        \(Form.errorSummary(errors))
        <p class="lead">\(resident.label). Every part of the falls record; times are the home's local time.</p>
        \(adviceBanners(fall))
        \(respectHeadline(resident))
        \(Form.start(action: action, request: request, id: "full-fall"))
        <input type="hidden" name="version" value="\(form["version"] ?? String(fall.version))">
        <h2>When and where</h2>
        \(Form.input("occurred_at", label: "When it happened", value: form["occurred_at"], errors: errors, hint: "If nobody saw it: your best estimate from when they were last seen well. Time on the floor counts from this.", type: "datetime-local", required: true))
        \(Form.radios("witnessed", legend: "Did anyone see the fall?", options: yn, selected: form["witnessed"], errors: errors, required: true, inline: true))
        \(Form.input("found_at", label: "When found", value: form["found_at"], errors: errors, hint: "Needed when nobody saw the fall.", type: "datetime-local"))
        \(Form.input("up_at", label: "When they were off the floor", value: form["up_at"], errors: errors, hint: "Got up or were helped up. Time on the floor is worked out from this; one hour or more is a long lie.", type: "datetime-local", required: true))
        \(Form.select("location", label: "Where", options: FallLocation.options, selected: form["location"], errors: errors, required: true))
        \(Form.input("location_detail", label: "Where exactly (optional)", value: form["location_detail"], errors: errors, hint: "For example: beside the bed, by the lounge door."))
        \(Form.select("activity", label: "Doing what", options: FallActivity.options, selected: form["activity"], errors: errors, required: true))
        \(Form.select("footwear", label: "Footwear", options: Footwear.options, selected: form["footwear"], errors: errors, required: true))
        \(Form.select("walking_aid", label: "Walking aid", options: WalkingAid.options, selected: form["walking_aid"], errors: errors, required: true))
        \(Form.select("call_bell", label: "Call bell", options: CallBell.options, selected: form["call_bell"], errors: errors, required: true))
        <h2>Injury</h2>
        \(Form.radios("head_strike", legend: "Did they hit their head?", options: HeadStrike.options, selected: form["head_strike"], errors: errors, required: true, inline: true))
        \(Form.select("antithrombotic", label: "Anticoagulant or antiplatelet", options: AntithromboticAnswer.options, selected: form["antithrombotic"], errors: errors, hint: medicinesHint))
        \(Form.radios("injured", legend: "Any injury?", options: yn, selected: form["injured"], errors: errors, required: true, inline: true))
        \(Form.textarea("injuries", label: "Injuries", value: form["injuries"], errors: errors, hint: "What and where, for example: bruise 4 cm left hip, skin tear right forearm.", rows: 3))
        \(Form.radios("harm", legend: "Harm", options: HarmLevel.options, selected: form["harm"], errors: errors, hint: "NHS England LFPSE degree of harm.", required: true))
        \(Form.textarea("observations", label: "Observations", value: form["observations"], errors: errors, hint: "Pulse, blood pressure, breathing rate, oxygen saturation, temperature, consciousness (ACVPU), NEWS2 if taken.", rows: 3))
        <h2>Who was called and what followed</h2>
        \(Form.checkboxes("called", legend: "Who was called", options: WhoCalled.options, selected: Set(form.all("called")), errors: errors))
        \(Form.radios("conveyed", legend: "Taken to hospital (conveyed)?", options: yn, selected: form["conveyed"], errors: errors, required: true, inline: true))
        \(Form.radios("admitted", legend: "Admitted to hospital?", options: yn, selected: form["admitted"], errors: errors, required: true, inline: true))
        \(Form.radios("fracture", legend: "Fracture?", options: yn + [("unknown", "Not known yet")], selected: form["fracture"], errors: errors, required: true, inline: true))
        \(Form.radios("family_informed", legend: "Family informed?", options: yn, selected: form["family_informed"], errors: errors, required: true, inline: true))
        \(Form.radios("gp_informed", legend: "GP informed?", options: yn, selected: form["gp_informed"], errors: errors, required: true, inline: true))
        \(Form.radios("care_plan_updated", legend: "Care plan updated?", options: yn, selected: form["care_plan_updated"], errors: errors, required: true, inline: true))
        \(Form.radios("medication_review_requested", legend: "Medication review requested?", options: yn, selected: form["medication_review_requested"], errors: errors, required: true, inline: true))
        \(Form.textarea("notes", label: "Notes (optional)", value: form["notes"], errors: errors, rows: 3))
        \(reason)
        \(Form.submit(amend ? "Save the amendment" : "Save the completed record"))
        \(Form.end)
        """
        return .page(Page(title: amend ? "Amend the fall record" : "Complete the fall record",
                          breadcrumbs: FallsApp.breadcrumbs(("Fall \(fall.id)", "/falls/\(fall.id)")), body: body), status: status)
    }

    private func saveFull(_ request: Request, amend: Bool) throws -> Response {
        let fall = try loadFall(request)
        guard fall.status != .enteredInError else { throw CareError.conflict("A fall entered in error cannot be changed.") }
        if !amend && fall.status != .firstEntry { return .redirect(to: "/falls/\(fall.id)/amend") }
        if amend && fall.status != .completed { return .redirect(to: "/falls/\(fall.id)/complete") }
        let form = request.form
        var errors = FormErrors()
        var updated = fall
        updated.status = .completed
        if let occurred = parseTime(form, "occurred_at", label: "when it happened", required: true, errors: &errors) { updated.occurredAt = occurred }
        let witnessed = yesNo(form, "witnessed", "Say whether anyone saw the fall", errors: &errors)
        updated.witnessed = witnessed ?? fall.witnessed
        updated.foundAt = parseTime(form, "found_at", label: "when found", required: witnessed == false, errors: &errors)
        if witnessed == true && updated.foundAt == nil { updated.foundAt = updated.occurredAt }
        updated.upAt = parseTime(form, "up_at", label: "when they were off the floor", required: true, errors: &errors)
        if let found = updated.foundAt, found < updated.occurredAt, errors["found_at"] == nil {
            errors.add("found_at", "When found must be at or after when it happened")
        }
        if let up = updated.upAt, up < (updated.foundAt ?? updated.occurredAt), errors["up_at"] == nil {
            errors.add("up_at", "Off the floor must be at or after the fall and the time found")
        }
        func choice<C: FallChoice>(_ type: C.Type, _ name: String, _ message: String) -> C? {
            let value = C(form: form[name])
            if value == nil { errors.add(name, message) }
            return value
        }
        updated.location = choice(FallLocation.self, "location", "Choose where it happened") ?? fall.location
        updated.locationDetail = form["location_detail"] ?? ""
        updated.activity = choice(FallActivity.self, "activity", "Choose what they were doing (or not known)")
        updated.footwear = choice(Footwear.self, "footwear", "Choose the footwear (or not known)")
        updated.walkingAid = choice(WalkingAid.self, "walking_aid", "Choose the walking aid (or not known)")
        updated.callBell = choice(CallBell.self, "call_bell", "Choose where the call bell was (or not known)")
        updated.headStrike = choice(HeadStrike.self, "head_strike", "Say whether they hit their head, or that it is not known") ?? fall.headStrike
        if let answer = AntithromboticAnswer(form: form["antithrombotic"]), answer != fall.antithrombotic {
            updated.antithrombotic = answer
            updated.antithromboticSource = "Entered on the fall record"
        }
        updated.injured = yesNo(form, "injured", "Say whether there is any injury", errors: &errors) ?? fall.injured
        updated.injuries = form["injuries"] ?? ""
        if updated.injured && updated.injuries.isEmpty { errors.add("injuries", "Describe the injuries") }
        updated.harm = choice(HarmLevel.self, "harm", "Choose the degree of harm")
        if updated.harm == HarmLevel.none && updated.injured { errors.add("harm", "An injury was recorded: choose low harm or above") }
        updated.observations = form["observations"] ?? ""
        updated.called = WhoCalled.allCases.filter { form.all("called").contains($0.rawValue) }
        updated.conveyed = yesNo(form, "conveyed", "Say whether they were taken to hospital", errors: &errors)
        updated.admitted = yesNo(form, "admitted", "Say whether they were admitted", errors: &errors)
        if updated.admitted == true && updated.conveyed == false { errors.add("admitted", "Admitted, but not taken to hospital: check both answers") }
        switch form["fracture"] {
        case "yes": updated.fracture = true
        case "no": updated.fracture = false
        case "unknown": updated.fracture = nil
        default: errors.add("fracture", "Say whether there is a fracture, or that it is not known yet")
        }
        updated.familyInformed = yesNo(form, "family_informed", "Say whether the family was informed", errors: &errors)
        updated.gpInformed = yesNo(form, "gp_informed", "Say whether the GP was informed", errors: &errors)
        updated.carePlanUpdated = yesNo(form, "care_plan_updated", "Say whether the care plan was updated", errors: &errors)
        updated.medicationReviewRequested = yesNo(form, "medication_review_requested", "Say whether a medication review was requested", errors: &errors)
        updated.notes = form["notes"] ?? ""
        let reason = form["reason"] ?? ""
        if amend && reason.isEmpty { errors.add("reason", "Give the reason for the amendment") }
        guard errors.isEmpty else { return try fullForm(request, fall: fall, amend: amend, form: form, errors: errors, status: 422) }
        let expected = form["version"].flatMap { Int($0) } ?? fall.version
        let when = now()
        try database.write { db in
            try FallsStore.update(updated, expectedVersion: expected, change: amend ? "Amended" : "Completed", reason: reason,
                                  by: request.principal, at: when, in: db)
        }
        context.audit.record(request, .amend, residentID: fall.residentID, detail: "fall \(fall.id) \(amend ? "amended" : "completed")")
        return .redirect(to: "/falls/\(fall.id)", flash: amend ? "Amendment saved" : "Fall record completed")
    }
}

// MARK: - Entered in error

extension FallsApp {
    func enteredInErrorForm(_ request: Request) throws -> Response {
        let fall = try loadFall(request)
        guard fall.status != .enteredInError else { return .redirect(to: "/falls/\(fall.id)") }
        return try enteredInErrorPage(request, fall: fall, form: FormData(), errors: FormErrors(), status: 200)
    }

    private func enteredInErrorPage(_ request: Request, fall: FallRecord, form: FormData, errors: FormErrors, status: Int) throws -> Response {
        let resident = try recordResident(fall.residentID)
        let body: HTML = """
        \(Form.errorSummary(errors))
        <p class="lead">\(resident.label): \(fall.summary), \(HomeTime.display(fall.occurredAt)).</p>
        <p>The record is not deleted: it is kept with your name and reason, and left out of lists, checks and figures.</p>
        \(Form.start(action: "/falls/\(fall.id)/entered-in-error", request: request))
        <input type="hidden" name="version" value="\(fall.version)">
        \(Form.textarea("reason", label: "Why is this entry in error?", value: form["reason"], errors: errors, hint: "For example: recorded against the wrong resident; recorded twice (see fall 12).", rows: 3, required: true))
        \(Form.submit("Mark as entered in error", kind: "warning"))
        \(Form.end)
        """
        return .page(Page(title: "Mark a fall as entered in error",
                          breadcrumbs: FallsApp.breadcrumbs(("Fall \(fall.id)", "/falls/\(fall.id)")), body: body), status: status)
    }

    func saveEnteredInError(_ request: Request) throws -> Response {
        let fall = try loadFall(request)
        guard fall.status != .enteredInError else { return .redirect(to: "/falls/\(fall.id)") }
        var errors = FormErrors()
        guard let reason = request.form.nonEmpty("reason") else {
            errors.add("reason", "Give the reason the entry is in error")
            return try enteredInErrorPage(request, fall: fall, form: request.form, errors: errors, status: 422)
        }
        var updated = fall
        updated.status = .enteredInError
        updated.enteredInErrorReason = reason
        let expected = request.form["version"].flatMap { Int($0) } ?? fall.version
        let when = now()
        try database.write { db in
            try FallsStore.update(updated, expectedVersion: expected, change: "Entered in error", reason: reason,
                                  by: request.principal, at: when, in: db)
        }
        context.audit.record(request, .enteredInError, residentID: fall.residentID, detail: "fall \(fall.id) entered in error")
        return .redirect(to: "/falls/\(fall.id)", flash: "Marked as entered in error")
    }
}
