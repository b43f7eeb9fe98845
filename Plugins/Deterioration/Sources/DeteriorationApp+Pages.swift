import CareKit
import CareServices
import Foundation

extension DeteriorationApp {
    // MARK: A resident's page

    func residentPage(_ request: Request) throws -> Response {
        let resident = try resident(request)
        let long = request.query["range"] == "6m"
        let days = long ? 183 : 14
        let picture = try picture(resident.id, days: days)
        context.audit.record(request, .view, residentID: resident.id, detail: "deterioration record")
        let role = request.principal.role
        var body = DeteriorationApp.quickActions(resident.id, role: role)
        if let latest = picture.latest {
            body += "<p class=\"lead\">Latest set: \(HomeTime.display(latest.takenAt)). \(UI.link("Open it", to: "/deterioration/observations/\(latest.id)"))</p>"
            body += DeteriorationApp.bandPanel(latest.score)
            body += DeteriorationApp.baselinePanel(latest, baseline: picture.baseline, residentID: resident.id, canSet: DeteriorationApp.clinical.contains(role))
        } else {
            body += "<p class=\"lead\">No observations in the last \(days) days.</p>"
            if picture.baseline == nil {
                body += UI.banner(.warning, title: "No usual observations agreed", "<p>Agree what is usual for them so that a change can be seen.</p>")
            }
        }
        if let due = DeteriorationApp.nextDue(latest: picture.latest, aboveUsual: picture.latest.map { set in picture.baseline?.compare(set.score).isFlagged ?? false } ?? false,
                                              baseline: picture.baseline, softSignsSince: picture.softSigns.first?.noticedAt) {
            let overdue = due.at < now()
            body += UI.banner(overdue ? .warning : .info, title: "Next set \(overdue ? "overdue since" : "due") \(HomeTime.display(due.at))", "<p>\(due.why)</p>")
        }
        if !picture.softSigns.isEmpty {
            let rows = picture.softSigns.map { s -> [HTML] in [HTML(text: HomeTime.display(s.noticedAt)), HTML(text: s.summary), HTML(text: s.notes), HTML(text: s.recordedByName)] }
            body += UI.table(caption: "Soft signs in the last 3 days", headers: ["Noticed", "What", "Notes", "Recorded by"], rows: rows)
        }
        // Trend.
        let from = now().addingTimeInterval(-Double(days) * 86_400)
        let toggle = long ? UI.link("Show the last 14 days", to: "/deterioration/residents/\(resident.id)") : UI.link("Show the last 6 months", to: "/deterioration/residents/\(resident.id)?range=6m")
        body += UI.section("Trend over \(long ? "6 months" : "14 days")", "<p>\(toggle)</p>" + TrendChart.charts(sets: picture.sets, baseline: picture.baseline, from: from, to: now(), idPrefix: "trend"))
        let rows = picture.sets.reversed().map { set -> [HTML] in
            let score = set.score
            return [UI.link(HomeTime.display(set.takenAt), to: "/deterioration/observations/\(set.id)"),
                    HTML(text: score.total.map(String.init) ?? "Incomplete")]
                + [NEWS2.Parameter.respirationRate, .oxygenSaturation, .airOrOxygen, .systolic, .pulse, .consciousness, .temperature].map { p in
                    HTML(text: p == .consciousness ? (set.consciousness?.short ?? "—") : set.display(p))
                }
        }
        body += UI.table(caption: "The same readings (newest first)", headers: ["Taken", "NEWS2", "Breathing", "SpO2", "Air/O2", "BP", "Pulse", "ACVPU", "Temp"],
                         rows: rows, emptyMessage: "No observations in this period.")
        // Baseline and target.
        var usual = [(key: String, value: HTML)]()
        if let baseline = picture.baseline {
            let review = baseline.reviewDue(returnedFromHospitalOn: resident.latestAdmissionIsReadmission ? resident.latestAdmission : nil)
            usual.append(("Usual NEWS2", HTML(text: String(baseline.usualNEWS2))))
            usual.append(("Agreed", HTML(text: "\(baseline.agreedOn.display) by \(UI.person(baseline.agreedBy, baseline.agreedByRole))")))
            usual.append(("Review", review.due <= today ? UI.tag("Review due", colour: "orange") + HTML(text: " " + review.reason) : HTML(text: "By \(review.due.display). \(review.reason)")))
            if !baseline.notes.isEmpty { usual.append(("Notes", HTML(text: baseline.notes))) }
        } else {
            usual.append(("Usual NEWS2", UI.tag("Not agreed", colour: "yellow")))
        }
        usual.append(("SpO2 scale", HTML(text: picture.target.map { $0.scale == .two ? "Scale 2 (target 88–92%), set by \(UI.person($0.setBy, $0.setByRole)) on \($0.setOn.display): \($0.reason)" : "Scale 1 (since \($0.setOn.display))" } ?? "Scale 1")))
        var links = HTML.empty
        if DeteriorationApp.clinical.contains(role) {
            links = "<p>\(UI.link("Agree or review their usual observations", to: "/deterioration/residents/\(resident.id)/baseline")) · \(UI.link("Set the oxygen saturation target", to: "/deterioration/residents/\(resident.id)/spo2-target"))</p>"
        }
        body += UI.section("Their usual", UI.summaryList(usual) + links)
        if !picture.escalations.isEmpty {
            let rows = picture.escalations.map { e -> [HTML] in
                [HTML(text: HomeTime.display(e.calledAt)), HTML(text: e.route?.title ?? ""), HTML(text: e.calledWho), HTML(text: e.advice),
                 HTML(text: e.outcome?.title ?? ""), HTML(text: e.decision)]
            }
            body += UI.table(caption: "Escalations in the last 90 days", headers: ["When", "Route", "Spoke to", "Advice", "Outcome", "Decision"], rows: rows)
        }
        body += "<p>\(UI.link("How the scores and prompts work", to: "/deterioration/rules"))</p>"
        return .page(Page(title: "Deterioration: \(resident.label)", breadcrumbs: DeteriorationApp.crumbs(), body: body))
    }

