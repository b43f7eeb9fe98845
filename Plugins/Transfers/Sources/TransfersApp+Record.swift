import CareKit
import CareServices
import Foundation

extension TransfersApp {
    // MARK: A new transfer

    func newForm(_ request: Request) throws -> Response {
        var form = request.query
        if form["record_move"] == nil { form.fields["record_move"] = ["on"] }
        return try newPage(request, form: form, errors: FormErrors(), status: 200)
    }

    private func newPage(_ request: Request, form: FormData, errors: FormErrors, status: Int) throws -> Response {
        let residentID = form["resident_id"].flatMap(Int64.init)
        var body: HTML = Form.errorSummary(errors)
        var linkHint = "For example: escalation to the GP at 10:40, NEWS2 6"
        var fallOptions = [(value: String, label: String)]()
        if let residentID, let resident = try? directory().resident(id: residentID) {
            body += UI.banner(.info, title: "ReSPECT and advance care plan", "<p>\(resident.advanceCarePlan.summary)</p>")
            if let falls = try? context.services.resolve(Services.falls)?.falls(residentID: residentID, since: now().addingTimeInterval(-7 * 86_400)) {
                fallOptions = falls.map { (String($0.id), "\(HomeTime.display($0.occurredAt)): \($0.summary)") }
            }
            if let line = (try? context.services.resolve(Services.deterioration)?.deteriorating(since: now().addingTimeInterval(-3 * 86_400)))??[residentID] {
                linkHint = "Recorded in the last 3 days: \(line)"
            }
        }
        let yesNo: [(value: String, label: String)] = [("yes", "Yes"), ("no", "No")]
        body += """
        \(Form.start(action: "/transfers/new", request: request, id: "transfer"))
        \(Form.select("resident_id", label: "Resident", options: try residentOptions(), selected: form["resident_id"], errors: errors, required: true))
        \(Form.input("left_at", label: "When they left for hospital", value: form["left_at"] ?? HomeTime.inputValue(now()), errors: errors, type: "datetime-local", required: true))
        \(Form.radios("reason", legend: "Why", options: TransferReason.allCases.map { ($0.rawValue, $0.title) }, selected: form["reason"], errors: errors, required: true))
        \(Form.textarea("reason_detail", label: "What happened, in a sentence (optional)", value: form["reason_detail"], errors: errors, rows: 2))
        \(fallOptions.isEmpty ? HTML.empty : Form.select("fall_id", label: "The fall it followed", options: fallOptions, selected: form["fall_id"], errors: errors, placeholder: "Not after a recorded fall"))
        \(Form.input("linked_record", label: "The escalation or record it followed (optional)", value: form["linked_record"], errors: errors, hint: linkHint))
        \(Form.radios("route", legend: "How it was arranged", options: TransferRoute.allCases.map { ($0.rawValue, $0.title) }, selected: form["route"], errors: errors, required: true))
        \(Form.radios("by_ambulance", legend: "Did an ambulance take them?", options: yesNo, selected: form["by_ambulance"], errors: errors, required: true, inline: true))
        \(Form.radios("outcome", legend: "What happened at the hospital", options: TransferOutcome.allCases.map { ($0.rawValue, $0.title) }, selected: form["outcome"] ?? TransferOutcome.notKnownYet.rawValue, errors: errors, hint: "Change it later when you know"))
        \(Form.input("hospital", label: "Hospital (optional)", value: form["hospital"], errors: errors))
        \(Form.checkbox("record_move", label: "They are away overnight or longer: record \"went to hospital\" on their record (the registry)", checked: form.isChecked("record_move"), hint: "Leave unticked for a visit to A&E from which they came back the same day"))
        \(Form.submit("Save the transfer"))
        \(Form.end)
        """
        return .page(Page(title: "\(errors.isEmpty ? "" : "Error: ")Record a transfer to hospital", breadcrumbs: TransfersApp.crumbs(), body: body), status: status)
    }

