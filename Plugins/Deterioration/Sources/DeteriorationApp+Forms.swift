import CareKit
import CareServices
import Foundation

extension DeteriorationApp {
    // MARK: Soft signs

    func softSignsForm(_ request: Request) throws -> Response {
        try softSignsPage(request, resident: try resident(request), form: request.query, errors: FormErrors(), status: 200)
    }

    private func softSignsPage(_ request: Request, resident: ResidentSummary, form: FormData, errors: FormErrors, status: Int) throws -> Response {
        let body: HTML = """
        \(Form.errorSummary(errors))
        <p class="lead">Tick what you have noticed. Next: a set of observations.</p>
        \(Form.start(action: "/deterioration/residents/\(resident.id)/soft-signs/new", request: request, id: "soft-signs"))
        \(Form.checkboxes("signs", legend: "What have you noticed?", options: SoftSign.allCases.map { ($0.rawValue, $0.title) },
                          selected: Set(form.all("signs")), errors: errors))
        \(Form.input("noticed_at", label: "When you noticed", value: form["noticed_at"] ?? HomeTime.inputValue(now()), errors: errors, type: "datetime-local", required: true))
        \(Form.textarea("notes", label: "Anything else (optional)", value: form["notes"], errors: errors, hint: "In your own words, as you would tell the nurse"))
        \(Form.submit("Save and take observations"))
        \(Form.end)
        """
        return .page(Page(title: "Soft signs: \(resident.label)", breadcrumbs: DeteriorationApp.crumbs(resident), body: body), status: status)
    }

    func saveSoftSigns(_ request: Request) throws -> Response {
        let resident = try resident(request)
        let form = request.form
        var errors = FormErrors()
        let signs = form.all("signs").compactMap(SoftSign.init(rawValue:))
        if signs.isEmpty { errors.add("signs", "Tick at least one thing you have noticed") }
        let noticed = parseTime(form, "noticed_at", errors: &errors)
        let notes = (form["notes"] ?? "").trimmingWhitespace()
        if notes.count > 2000 { errors.add("notes", "Shorten this to 2,000 characters or fewer") }
        guard errors.isEmpty, let noticed else { return try softSignsPage(request, resident: resident, form: form, errors: errors, status: 422) }
        let at = now()
        let id = try database.write { db in
            try DeteriorationStore.insertSoftSigns(residentID: resident.id, noticedAt: noticed, signs: signs, notes: notes, by: request.principal, at: at, in: db)
        }
        context.audit.record(request, .create, residentID: resident.id, detail: "soft signs \(id) recorded")
        context.log.info("deterioration.soft-signs.recorded", ["resident.id": String(resident.id), "soft-signs.id": String(id)])
        return .redirect(to: "/deterioration/residents/\(resident.id)/observations/new?soft_signs=\(id)",
                         flash: "Soft signs saved. Now take a set of observations.")
    }

    // MARK: Observations

    func observationsForm(_ request: Request) throws -> Response {
        try observationsPage(request, resident: try resident(request), form: request.query, errors: FormErrors(), unusual: [], status: 200)
    }