    // MARK: Escalation

    /// What the person making the call needs, on one screen, with the SBARD to read out.
    func escalationScreen(_ request: Request) throws -> Response {
        try escalationPage(request, resident: try resident(request), form: request.query, errors: FormErrors(), status: 200)
    }

    struct EscalationFacts {
        var picture: Picture
        var suggestions: [RouteSuggestion]
        var sbard: SBARD
        var medicines: [MedicineSummary]?
        var falls: [FallSummary]?
    }

    func escalationFacts(_ resident: ResidentSummary, caller: Principal) throws -> EscalationFacts {
        let picture = try picture(resident.id, days: 3)
        let medicines = try? context.services.resolve(Services.currentMedicines)?.medicines(residentID: resident.id)
        let falls = try? context.services.resolve(Services.falls)?.falls(residentID: resident.id, since: now().addingTimeInterval(-30 * 86_400))
        let calendar = (try? directory().workingCalendar()) ?? WorkingCalendar()
        let latest = picture.latest
        let above = latest.map { set in picture.baseline?.compare(set.score).isFlagged ?? false } ?? false
        let suggestions = EscalationAdvice.suggest(band: latest?.score.band, consciousness: latest?.consciousness, aboveUsual: above,
                                                   softSigns: !picture.softSigns.isEmpty, plan: resident.advanceCarePlan,
                                                   inGPHours: EscalationAdvice.inGPHours(now(), calendar: calendar))
        let sbard = SBARD.compose(resident: resident, homeName: homeName(), caller: UI.person(caller.displayName, caller.role.title), today: today,
                                  latest: latest, baseline: picture.baseline, softSigns: picture.softSigns, medicines: medicines,
                                  falls: falls, suggestion: suggestions.first)
        return EscalationFacts(picture: picture, suggestions: suggestions, sbard: sbard, medicines: medicines, falls: falls)
    }