    func create(_ request: Request) throws -> Response {
        let form = request.form
        var errors = FormErrors()
        let residentID = form["resident_id"].flatMap(Int64.init)
        var resident: ResidentSummary?
        if let residentID { resident = try directory().resident(id: residentID) }
        if resident == nil { errors.add("resident_id", "Choose the resident") }
        var leftAt: Date?
        if let text = form.nonEmpty("left_at") {
            leftAt = HomeTime.parse(text)
            if leftAt == nil { errors.add("left_at", "Enter a real date and time, for example 23/11/2026 14:05") }
            else if let at = leftAt, at > now().addingTimeInterval(600) { errors.add("left_at", "The time must not be in the future"); leftAt = nil }
        } else { errors.add("left_at", "Enter when they left") }
        let reason = form["reason"].flatMap(TransferReason.init(rawValue:))
        if reason == nil { errors.add("reason", "Choose why they went") }
        let route = form["route"].flatMap(TransferRoute.init(rawValue:))
        if route == nil { errors.add("route", "Choose how it was arranged") }
        let ambulance = form["by_ambulance"]
        if ambulance != "yes" && ambulance != "no" { errors.add("by_ambulance", "Say whether an ambulance took them") }
        let outcome = form["outcome"].flatMap(TransferOutcome.init(rawValue:)) ?? .notKnownYet
        for (field, limit) in [("reason_detail", 2000), ("linked_record", 500), ("hospital", 200)] where (form[field] ?? "").count > limit {
            errors.add(field, "Shorten this to \(limit) characters or fewer")
        }
        guard errors.isEmpty, let resident, let leftAt, let reason, let route else {
            return try newPage(request, form: form, errors: errors, status: 422)
        }
        var transfer = Transfer(residentID: resident.id, leftAt: leftAt, reason: reason, route: route, byAmbulance: ambulance == "yes", outcome: outcome)
        transfer.reasonDetail = (form["reason_detail"] ?? "").trimmingWhitespace()
        transfer.fallID = form["fall_id"].flatMap(Int64.init)
        transfer.linkedRecord = (form["linked_record"] ?? "").trimmingWhitespace()
        transfer.hospital = (form["hospital"] ?? "").trimmingWhitespace()
        // A visit to A&E without a move on the registry ends the same day: it never counts as nights away.
        let recordMove = form.isChecked("record_move")
        if !recordMove && !outcome.isAdmission {
            transfer.stayEndedOn = transfer.leftOn
            transfer.stayEnd = .returned
        }
        let at = now()
        let id = try database.write { db in try TransfersStore.insert(transfer, by: request.principal, at: at, in: db) }
        context.audit.record(request, .create, residentID: resident.id, detail: "hospital transfer \(id) recorded (\(reason.rawValue), \(route.rawValue))")
        context.log.info("transfers.recorded", ["resident.id": String(resident.id), "transfer.id": String(id), "transfer.route": route.rawValue])
        var flash = "Transfer saved"
        if recordMove {
            if let movements = context.services.resolve(Services.residentMovements) {
                do {
                    try movements.recordWentToHospital(residentID: resident.id, on: transfer.leftOn, note: "Hospital transfer: \(transfer.summary)", by: request.principal)
                    flash += "; the move to hospital is on their record"
                } catch let error as CareError {
                    flash += ". The move to hospital was not recorded on their record: \(error.message)"
                }
            } else {
                flash += ". The resident registry is not available: record the move to hospital on their record"
            }
        }
        return .redirect(to: "/transfers/\(id)", flash: flash)
    }

    // MARK: One transfer

    func show(_ request: Request) throws -> Response {
        try transferPage(request, form: nil, errors: FormErrors(), status: 200)
    }

    private func loadTransfer(_ request: Request) throws -> (Transfer, ResidentSummary, [TransferReview]) {
        let id = try request.id("id")
        let (transfer, reviews) = try database.read { db in
            (try TransfersStore.transfer(id: id, in: db), try TransfersStore.reviewHistory(transferID: id, in: db))
        }
        guard let transfer else { throw CareError.notFound("No such transfer.") }
        return (transfer, try resident(transfer.residentID), reviews)
    }