    private func observationsPage(_ request: Request, resident: ResidentSummary, form: FormData, errors: FormErrors, unusual: [String],
                                  status: Int) throws -> Response {
        let picture = try picture(resident.id, days: 3)
        var body: HTML = Form.errorSummary(errors)
        if !unusual.isEmpty && errors.isEmpty {
            body += UI.banner(.warning, title: "Check these readings again before saving",
                              "<ul>\(unusual.map { item -> HTML in "<li>\(item)</li>" })</ul><p>If they are right, tick the box at the end and save again.</p>")
        }
        if let softSigns = form["soft_signs"].flatMap(Int64.init), let record = try database.read({ try DeteriorationStore.softSigns(id: softSigns, in: $0) }),
           record.residentID == resident.id {
            body += "<p class=\"lead\">Soft signs: \(record.summary).</p>"
        }
        if let prompt = form.nonEmpty("prompt") { body += "<p class=\"lead\">Asked for by: \(prompt)</p>" }
        if picture.scale == .two, let target = picture.target {
            body += UI.banner(.info, title: "SpO2 scale 2: target 88–92%", "<p>Set by \(UI.person(target.setBy, target.setByRole)) on \(target.setOn.display): \(target.reason)</p>")
        }
        let consciousness = NEWS2.Consciousness.allCases.map { ($0.rawValue, $0.title) }
        body += """
        \(Form.start(action: "/deterioration/residents/\(resident.id)/observations/new", request: request, id: "observations"))
        <input type="hidden" name="soft_signs" value="\(form["soft_signs"] ?? "")"><input type="hidden" name="prompt" value="\(form["prompt"] ?? "")">
        \(Form.input("taken_at", label: "When taken", value: form["taken_at"] ?? HomeTime.inputValue(now()), errors: errors, type: "datetime-local", required: true))
        \(Form.input("respiration", label: "Breathing rate (breaths a minute)", value: form["respiration"], errors: errors, hint: "Count for a full minute", type: "text", width: "4", inputmode: "numeric"))
        \(Form.input("spo2", label: "Oxygen saturation (%)", value: form["spo2"], errors: errors, type: "text", width: "4", inputmode: "numeric"))
        \(Form.radios("oxygen", legend: "On air or on oxygen?", options: [("air", "Air"), ("oxygen", "Oxygen")], selected: form["oxygen"], errors: errors, inline: true))
        \(Form.input("systolic", label: "Blood pressure: upper number (systolic, mmHg)", value: form["systolic"], errors: errors, width: "4", inputmode: "numeric"))
        \(Form.input("diastolic", label: "Blood pressure: lower number (diastolic, mmHg)", value: form["diastolic"], errors: errors, width: "4", inputmode: "numeric"))
        \(Form.input("pulse", label: "Pulse (beats a minute)", value: form["pulse"], errors: errors, width: "4", inputmode: "numeric"))
        \(Form.radios("consciousness", legend: "How alert are they?", options: consciousness, selected: form["consciousness"], errors: errors))
        \(Form.input("temperature", label: "Temperature (°C)", value: form["temperature"], errors: errors, hint: "For example 37.2", width: "4", inputmode: "decimal"))
        <details class="det-optional"><summary>Blood glucose and weight (optional)</summary>\
        \(Form.input("glucose", label: "Blood glucose (mmol/L)", value: form["glucose"], errors: errors, width: "4", inputmode: "decimal"))\
        \(Form.input("weight", label: "Weight (kg)", value: form["weight"], errors: errors, width: "5", inputmode: "decimal"))</details>
        \(unusual.isEmpty ? HTML.empty : Form.checkbox("confirm_unusual", label: "I have checked these readings again: they are right", checked: false))
        \(Form.submit("Save the observations"))
        \(Form.end)
        """
        return .page(Page(title: "Observations: \(resident.label)",
                          breadcrumbs: DeteriorationApp.crumbs(resident), body: body), status: status)
    }

    func saveObservations(_ request: Request) throws -> Response {
        let resident = try resident(request)
        let form = request.form
        var errors = FormErrors()
        let takenAt = parseTime(form, "taken_at", errors: &errors)
        let (target, baseline) = try database.read { db in
            (try DeteriorationStore.spo2Target(residentID: resident.id, in: db), try DeteriorationStore.baselines(residentID: resident.id, in: db).first)
        }
        var (set, unusual) = ObservationInput(form: form).read(residentID: resident.id, takenAt: takenAt ?? now(),
                                                               scale: target?.scale ?? .one, errors: &errors)
        guard errors.isEmpty, takenAt != nil else {
            return try observationsPage(request, resident: resident, form: form, errors: errors, unusual: unusual, status: 422)
        }
        if !unusual.isEmpty && !form.isChecked("confirm_unusual") {
            return try observationsPage(request, resident: resident, form: form, errors: errors, unusual: unusual, status: 422)
        }
        set.confirmedUnusual = unusual.joined(separator: "; ")
        set.softSignsID = form["soft_signs"].flatMap(Int64.init)
        set.prompt = String((form["prompt"] ?? (set.softSignsID == nil ? "" : "Soft signs")).prefix(200))
        let aboveUsual = baseline.map { $0.compare(set.score).isFlagged } ?? false
        let at = now()
        let id = try database.write { db in try DeteriorationStore.insertObservation(set, aboveUsual: aboveUsual, by: request.principal, at: at, in: db) }
        context.audit.record(request, .create, residentID: resident.id, detail: "observations \(id) recorded")
        context.log.info("deterioration.observations.recorded", ["resident.id": String(resident.id), "observations.id": String(id)])
        return .redirect(to: "/deterioration/observations/\(id)", flash: "Observations saved")
    }

    func showObservations(_ request: Request) throws -> Response {
        try observationsPage(request, errors: FormErrors(), status: 200)
    }