    private func escalationPage(_ request: Request, resident: ResidentSummary, form: FormData, errors: FormErrors, status: Int) throws -> Response {
        let facts = try escalationFacts(resident, caller: request.principal)
        context.audit.record(request, .view, residentID: resident.id, detail: "escalation screen")
        var body: HTML = Form.errorSummary(errors)
        body += DeteriorationApp.planBanner(resident)
        let suggestionItems = facts.suggestions.map { s -> HTML in "<li><strong>\(s.route.title)</strong>: \(s.why)</li>" }
        let why = UI.ruleReason("Routes follow the RCP's NEWS2 response bands (emergency at 7 or more; urgent at 5–6 or a single 3), a rise from the resident's usual, soft signs and the ReSPECT plan, which is shown first (our own design).",
                                ruleID: "DET-ESC-1", source: NEWS2.source + " NHS England: 2-hour Urgent Community Response.")
        let advice: HTML = """
        <ol class="det-routes">\(suggestionItems)</ol><p>A suggestion from the record: the person making the call decides.</p>\
        \(why)
        """
        body += UI.banner(facts.suggestions.first?.route == .emergency ? .danger : .warning, title: "Suggested: \(facts.suggestions.first?.route.title ?? "")", advice)
        if let latest = facts.picture.latest {
            body += UI.section("Latest observations", "<p>\(HomeTime.display(latest.takenAt))</p>" + DeteriorationApp.scoreTable(latest, caption: "Latest set")
                               + DeteriorationApp.baselinePanel(latest, baseline: facts.picture.baseline, residentID: resident.id, canSet: false))
            let previous = facts.picture.sets.dropLast().suffix(5).reversed().map { s -> [HTML] in
                [HTML(text: HomeTime.display(s.takenAt)), HTML(text: s.score.total.map(String.init) ?? "Incomplete")]
            }
            if !previous.isEmpty { body += UI.table(caption: "Trend: earlier sets in the last 3 days", headers: ["Taken", "NEWS2"], rows: Array(previous)) }
        } else {
            body += UI.banner(.warning, title: "No observations in the last 3 days", "<p>\(UI.link("Take a set now", to: "/deterioration/residents/\(resident.id)/observations/new")) if you can do it safely; do not delay a 999 call for it.</p>")
        }
        if let signs = facts.picture.softSigns.first { body += "<p>Soft signs (\(HomeTime.display(signs.noticedAt))): \(signs.summary).</p>" }
        var about = [(key: String, value: HTML)]()
        about.append(("Allergies", HTML(text: resident.allergies.isEmpty ? "Not recorded" : resident.allergies)))
        if let medicines = facts.medicines {
            let anticoagulants = medicines.filter { $0.flags.contains(.anticoagulant) || $0.flags.contains(.antiplatelet) }
            let rest = medicines.filter { !($0.flags.contains(.anticoagulant) || $0.flags.contains(.antiplatelet)) }
            about.append(("Anticoagulants and antiplatelets", anticoagulants.isEmpty ? HTML(text: "None on the list") : UI.tag(anticoagulants.map(\.name).joined(separator: ", "), colour: "red")))
            about.append(("Other medicines", HTML(text: rest.isEmpty ? "None" : rest.map(\.name).joined(separator: ", "))))
        } else {
            about.append(("Medicines", HTML(text: "Not in this system: read them from the MAR chart")))
        }
        if let falls = facts.falls {
            about.append(("Falls in the last 30 days", HTML(text: falls.isEmpty ? "None" : falls.map { HomeTime.display($0.occurredAt) + ($0.headStrike == true ? " (head strike)" : "") }.joined(separator: "; "))))
        }
        body += UI.section("About them", UI.summaryList(about))
        body += UI.section("SBARD: read this out", """
        <pre class="det-sbard">\(facts.sbard.text)</pre>\
        <p>Select the text to copy it, or print this page.</p>
        """)
        if DeteriorationApp.clinical.contains(request.principal.role) {
            let routes = EscalationRoute.allCases.map { ($0.rawValue, $0.title) }
            body += UI.section("After the call: record what was decided", """
            \(Form.start(action: "/deterioration/residents/\(resident.id)/escalate", request: request, id: "escalation"))\
            \(Form.radios("route", legend: "Who did you call?", options: routes, selected: form["route"] ?? facts.suggestions.first?.route.rawValue, errors: errors, required: true))\
            \(Form.input("called_who", label: "Who you spoke to", value: form["called_who"], errors: errors, hint: "Name and role, for example Dr Shah, GP", required: true))\
            \(Form.input("called_at", label: "When", value: form["called_at"] ?? HomeTime.inputValue(now()), errors: errors, type: "datetime-local", required: true))\
            \(Form.textarea("advice", label: "The advice given", value: form["advice"], errors: errors, required: true))\
            \(Form.radios("outcome", legend: "What happened", options: EscalationOutcome.allCases.map { ($0.rawValue, $0.title) }, selected: form["outcome"], errors: errors, required: true))\
            \(Form.textarea("decision", label: "Decision and when to call again", value: form["decision"], errors: errors))\
            \(Form.checkbox("record_hospital", label: "They went to hospital today: record it on the resident's movements", checked: form.isChecked("record_hospital")))\
            \(Form.submit("Save the escalation"))\(Form.end)
            """)
        }
        return .page(Page(title: "Escalate: \(resident.label)", breadcrumbs: DeteriorationApp.crumbs(resident), body: body), status: status)
    }