    private func transferPage(_ request: Request, form: FormData?, errors: FormErrors, status: Int, reviewForm: FormData? = nil, reviewErrors: FormErrors = FormErrors(),
                              errorErrors: FormErrors = FormErrors()) throws -> Response {
        let (t, resident, reviews) = try loadTransfer(request)
        context.audit.record(request, .view, residentID: resident.id, detail: "hospital transfer \(t.id)")
        // One summary for the page, whichever part the reasons are in (their fields' names differ).
        var every = errors
        for item in reviewErrors.items + errorErrors.items { every.add(item.field, item.message) }
        var body: HTML = Form.errorSummary(every)
        if t.enteredInError { body += UI.banner(.warning, title: "Entered in error", "<p>Kept for the record; left out of every figure.</p>") }
        var facts: [(key: String, value: HTML)] = [
            ("Resident", UI.link(resident.label, to: resident.path)),
            ("Left", HTML(text: HomeTime.display(t.leftAt))),
            ("Why", HTML(text: t.reason.title + (t.reasonDetail.isEmpty ? "" : ": \(t.reasonDetail)"))),
        ]
        if let fall = t.fallID { facts.append(("After the fall", UI.link("Fall \(fall)", to: "/falls/\(fall)"))) }
        if !t.linkedRecord.isEmpty { facts.append(("After", HTML(text: t.linkedRecord))) }
        facts += [
            ("How", HTML(text: t.route.title + (t.byAmbulance ? ", by ambulance" : ", not by ambulance"))),
            ("At the hospital", HTML(text: t.outcome.title + (t.hospital.isEmpty ? "" : " (\(t.hospital))"))),
            ("Stay", HTML(text: t.stayEnd.map { "\($0.title) \(t.stayEndedOn?.display ?? ""): \(t.lengthOfStay(today: today)) nights" }
                          ?? "Still away: \(t.lengthOfStay(today: today)) nights so far")),
            ("Discharge summary", t.dischargeSummaryOn.map { HTML(text: "Received \($0.display)") } ?? (t.returnedOn == nil ? HTML(text: "Not yet") : UI.tag("Not received", colour: "orange"))),
            ("Medicines reconciled", HTML(text: t.reconciliation.title + (t.reconciledOn.map { " (\($0.display))" } ?? ""))),
            ("Structured medication review after the stay", HTML(text: t.medicationReviewOn.map { "Completed \($0.display) (medication review)" }
                ?? (context.services.resolve(Services.currentMedicines) == nil ? "Not known here: the medication plugin is not loaded" : "None recorded yet"))),
            ("Follow-up actions", HTML(text: t.followUp.isEmpty ? "None recorded" : t.followUp)),
            ("Recorded by", HTML(text: t.recordedByName)),
        ]
        body += UI.summaryList(facts)
        body += "<p>\(UI.link("Transfer summary for the crew and A&E", to: "/residents/\(resident.id)/transfer-summary"))</p>"
        if let medicines = try? context.services.resolve(Services.currentMedicines)?.medicines(residentID: resident.id) {
            body += UI.section("Medicines on their list now (to reconcile against the discharge letter)",
                               medicines.isEmpty ? "<p>None on the list.</p>" : "<ul>\(medicines.map { m -> HTML in "<li>\(m.name): \(m.directions)</li>" })</ul>")
        }
        if !t.enteredInError {
            let f = form ?? FormData(fields: [
                "outcome": [t.outcome.rawValue], "hospital": [t.hospital], "stay_end": [t.stayEnd?.rawValue ?? "away"],
                "stay_ended_on": [t.stayEndedOn?.iso ?? ""], "discharge_summary_on": [t.dischargeSummaryOn?.iso ?? ""],
                "reconciliation": [t.reconciliation.rawValue], "reconciled_on": [t.reconciledOn?.iso ?? ""], "follow_up": [t.followUp]])
            body += UI.section("Outcome, return and follow-up", """
            \(Form.start(action: "/transfers/\(t.id)/update", request: request, id: "update"))<input type="hidden" name="update_part" value="1">\
            \(Form.radios("outcome", legend: "What happened at the hospital", options: TransferOutcome.allCases.map { ($0.rawValue, $0.title) }, selected: f["outcome"], errors: errors))\
            \(Form.input("hospital", label: "Hospital", value: f["hospital"], errors: errors))\
            \(Form.radios("stay_end", legend: "Are they back?", options: [("away", "Still away")] + StayEnd.allCases.map { ($0.rawValue, $0.title) }, selected: f["stay_end"], errors: errors, hint: "The registry's own record of the return (which restarts the 7-day clock) fills this in; record the return there too."))\
            \(Form.input("stay_ended_on", label: "On", value: f["stay_ended_on"], errors: errors, type: "date"))\
            \(Form.input("discharge_summary_on", label: "Discharge summary received on", value: f["discharge_summary_on"], errors: errors, type: "date"))\
            \(Form.radios("reconciliation", legend: "Medicines reconciled against the discharge letter?", options: Reconciliation.allCases.map { ($0.rawValue, $0.title) }, selected: f["reconciliation"], errors: errors))\
            \(Form.input("reconciled_on", label: "Reconciled on", value: f["reconciled_on"], errors: errors, type: "date"))\
            \(Form.textarea("follow_up", label: "Follow-up actions", value: f["follow_up"], errors: errors, rows: 3))\
            \(Form.submit("Save"))\(Form.end)
            """)
        }
        // The MDT's view.
        var review: HTML = ""
        if let latest = reviews.first {
            review += UI.summaryList([
                ("Could it have been avoided?", HTML(text: latest.avoidable.title)),
                ("What would have helped", HTML(text: latest.helped.title)),
                ("Notes", HTML(text: latest.notes.isEmpty ? "None" : latest.notes)),
                ("Reviewed", HTML(text: "\(latest.reviewedOn.display) by \(latest.reviewedBy)")),
            ])
            if reviews.count > 1 { review += "<p>\(reviews.count - 1) earlier review(s) kept.</p>" }
        } else if t.isUnplanned {
            review += UI.banner(.warning, title: "Not yet reviewed by the MDT", "<p>It is on the next home round's agenda until it is.</p>")
        }
        if TransfersApp.reviewers.contains(request.principal.role) && !t.enteredInError {
            let rf = reviewForm ?? FormData(fields: ["reviewed_on": [today.iso], "reviewed_by": [request.principal.displayName]])
            // The review's fields belong to the outcome part's form (HTML's `form` attribute): either
            // button sends both, so what was typed in one part is not lost by saving the other.
            let fields: HTML = """
            \(Form.radios("avoidable", legend: "Could this transfer have been avoided?", options: Avoidability.allCases.map { ($0.rawValue, $0.title) }, selected: rf["avoidable"], errors: reviewErrors, required: true))\
            \(Form.radios("helped", legend: "What would have helped most?", options: WhatWouldHaveHelped.allCases.map { ($0.rawValue, $0.title) }, selected: rf["helped"], errors: reviewErrors, required: true))\
            \(Form.textarea("notes", label: "In your words", value: rf["notes"], errors: reviewErrors, rows: 3))\
            \(Form.input("reviewed_on", label: "Reviewed on", value: rf["reviewed_on"], errors: reviewErrors, type: "date", required: true))\
            \(Form.input("reviewed_by", label: "Reviewed by (names and roles of the MDT)", value: rf["reviewed_by"], errors: reviewErrors, required: true))
            """
            let owned = fields.rendered.replacingOccurrences(of: "<input ", with: "<input form=\"update\" ")
                .replacingOccurrences(of: "<textarea ", with: "<textarea form=\"update\" ")
            review += """
            <div id="review">\(HTML(trusted: owned))\
            <button type="submit" class="button button-secondary" form="update" formaction="/transfers/\(t.id)/review">\(reviews.isEmpty ? "Save the review" : "Save a new review")</button></div>
            """
        }
        body += UI.section("The MDT's review", review)
        if TransfersApp.reviewers.contains(request.principal.role) && !t.enteredInError {
            body += UI.section("Entered in error?", """
            \(Form.start(action: "/transfers/\(t.id)/entered-in-error", request: request))\
            \(Form.input("reason", label: "What was wrong", value: nil, errors: errorErrors, required: true))\
            \(Form.submit("Mark entered in error", kind: "secondary"))\(Form.end)
            """)
        }
        let anyErrors = !errors.isEmpty || !reviewErrors.isEmpty || !errorErrors.isEmpty
        return .page(Page(title: "\(anyErrors ? "Error: " : "")Transfer: \(resident.label)", breadcrumbs: TransfersApp.crumbs(), body: body), status: status)
    }