    private func observationsPage(_ request: Request, errors: FormErrors, status: Int) throws -> Response {
        let id = try request.id("id")
        guard let (set, error) = try database.read({ try DeteriorationStore.observation(id: id, in: $0) }) else { throw CareError.notFound("No such set of observations.") }
        guard let resident = try directory().resident(id: set.residentID) else { throw CareError.notFound("No such resident.") }
        context.audit.record(request, .view, residentID: resident.id, detail: "observations \(id)")
        let picture = try picture(resident.id)
        var body: HTML = Form.errorSummary(errors)
        if let error { body += UI.banner(.warning, title: "Entered in error", "<p>\(error)</p><p>Kept for the record; left out of trends and scores.</p>") }
        body += "<p class=\"lead\">\(resident.label): taken \(HomeTime.display(set.takenAt)) by \(set.recordedByName).</p>"
        body += DeteriorationApp.bandPanel(set.score)
        body += DeteriorationApp.baselinePanel(set, baseline: picture.baseline, residentID: resident.id,
                                               canSet: DeteriorationApp.clinical.contains(request.principal.role))
        body += DeteriorationApp.scoreTable(set, caption: "NEWS2 sub-scores")
        var extras = [(key: String, value: HTML)]()
        if let glucose = set.glucose { extras.append(("Blood glucose", HTML(text: String(format: "%.1f mmol/L", glucose)))) }
        if let weight = set.weight { extras.append(("Weight", HTML(text: String(format: "%.1f kg", weight)))) }
        if !set.confirmedUnusual.isEmpty { extras.append(("Checked again", HTML(text: set.confirmedUnusual))) }
        if !set.prompt.isEmpty { extras.append(("Asked for by", HTML(text: set.prompt))) }
        if !extras.isEmpty { body += UI.summaryList(extras) }
        body += DeteriorationApp.quickActions(resident.id, role: request.principal.role)
        if error == nil && DeteriorationApp.editors.contains(request.principal.role) {
            body += UI.section("Entered in error?", """
            \(Form.start(action: "/deterioration/observations/\(id)/entered-in-error", request: request))\
            \(Form.input("reason", label: "What was wrong", value: nil, errors: errors, required: true))\
            \(Form.submit("Mark entered in error", kind: "secondary"))\(Form.end)
            """)
        }
        return .page(Page(title: "Observations: \(resident.label)", breadcrumbs: DeteriorationApp.crumbs(resident), body: body), status: status)
    }

    func observationsEnteredInError(_ request: Request) throws -> Response {
        let id = try request.id("id")
        guard let (set, _) = try database.read({ try DeteriorationStore.observation(id: id, in: $0) }) else { throw CareError.notFound("No such set of observations.") }
        let reason = (request.form["reason"] ?? "").trimmingWhitespace()
        guard !reason.isEmpty else {
            var errors = FormErrors()
            errors.add("reason", "Say what was wrong with the set")
            return try observationsPage(request, errors: errors, status: 422)
        }
        try database.write { db in try DeteriorationStore.markObservationEnteredInError(id: id, reason: String(reason.prefix(500)), in: db) }
        context.audit.record(request, .amend, residentID: set.residentID, detail: "observations \(id) entered in error")
        return .redirect(to: "/deterioration/residents/\(set.residentID)", flash: "Marked entered in error")
    }

    // MARK: Baseline and SpO2 target

    func baselineForm(_ request: Request) throws -> Response {
        let resident = try resident(request)
        var form = request.query
        if form.fields.isEmpty, let current = try picture(resident.id).baseline {
            form = FormData(fields: ["usual_news2": [String(current.usualNEWS2)], "respiration": [current.usual.respirationRate.map(String.init) ?? ""],
                                     "spo2": [current.usual.oxygenSaturation.map(String.init) ?? ""], "systolic": [current.usual.systolic.map(String.init) ?? ""],
                                     "pulse": [current.usual.pulse.map(String.init) ?? ""], "temperature": [current.usual.temperature.map { String(format: "%.1f", $0) } ?? ""],
                                     "consciousness": [current.usual.consciousness?.rawValue ?? ""], "oxygen": [current.usual.onOxygen.map { $0 ? "oxygen" : "air" } ?? ""]])
        }
        return try baselinePage(request, resident: resident, form: form, errors: FormErrors(), status: 200)
    }