    func saveEscalation(_ request: Request) throws -> Response {
        let resident = try resident(request)
        let form = request.form
        var errors = FormErrors()
        let route = form["route"].flatMap(EscalationRoute.init(rawValue:))
        if route == nil { errors.add("route", "Choose who you called") }
        let who = (form["called_who"] ?? "").trimmingWhitespace(), advice = (form["advice"] ?? "").trimmingWhitespace()
        if who.isEmpty { errors.add("called_who", "Enter who you spoke to") }
        let calledAt = parseTime(form, "called_at", errors: &errors)
        if advice.isEmpty { errors.add("advice", "Write down the advice you were given") }
        let outcome = form["outcome"].flatMap(EscalationOutcome.init(rawValue:))
        if outcome == nil { errors.add("outcome", "Choose what happened") }
        for (field, value, limit) in [("called_who", who, 200), ("advice", advice, 4000), ("decision", form["decision"] ?? "", 4000)] where value.count > limit {
            errors.add(field, "Shorten this to \(limit) characters or fewer")
        }
        guard errors.isEmpty, let route, let calledAt, let outcome else {
            return try escalationPage(request, resident: resident, form: form, errors: errors, status: 422)
        }
        let facts = try escalationFacts(resident, caller: request.principal)
        let escalation = DeteriorationStore.Escalation(id: 0, residentID: resident.id, calledAt: calledAt, route: route, calledWho: who, advice: advice,
                                                       outcome: outcome, decision: (form["decision"] ?? "").trimmingWhitespace(),
                                                       news2: facts.picture.latest?.score.total, sbard: facts.sbard.text, recordedByName: request.principal.displayName)
        let at = now()
        let id = try database.write { db in
            try DeteriorationStore.insertEscalation(escalation, observationID: facts.picture.latest?.id, by: request.principal, at: at, in: db)
        }
        context.audit.record(request, .create, residentID: resident.id, detail: "escalation \(id) recorded (\(route.rawValue), \(outcome.rawValue))")
        context.log.info("deterioration.escalation.recorded", ["resident.id": String(resident.id), "escalation.route": route.rawValue, "escalation.outcome": outcome.rawValue])
        var flash = "Escalation saved"
        // A conveyance that became an admission goes to the registry as a move to hospital, when asked.
        if (outcome == .admitted || outcome == .conveyed) && form.isChecked("record_hospital") {
            if let movements = context.services.resolve(Services.residentMovements) {
                do {
                    try movements.recordWentToHospital(residentID: resident.id, on: HomeTime.day(of: calledAt),
                                                       note: "From the escalation of \(HomeTime.display(calledAt)): \(outcome.title)", by: request.principal)
                    flash += "; the move to hospital is on their record"
                } catch let error as CareError {
                    flash += ". The move to hospital was not recorded: \(error.message)"
                }
            } else {
                flash += ". The resident registry is not available: record the move to hospital on their record"
            }
        }
        return .redirect(to: "/deterioration/residents/\(resident.id)", flash: flash)
    }
}