    /// The outcome, return and follow-up part of the transfer's page, as sent; errors in `errors`.
    private func parseUpdate(_ form: FormData, old: Transfer, errors: inout FormErrors) -> Transfer {
        var t = old
        if let outcome = form["outcome"].flatMap(TransferOutcome.init(rawValue:)) { t.outcome = outcome }
        t.hospital = String((form["hospital"] ?? "").trimmingWhitespace().prefix(200))
        let endedOn = TransfersApp.parseDay(form, "stay_ended_on", required: false, today: today, notBefore: old.leftOn, errors: &errors)
        if let end = form["stay_end"].flatMap(StayEnd.init(rawValue:)) {
            if endedOn == nil && errors["stay_ended_on"] == nil { errors.add("stay_ended_on", "Enter the date they came back, died or left") }
            t.stayEnd = end
            t.stayEndedOn = endedOn
        } else {
            t.stayEnd = nil
            t.stayEndedOn = nil
        }
        t.dischargeSummaryOn = TransfersApp.parseDay(form, "discharge_summary_on", required: false, today: today, notBefore: old.leftOn, errors: &errors)
        t.reconciliation = form["reconciliation"].flatMap(Reconciliation.init(rawValue:)) ?? .notYet
        t.reconciledOn = TransfersApp.parseDay(form, "reconciled_on", required: false, today: today, notBefore: old.leftOn, errors: &errors)
        t.followUp = (form["follow_up"] ?? "").trimmingWhitespace()
        if t.followUp.count > 4000 { errors.add("follow_up", "Shorten this to 4,000 characters or fewer") }
        return t
    }