    private func baselinePage(_ request: Request, resident: ResidentSummary, form: FormData, errors: FormErrors, status: Int) throws -> Response {
        let picture = try picture(resident.id)
        var body: HTML = Form.errorSummary(errors)
        body += UI.ruleReason("Agree what is usual for them with the MDT, when they are well. Every new set is shown against it; review it at least every 6 months and after a hospital stay.",
                              source: "RESTORE2 guidance (Health Innovation Wessex) asks for each resident's normal to be agreed; the 6-month review is our own design")
        body += """
        \(Form.start(action: "/deterioration/residents/\(resident.id)/baseline", request: request, id: "baseline"))
        \(Form.input("usual_news2", label: "Usual NEWS2 total", value: form["usual_news2"], errors: errors, hint: "0 to 20: their score when they are well", required: true, width: "3", inputmode: "numeric"))
        <fieldset><legend>Usual observations (those you know)</legend>
        \(Form.input("respiration", label: "Breathing rate", value: form["respiration"], errors: errors, width: "4", inputmode: "numeric"))
        \(Form.input("spo2", label: "Oxygen saturation (%)", value: form["spo2"], errors: errors, width: "4", inputmode: "numeric"))
        \(Form.radios("oxygen", legend: "Usually on air or oxygen?", options: [("air", "Air"), ("oxygen", "Oxygen")], selected: form["oxygen"], errors: errors, inline: true))
        \(Form.input("systolic", label: "Systolic blood pressure", value: form["systolic"], errors: errors, width: "4", inputmode: "numeric"))
        \(Form.input("pulse", label: "Pulse", value: form["pulse"], errors: errors, width: "4", inputmode: "numeric"))
        \(Form.radios("consciousness", legend: "Usually", options: NEWS2.Consciousness.allCases.map { ($0.rawValue, $0.title) }, selected: form["consciousness"], errors: errors))
        \(Form.input("temperature", label: "Temperature (°C)", value: form["temperature"], errors: errors, width: "4", inputmode: "decimal"))
        </fieldset>
        \(Form.input("agreed_by", label: "Agreed by", value: form["agreed_by"] ?? request.principal.displayName, errors: errors, required: true))
        \(Form.input("agreed_by_role", label: "Their role", value: form["agreed_by_role"] ?? request.principal.role.title, errors: errors, required: true))
        \(Form.input("agreed_on", label: "Agreed on", value: form["agreed_on"] ?? today.iso, errors: errors, type: "date", required: true))
        \(Form.textarea("notes", label: "Notes (optional)", value: form["notes"], errors: errors, hint: "For example: usually drowsy after lunch; saturation 93–95% on air"))
        \(Form.submit("Save their usual observations"))
        \(Form.end)
        """
        if !picture.baselineVersions.isEmpty {
            let rows = picture.baselineVersions.map { b -> [HTML] in
                [HTML(text: b.agreedOn.display), HTML(text: String(b.usualNEWS2)), HTML(text: UI.person(b.agreedBy, b.agreedByRole)), HTML(text: b.notes)]
            }
            body += UI.table(caption: "Earlier versions (newest first)", headers: ["Agreed on", "Usual NEWS2", "Agreed by", "Notes"], rows: rows)
        }
        return .page(Page(title: "Usual observations: \(resident.label)", breadcrumbs: DeteriorationApp.crumbs(resident), body: body),
                     status: status)
    }

    func saveBaseline(_ request: Request) throws -> Response {
        let resident = try resident(request)
        let form = request.form
        var errors = FormErrors()
        let usual = form.nonEmpty("usual_news2").flatMap(Int.init)
        if usual == nil || !(0...20).contains(usual ?? -1) { errors.add("usual_news2", "Enter their usual NEWS2 total, a whole number from 0 to 20") }
        let (set, _) = ObservationInput(form: form).read(residentID: resident.id, takenAt: now(), scale: .one, errors: &errors)
        let agreedBy = (form["agreed_by"] ?? "").trimmingWhitespace(), role = (form["agreed_by_role"] ?? "").trimmingWhitespace()
        if agreedBy.isEmpty { errors.add("agreed_by", "Enter who agreed it") }
        if role.isEmpty { errors.add("agreed_by_role", "Enter their role") }
        let on = form.nonEmpty("agreed_on").flatMap { Day(iso: $0) ?? Day(parsing: $0) }
        if on == nil { errors.add("agreed_on", "Enter the date it was agreed") } else if let on, on > today { errors.add("agreed_on", "The date cannot be in the future") }
        // An empty usual set is fine here: only the total is required.
        var cleaned = FormErrors()
        for item in errors.items where !(item.field == "respiration" && item.message == "Enter at least one observation") { cleaned.add(item.field, item.message) }
        guard cleaned.isEmpty, let usual, let on else { return try baselinePage(request, resident: resident, form: form, errors: cleaned, status: 422) }
        var baseline = Baseline(residentID: resident.id, usualNEWS2: usual, usual: set.inputs, agreedBy: String(agreedBy.prefix(120)),
                                agreedByRole: String(role.prefix(120)), agreedOn: on)
        baseline.notes = String((form["notes"] ?? "").prefix(1000))
        let at = now()
        try database.write { db in try DeteriorationStore.insertBaseline(baseline, by: request.principal, at: at, in: db) }
        context.audit.record(request, .amend, residentID: resident.id, detail: "usual observations agreed")
        return .redirect(to: "/deterioration/residents/\(resident.id)", flash: "Usual observations saved")
    }