    /// The MDT's review part, as sent; nil with the reasons in `errors`.
    private func parseReview(_ form: FormData, transfer t: Transfer, errors: inout FormErrors) -> TransferReview? {
        let avoidable = form["avoidable"].flatMap(Avoidability.init(rawValue:))
        if avoidable == nil { errors.add("avoidable", "Choose whether it could have been avoided") }
        let helped = form["helped"].flatMap(WhatWouldHaveHelped.init(rawValue:))
        if helped == nil { errors.add("helped", "Choose what would have helped") }
        let notes = (form["notes"] ?? "").trimmingWhitespace()
        if helped == .other && notes.isEmpty { errors.add("notes", "Say what would have helped") }
        if notes.count > 4000 { errors.add("notes", "Shorten this to 4,000 characters or fewer") }
        let on = TransfersApp.parseDay(form, "reviewed_on", required: true, today: today, notBefore: t.leftOn, errors: &errors)
        let by = (form["reviewed_by"] ?? "").trimmingWhitespace()
        if by.isEmpty { errors.add("reviewed_by", "Enter who reviewed it") }
        guard let avoidable, let helped, let on, !by.isEmpty else { return nil }
        return TransferReview(transferID: t.id, avoidable: avoidable, helped: helped, notes: notes, reviewedOn: on, reviewedBy: String(by.prefix(300)))
    }

    /// Whether a review was started in the form (an answer chosen or words typed).
    private static func reviewTyped(_ form: FormData) -> Bool {
        form["avoidable"] != nil || form["helped"] != nil || !(form["notes"] ?? "").trimmingWhitespace().isEmpty
    }

    func update(_ request: Request) throws -> Response {
        try saveTransferPage(request, reviewing: false)
    }

    func saveReview(_ request: Request) throws -> Response {
        try saveTransferPage(request, reviewing: true)
    }

    /// One save for the transfer's page: the outcome part and the MDT's review are one form (the review's
    /// fields belong to it), so whichever button is pressed, nothing typed in the other part is lost.
    /// "Save" saves a review that was started; "Save a new review" saves the outcome part when it changed.
    /// Errors in either part bring both back as typed, with the reasons.
    private func saveTransferPage(_ request: Request, reviewing: Bool) throws -> Response {
        let (old, resident, _) = try loadTransfer(request)
        let form = request.form
        let mayReview = TransfersApp.reviewers.contains(request.principal.role)
        var errors = FormErrors()
        var reviewErrors = FormErrors()
        // The outcome part is there when the page's one form was sent (a bare review post has no marker).
        let hasUpdatePart = !reviewing || form["update_part"] != nil
        let t = hasUpdatePart ? parseUpdate(form, old: old, errors: &errors) : old
        var review: TransferReview?
        if reviewing || (mayReview && TransfersApp.reviewTyped(form)) {
            guard mayReview else { throw CareError.forbidden("Only nurses, the manager and visiting clinicians review transfers.") }
            review = parseReview(form, transfer: old, errors: &reviewErrors)
        }
        guard errors.isEmpty, reviewErrors.isEmpty else {
            return try transferPage(request, form: hasUpdatePart ? form : nil, errors: errors, status: 422,
                                    reviewForm: mayReview ? form : nil, reviewErrors: reviewErrors)
        }
        guard !old.enteredInError else { throw CareError.conflict("This transfer was marked entered in error.") }
        let changed = hasUpdatePart && t != old
        let at = now()
        try database.write { db in
            if changed { try TransfersStore.update(t, at: at, in: db) }
            if let review { try TransfersStore.insertReview(review, by: request.principal, at: at, in: db) }
        }
        if changed { context.audit.record(request, .amend, residentID: resident.id, detail: "hospital transfer \(t.id) updated") }
        if let review { context.audit.record(request, .create, residentID: resident.id, detail: "hospital transfer \(t.id) reviewed (\(review.avoidable.rawValue))") }
        let flash = review == nil ? "Transfer updated" : (changed ? "Review saved, with the transfer's changes" : "Review saved")
        return .redirect(to: t.path, flash: flash)
    }

    func enteredInError(_ request: Request) throws -> Response {
        let (t, resident, _) = try loadTransfer(request)
        let reason = (request.form["reason"] ?? "").trimmingWhitespace()
        guard !reason.isEmpty else {
            var errors = FormErrors()
            errors.add("reason", "Say what was wrong with the transfer")
            return try transferPage(request, form: nil, errors: FormErrors(), status: 422, errorErrors: errors)
        }
        try database.write { db in try TransfersStore.markEnteredInError(id: t.id, reason: String(reason.prefix(500)), in: db) }
        context.audit.record(request, .enteredInError, residentID: resident.id, detail: "hospital transfer \(t.id) entered in error")
        return .redirect(to: t.path, flash: "Marked entered in error")
    }

    // MARK: Deaths

    func deathForm(_ request: Request) throws -> Response {
        try deathPage(request, form: nil, errors: FormErrors(), status: 200)
    }

    private func deathPage(_ request: Request, form: FormData?, errors: FormErrors, status: Int) throws -> Response {
        let id = try request.id("id")
        guard let death = try database.read({ try TransfersStore.death(id: id, in: $0) }) else { throw CareError.notFound("No such death record.") }
        let resident = try resident(death.residentID)
        context.audit.record(request, .view, residentID: resident.id, detail: "death record \(id)")
        let f = form ?? FormData(fields: ["place": [death.place?.rawValue ?? ""], "preferred": [death.preferred.rawValue],
                                          "plan_existed": [death.planExisted ? "yes" : "no"]])
        let body: HTML = """
        \(Form.errorSummary(errors))
        <p class="lead">\(resident.label) died on \(death.diedOn.display).</p>
        \(UI.banner(.info, title: "Their advance care plan as the registry holds it", "<p>\(resident.advanceCarePlan.summary)</p>"))
        \(Form.start(action: "/transfers/deaths/\(id)", request: request, id: "death"))
        \(Form.radios("place", legend: "Where did they die?", options: DeathPlace.allCases.map { ($0.rawValue, $0.title) }, selected: f["place"], errors: errors, required: true))
        \(Form.radios("preferred", legend: "Where did their advance care plan say they wanted to die?", options: PreferredPlace.allCases.map { ($0.rawValue, $0.title) }, selected: f["preferred"], errors: errors, required: true))
        \(Form.radios("plan_existed", legend: "Was there an advance care plan (ReSPECT or other) when they died?", options: [("yes", "Yes"), ("no", "No")], selected: f["plan_existed"], errors: errors, required: true, inline: true))
        \(Form.submit("Save"))
        \(Form.end)
        """
        return .page(Page(title: "\(errors.isEmpty ? "" : "Error: ")Death: \(resident.label)", breadcrumbs: TransfersApp.crumbs(), body: body), status: status)
    }