    func spo2TargetForm(_ request: Request) throws -> Response {
        try spo2TargetPage(request, resident: try resident(request), form: request.query, errors: FormErrors(), status: 200)
    }

    private func spo2TargetPage(_ request: Request, resident: ResidentSummary, form: FormData, errors: FormErrors, status: Int) throws -> Response {
        let current = try picture(resident.id).target
        var body: HTML = Form.errorSummary(errors)
        body += UI.ruleReason("SpO2 scale 2 scores saturations against a target of 88–92%. Use it only when a clinician has set that target for this resident (for example in hypercapnic respiratory failure); otherwise scale 1 applies.",
                              source: NEWS2.source)
        if let current {
            body += "<p>Now: scale \(String(current.scale.rawValue)), set by \(UI.person(current.setBy, current.setByRole)) on \(current.setOn.display): \(current.reason)</p>"
        }
        body += """
        \(Form.start(action: "/deterioration/residents/\(resident.id)/spo2-target", request: request, id: "spo2-target"))
        \(Form.radios("scale", legend: "Oxygen saturation target", options: [("2", "88–92%: use SpO2 scale 2"), ("1", "The usual target: scale 1")], selected: form["scale"], errors: errors, required: true))
        \(Form.input("set_by", label: "Set by (the clinician who decided)", value: form["set_by"], errors: errors, required: true))
        \(Form.input("set_by_role", label: "Their role", value: form["set_by_role"], errors: errors, hint: "For example GP, respiratory nurse specialist", required: true))
        \(Form.input("set_on", label: "Decided on", value: form["set_on"] ?? today.iso, errors: errors, type: "date", required: true))
        \(Form.input("reason", label: "Why", value: form["reason"], errors: errors, hint: "For example: COPD with type 2 respiratory failure (letter of 3 Mar 2026)", required: true))
        \(Form.submit("Save the target"))
        \(Form.end)
        """
        return .page(Page(title: "Oxygen saturation target: \(resident.label)", breadcrumbs: DeteriorationApp.crumbs(resident), body: body),
                     status: status)
    }

    func saveSpO2Target(_ request: Request) throws -> Response {
        let resident = try resident(request)
        let form = request.form
        var errors = FormErrors()
        let scale: NEWS2.SpO2Scale? = form["scale"] == "2" ? .two : form["scale"] == "1" ? .one : nil
        if scale == nil { errors.add("scale", "Choose the target") }
        let setBy = (form["set_by"] ?? "").trimmingWhitespace(), role = (form["set_by_role"] ?? "").trimmingWhitespace(), reason = (form["reason"] ?? "").trimmingWhitespace()
        if setBy.isEmpty { errors.add("set_by", "Enter the clinician who decided") }
        if role.isEmpty { errors.add("set_by_role", "Enter their role") }
        if reason.isEmpty { errors.add("reason", "Say why") }
        let on = form.nonEmpty("set_on").flatMap { Day(iso: $0) ?? Day(parsing: $0) }
        if on == nil { errors.add("set_on", "Enter the date it was decided") } else if let on, on > today { errors.add("set_on", "The date cannot be in the future") }
        guard errors.isEmpty, let scale, let on else { return try spo2TargetPage(request, resident: resident, form: form, errors: errors, status: 422) }
        let target = SpO2Target(scale: scale, setBy: String(setBy.prefix(120)), setByRole: String(role.prefix(120)), reason: String(reason.prefix(500)), setOn: on)
        let at = now()
        try database.write { db in try DeteriorationStore.insertSpO2Target(residentID: resident.id, target, by: request.principal, at: at, in: db) }
        context.audit.record(request, .amend, residentID: resident.id, detail: "SpO2 target set to scale \(scale.rawValue)")
        return .redirect(to: "/deterioration/residents/\(resident.id)", flash: "Oxygen saturation target saved")
    }

    // MARK: Parsing

    func parseTime(_ form: FormData, _ name: String, errors: inout FormErrors) -> Date? {
        guard let text = form.nonEmpty(name) else {
            errors.add(name, "Enter the date and time")
            return nil
        }
        guard let date = HomeTime.parse(text) else {
            errors.add(name, "Enter the date and time, for example 23/11/2026 14:05")
            return nil
        }
        if date > now().addingTimeInterval(5 * 60) { errors.add(name, "The time is in the future") }
        return date
    }
}