    func saveDeath(_ request: Request) throws -> Response {
        let id = try request.id("id")
        let form = request.form
        var errors = FormErrors()
        let place = form["place"].flatMap(DeathPlace.init(rawValue:))
        if place == nil { errors.add("place", "Choose where they died") }
        let preferred = form["preferred"].flatMap(PreferredPlace.init(rawValue:))
        if preferred == nil { errors.add("preferred", "Choose the preferred place, or \"not recorded in a plan\"") }
        let plan = form["plan_existed"]
        if plan != "yes" && plan != "no" { errors.add("plan_existed", "Say whether there was an advance care plan") }
        guard errors.isEmpty, let place, let preferred else { return try deathPage(request, form: form, errors: errors, status: 422) }
        let at = now()
        let residentID = try database.write { db -> Int64 in
            try TransfersStore.completeDeath(id: id, place: place, preferred: preferred, planExisted: plan == "yes", by: request.principal.displayName, at: at, in: db)
            return try TransfersStore.death(id: id, in: db)?.residentID ?? 0
        }
        context.audit.record(request, .amend, residentID: residentID, detail: "death record \(id) completed")
        return .redirect(to: "/transfers", flash: "Death record saved")
    }

    // MARK: Resident and family voice

    func voiceForm(_ request: Request) throws -> Response {
        try voicePage(request, form: request.query, errors: FormErrors(), status: 200)
    }

    private func voicePage(_ request: Request, form: FormData, errors: FormErrors, status: Int) throws -> Response {
        let answers = VoiceAnswer.allCases.map { ($0.rawValue, $0.title) }
        var questions: HTML = ""
        for q in VoiceQuestion.allCases {
            questions += Form.radios("q-\(q.rawValue)", legend: q.title, options: answers, selected: form["q-\(q.rawValue)"], errors: errors, inline: true)
        }
        let body: HTML = """
        \(Form.errorSummary(errors))
        <p class="lead">Ask at the care plan review, in these words. Write down what they say, not what you think.</p>
        \(Form.start(action: "/transfers/voice/new", request: request, id: "voice"))
        \(Form.select("resident_id", label: "Resident", options: try residentOptions(), selected: form["resident_id"], errors: errors, required: true))
        \(Form.input("asked_on", label: "Asked on", value: form["asked_on"] ?? today.iso, errors: errors, type: "date", required: true))
        \(Form.radios("respondent", legend: "Who answered", options: VoiceRespondent.allCases.map { ($0.rawValue, $0.title) }, selected: form["respondent"], errors: errors, required: true))
        \(questions)
        \(Form.textarea("comment", label: "Anything else they said about how their care is co-ordinated (optional)", value: form["comment"], errors: errors, rows: 3))
        \(Form.submit("Save their answers"))
        \(Form.end)
        """
        return .page(Page(title: "\(errors.isEmpty ? "" : "Error: ")Resident and family voice", breadcrumbs: TransfersApp.crumbs(), body: body), status: status)
    }

    func saveVoice(_ request: Request) throws -> Response {
        let form = request.form
        var errors = FormErrors()
        let residentID = form["resident_id"].flatMap(Int64.init)
        var resident: ResidentSummary?
        if let residentID { resident = try directory().resident(id: residentID) }
        if resident == nil { errors.add("resident_id", "Choose the resident") }
        let on = TransfersApp.parseDay(form, "asked_on", required: true, today: today, errors: &errors)
        let respondent = form["respondent"].flatMap(VoiceRespondent.init(rawValue:))
        if respondent == nil { errors.add("respondent", "Choose who answered") }
        var answers = [VoiceQuestion: VoiceAnswer]()
        for q in VoiceQuestion.allCases { answers[q] = form["q-\(q.rawValue)"].flatMap(VoiceAnswer.init(rawValue:)) ?? .notAnswered }
        let comment = (form["comment"] ?? "").trimmingWhitespace()
        if comment.count > 2000 { errors.add("comment", "Shorten this to 2,000 characters or fewer") }
        guard errors.isEmpty, let resident, let on, let respondent else { return try voicePage(request, form: form, errors: errors, status: 422) }
        let record = VoiceRecord(residentID: resident.id, askedOn: on, respondent: respondent, answers: answers, comment: comment)
        let at = now()
        try database.write { db in try TransfersStore.insertVoice(record, by: request.principal, at: at, in: db) }
        context.audit.record(request, .create, residentID: resident.id, detail: "resident and family voice recorded")
        return .redirect(to: "/transfers", flash: "Their answers are saved")
    }
}
