import CareKit
import CareServices

/// The registry's resident pages: list, record, add, edit, entered in error.
struct ResidentPages: Sendable {
    let context: PluginContext
    let stores: Stores
    let today: @Sendable () -> Day

    func loadResident(_ request: Request) throws -> StoredResident {
        guard let resident = try stores.residents.resident(id: try request.id("id")) else {
            throw CareError.notFound("No such resident.")
        }
        return resident
    }

    /// A resident that may still be changed (not entered in error).
    func loadEditable(_ request: Request) throws -> StoredResident {
        let resident = try loadResident(request)
        guard !resident.enteredInError else { throw CareError.conflict("This record was marked entered in error and cannot be changed.") }
        return resident
    }

    // MARK: List

    /// The status filter of the list.
    enum ListFilter: String, CaseIterable {
        case current, livingHere = "living-here", inHospital = "in-hospital", left, died, all, enteredInError = "entered-in-error"
        var title: String {
            switch self {
            case .current: "Current residents (living here or in hospital)"
            case .livingHere: "Living here"
            case .inHospital: "In hospital"
            case .left: "Left"
            case .died: "Died"
            case .all: "Everyone"
            case .enteredInError: "Entered in error"
            }
        }
        var statuses: Set<ResidentStatus>? {
            switch self {
            case .current: [.livingHere, .inHospital]
            case .livingHere: [.livingHere]
            case .inHospital: [.inHospital]
            case .left: [.left]
            case .died: [.died]
            case .all, .enteredInError: nil
            }
        }
    }

    /// Whether a resident matches a search by name, room or NHS number.
    static func matches(_ resident: StoredResident, query: String) -> Bool {
        let q = query.lowercased().trimmingWhitespace()
        guard !q.isEmpty else { return true }
        let record = resident.record
        if record.fullName.lowercased().contains(q) || record.preferredName.lowercased().contains(q) { return true }
        if record.room.lowercased() == q || record.room.lowercased().hasPrefix(q) { return true }
        let digits = q.filter { $0 != " " && $0 != "-" }
        if !digits.isEmpty, digits.allSatisfy(\.isNumber), let nhs = record.nhsNumber, nhs.contains(digits) { return true }
        return false
    }

    func list(_ request: Request) throws -> Response {
        let filter = ListFilter(rawValue: request.query["status"] ?? "") ?? .current
        let query = request.query["q"] ?? ""
        let today = today()
        let found = try stores.residents.residents(statuses: filter.statuses, enteredInError: filter == .enteredInError)
            .filter { ResidentPages.matches($0, query: query) }
        context.audit.record(request, .view, residentID: nil, detail: "resident list (\(filter.rawValue), \(found.count) shown)")

        let options = ListFilter.allCases.map { (value: $0.rawValue, label: $0.title) }
        let search: HTML = """
        <form method="get" action="/residents" class="filters" role="search">\
        \(Form.input("q", label: "Search by name, room or NHS number", value: query, errors: FormErrors()))\
        \(Form.select("status", label: "Show", options: options, selected: filter.rawValue, errors: FormErrors(), placeholder: nil))\
        \(Form.submit("Search", kind: "secondary"))</form>
        """
        var actions: [HTML] = []
        if Parts.canEdit(request) { actions.append(UI.buttonLink("Add a resident", to: "/residents/new")) }
        actions.append(UI.buttonLink("Print the list", to: "/residents/print", kind: "secondary"))
        if Access.manage.contains(request.principal.role) { actions.append(UI.buttonLink("Import from CSV", to: "/residents/import", kind: "secondary")) }

        let rows = found.map { resident -> [HTML] in
            let r = resident.record
            return [
                "\(r.room)",
                "<a href=\"\(resident.path)\">\(r.displayName)</a>\(r.preferredName.isEmpty ? HTML.empty : HTML("<br><span class=\"hint\">\(r.fullName)</span>"))",
                "\(Parts.dateOfBirth(r.dateOfBirth, today: today))",
                Parts.nhsNumber(r),
                resident.enteredInError ? UI.tag("Entered in error", colour: "red") : Parts.statusTag(resident.status),
                "\(r.dementia.hasDementia ? r.dementia.title : "")",
                "\(r.advanceCarePlan.exists ? r.advanceCarePlan.cpr : "No plan recorded")",
            ]
        }
        let caption = query.isEmpty ? "\(filter.title): \(found.count)" : "\(filter.title) matching \"\(query)\": \(found.count)"
        // Faces for the people in the home; a table for former residents and records entered in error.
        let facesByDefault = [.current, .livingHere, .inHospital].contains(filter)
        let asTable = request.query["view"] == "table" || (!facesByDefault && request.query["view"] != "faces")
        var switchQuery = [("status", filter.rawValue)]
        if !query.isEmpty { switchQuery.append(("q", query)) }
        switchQuery.append(("view", asTable ? "faces" : "table"))
        let switchLink = UI.link(asTable ? "Show as faces" : "Show as a table (date of birth, NHS number, CPR)",
                                 to: "/residents?" + switchQuery.map { "\($0.0)=\(ResidentPages.queryValue($0.1))" }.joined(separator: "&"))
        let shown: HTML
        if asTable {
            shown = UI.table(caption: caption, headers: ["Room", "Name", "Date of birth", "NHS number", "Status", "Dementia", "CPR"],
                             rows: rows, emptyMessage: query.isEmpty ? "No residents to show." : "No resident matches \"\(query)\".")
        } else {
            shown = try grid(found, caption: caption, emptyMessage: query.isEmpty ? "No residents to show." : "No resident matches \"\(query)\".")
        }
        // The people first (a carer looking for someone); adding and printing after them.
        return .page(title: "Residents", "\(search)\(shown)<p class=\"residents-view\">\(switchLink)</p><p class=\"residents-actions\">\(actions)</p>")
    }

    /// Residents as faces: photo (or initials), the name they use, their room; one tap to their page.
    func grid(_ found: [StoredResident], caption: String, emptyMessage: String) throws -> HTML {
        guard !found.isEmpty else { return "<h2 class=\"residents-grid-caption\">\(caption)</h2><p>\(emptyMessage)</p>" }
        let photos = try stores.photos.current(residentIDs: found.map(\.id))
        let cards = found.map { resident -> HTML in
            let r = resident.record
            let status: HTML = resident.enteredInError ? UI.tag("Entered in error", colour: "red")
                : resident.status == .livingHere ? .empty : Parts.statusTag(resident.status)
            return """
            <li><a class="resident-card" href="\(resident.path)">\(Face.html(photos[resident.id], name: r.displayName, size: "small"))\
            <span class="resident-card-name">\(r.displayName)</span><span class="resident-card-room">Room \(r.room)</span>\(status)</a></li>
            """
        }
        return "<h2 class=\"residents-grid-caption\">\(caption)</h2><ul class=\"resident-grid\">\(cards)</ul>"
    }

    /// A value for a link's query string.
    static func queryValue(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }

    // MARK: Record

    func show(_ request: Request) throws -> Response {
        let resident = try loadResident(request)
        let today = today()
        let r = resident.record
        context.audit.record(request, .view, residentID: resident.id, detail: "resident record")

        var body: HTML = ""
        if resident.enteredInError {
            body += UI.banner(.danger, title: "This record was marked entered in error",
                              "<p>Reason: \(resident.errorReason ?? "")</p><p>It is kept for the audit trail and cannot be changed.</p>")
        }
        // Their face first, so that nobody records on the wrong person.
        let photo = try stores.photos.current(residentID: resident.id)
        var face: HTML = "<div class=\"resident-face\">\(Face.html(photo, name: r.displayName, size: "large"))<p>Room \(r.room)"
        if Parts.canEdit(request) && !resident.enteredInError {
            face += " · " + UI.link(photo == nil ? "Add a photo" : "Change the photo", to: "\(resident.path)/photo")
        }
        body += face + "</p></div>"
        // Every plugin's quick actions first, one tap from the task (a resident's hub).
        if resident.status == .livingHere && !resident.enteredInError {
            body += context.panels.quickActions(for: request, residentID: resident.id)
        }
        var actions: [HTML] = []
        if Parts.canEdit(request) && !resident.enteredInError {
            actions.append(UI.buttonLink("Edit details", to: "\(resident.path)/edit"))
            actions.append(UI.buttonLink("Record a movement", to: "\(resident.path)/movements", kind: "secondary"))
        }
        actions.append(UI.buttonLink("7-day clock", to: "\(resident.path)/clock", kind: "secondary"))
        actions.append(UI.buttonLink("Transfer summary", to: "\(resident.path)/transfer-summary", kind: "secondary"))
        actions.append(UI.buttonLink("History", to: "\(resident.path)/history", kind: "secondary"))
        if Role.clinicalEditors.contains(request.principal.role) && !resident.enteredInError {
            // The server's download of the whole record as a FHIR Bundle (audited as an export).
            actions.append(UI.buttonLink("Download record (FHIR)", to: "/export/residents/\(resident.id)/fhir", kind: "secondary"))
        }
        if Parts.canEdit(request) && !resident.enteredInError {
            actions.append(UI.buttonLink("Mark entered in error", to: "\(resident.path)/entered-in-error", kind: "warning"))
        }
        body += "<p class=\"residents-actions\">\(actions)</p>"

        if !resident.enteredInError, resident.status == .livingHere,
           let detail = try stores.clocks.latestClock(residentID: resident.id, today: today), detail.clock.isOpen {
            let c = detail.clock
            body += UI.banner(c.hasOverdueItem ? .warning : .info,
                              title: "7-working-day clock open: deadline \(c.deadline.display)",
                              "<ul><li>\(ClockItem.assessment.title): \(Parts.clockTag(c.assessment))</li><li>\(ClockItem.carePlan.title): \(Parts.clockTag(c.carePlan))</li><li>\(ClockItem.medicationReviewFlag.title): \(Parts.clockTag(c.medicationReviewFlag))</li></ul><p><a href=\"\(resident.path)/clock\">Open the clock</a></p>")
        }

        body += UI.section("About", UI.summaryList([
            ("Status", Parts.statusTag(resident.status)),
            ("Preferred name", "\(r.preferredName.isEmpty ? "Not recorded" : r.preferredName)"),
            ("Full name", "\(r.fullName)"),
            ("Date of birth", "\(Parts.dateOfBirth(r.dateOfBirth, today: today))"),
            ("NHS number", Parts.nhsNumber(r)),
            ("Room", "\(r.room)"),
            ("Type of stay", "\(r.admissionType.title)"),
            ("First admitted", "\(resident.firstAdmission?.display ?? "Not recorded")"),
            ("GP practice", "\(r.gpPractice.isEmpty ? "Not recorded" : r.gpPractice)"),
        ]))
        body += UI.section("Health", UI.summaryList([
            ("Allergies", Parts.multiline(r.allergies)),
            ("Key diagnoses", Parts.multiline(r.diagnoses)),
            ("Dementia", "\(r.dementia.title)\(r.dementia.isLewyOrParkinsons ? HTML(" ") + UI.tag("Antipsychotics: high risk", colour: "red") : HTML.empty)\(ResidentPages.dementiaNote(r))"),
            ("Communication needs", Parts.multiline(r.communicationNeeds)),
        ]))
        body += UI.section("What matters to me", "<p>\(Parts.multiline(r.whatMatters))</p>")
        body += UI.section("Advance care planning", ResidentPages.planSummary(r))
        body += UI.section("Contacts", ResidentPages.contacts(r))
        body += UI.section("Movements", MovementPages.table(resident.movements, caption: "Admissions, hospital stays and leaving"))
        body += context.panels.render(for: request, residentID: resident.id)
        return .page(title: r.displayName, breadcrumbs: [("Residents", "/residents")], body)
    }

    /// What is missing or contradictory about the dementia field: "not recorded" is not "no", and a
    /// field that disagrees with the key diagnoses is shown, not silently trusted (RES-DEM-1).
    static func dementiaNote(_ r: ResidentRecord) -> HTML {
        let mentioned = DementiaType.mentioned(in: r.diagnoses)
        var text: String?
        if !r.dementia.isRecorded {
            text = "Record whether they have dementia: medicines and falls prompts depend on it."
            if let mentioned { text! += " The key diagnoses mention \(Wording.midSentence(mentioned.title))." }
        } else if let mentioned, !r.dementia.hasDementia {
            text = "The key diagnoses mention \(Wording.midSentence(mentioned.title)), but this says no dementia: check which is right."
        } else if let mentioned, mentioned.isLewyOrParkinsons, !r.dementia.isLewyOrParkinsons {
            text = "The key diagnoses mention \(Wording.midSentence(mentioned.title)): check the type recorded here."
        }
        guard let text else { return .empty }
        return "<p class=\"residents-dementia-note\">\(UI.tag("Check", colour: "yellow")) \(text)</p>"
    }

    static func planSummary(_ r: ResidentRecord) -> HTML {
        guard r.planExists else {
            return UI.banner(.warning, title: "No ReSPECT form or advance care plan recorded")
        }
        return UI.summaryList([
            ("Plan", "\(r.planKind?.title ?? "Advance care plan")\(r.planDate.map { " (\($0.displayShort))" } ?? "")"),
            ("CPR", "\(r.planCPR.title)"),
            ("Hospital transfer", "\(r.planHospital.title)"),
            ("Sustaining life or comfort", "\(r.planPriority.title)"),
            ("Where the form is kept", "\(r.planLocation.isEmpty ? "Not recorded" : r.planLocation)"),
        ])
    }

    static func contacts(_ r: ResidentRecord) -> HTML {
        func person(_ name: String, _ extra: String, _ phone: String) -> HTML {
            guard !name.isEmpty else { return "None recorded" }
            var text = name
            if !extra.isEmpty { text += " (\(extra))" }
            if !phone.isEmpty { text += ", \(phone)" }
            return "\(text)"
        }
        return UI.summaryList([
            ("Next of kin", person(r.nextOfKinName, r.nextOfKinRelationship, r.nextOfKinPhone)),
            ("Lasting power of attorney for health and welfare", person(r.lpaHealthName, "", r.lpaHealthPhone)),
        ])
    }

    // MARK: Add and edit

    func form(_ request: Request, input: ResidentInput, errors: FormErrors, resident: StoredResident?) -> HTML {
        let isNew = resident == nil
        let action = resident.map { "\($0.path)/edit" } ?? "/residents/new"
        func text(_ key: String, _ label: String, hint: String? = nil, required: Bool = false, width: String? = nil) -> HTML {
            Form.input(key, label: label, value: input[key], errors: errors, hint: hint, required: required, width: width)
        }
        func area(_ key: String, _ label: String, hint: String? = nil, required: Bool = false) -> HTML {
            Form.textarea(key, label: label, value: input[key], errors: errors, hint: hint, rows: 3, required: required)
        }
        func date(_ key: String, _ label: String, hint: String? = nil, required: Bool = false) -> HTML {
            Form.input(key, label: label, value: input[key], errors: errors, hint: hint ?? "For example 23/11/1940", type: "date", required: required)
        }
        var html: HTML = Form.errorSummary(errors)
        html += Form.start(action: action, request: request)
        if let resident { html += "<input type=\"hidden\" name=\"version\" value=\"\(resident.version)\">" }
        html += "<fieldset class=\"residents-form-section\"><legend>Who</legend>"
        html += text("full_name", "Full name", required: true)
        html += text("preferred_name", "Preferred name", hint: "The name they like to be called")
        html += date("date_of_birth", "Date of birth", required: true)
        html += Form.input("nhs_number", label: "NHS number", value: input["nhs_number"], errors: errors,
                           hint: "10 digits, for example 943 476 5919", width: "10", inputmode: "numeric")
        html += Form.checkbox("nhs_verified", label: "The NHS number has been verified (NHS card, GP letter or the Spine)",
                              checked: !input["nhs_verified"].isEmpty && input["nhs_verified"] != "no",
                              hint: "Separate from the digit check: a number can be valid and still belong to someone else")
        if let message = errors["nhs_verified"] { html += "<p class=\"error-message\">\(message)</p>" }
        html += text("room", "Room", required: true, width: "5")
        html += "</fieldset><fieldset class=\"residents-form-section\"><legend>Stay</legend>"
        if isNew { html += date("admission_date", "Date of admission", hint: "Day 0 of the 7-working-day clock. For example 23/11/2026", required: true) }
        html += Form.radios("admission_type", legend: "Type of stay", options: AdmissionType.allCases.map { ($0.rawValue, $0.title) },
                            selected: input["admission_type"].isEmpty ? nil : input["admission_type"], errors: errors, required: true)
        html += text("gp_practice", "GP practice")
        html += "</fieldset><fieldset class=\"residents-form-section\"><legend>Contacts</legend>"
        html += text("nok_name", "Next of kin: name")
        html += text("nok_relationship", "Next of kin: relationship")
        html += Form.input("nok_phone", label: "Next of kin: telephone", value: input["nok_phone"], errors: errors, type: "tel")
        html += text("lpa_name", "Lasting power of attorney for health and welfare: name", hint: "Leave blank if there is none")
        html += Form.input("lpa_phone", label: "Attorney: telephone", value: input["lpa_phone"], errors: errors, type: "tel")
        html += "</fieldset><fieldset class=\"residents-form-section\"><legend>Health</legend>"
        html += area("allergies", "Allergies", hint: "Each allergy and the reaction, or \"None known\"", required: true)
        html += area("diagnoses", "Key diagnoses")
        html += Form.select("dementia_type", label: "Dementia", options: DementiaType.allCases.map { ($0.rawValue, $0.title) },
                            selected: input["dementia_type"].isEmpty ? DementiaType.notRecorded.rawValue : input["dementia_type"],
                            errors: errors, placeholder: nil)
        html += area("communication_needs", "Communication needs", hint: "Hearing, sight, language, how best to explain things")
        html += area("what_matters", "What matters to me")
        html += "</fieldset><fieldset class=\"residents-form-section\"><legend>Advance care planning (ReSPECT, advance care plan, DNACPR)</legend>"
        html += Form.radios("plan_exists", legend: "Is there a ReSPECT form, advance care plan or DNACPR?",
                            options: [("yes", "Yes"), ("no", "No")], selected: input["plan_exists"].isEmpty ? "no" : input["plan_exists"],
                            errors: errors, inline: true)
        html += "<p class=\"hint\">If yes, fill in the rest of this section.</p>"
        html += Form.select("plan_kind", label: "Kind of plan", options: PlanKind.allCases.map { ($0.rawValue, $0.title) },
                            selected: input["plan_kind"], errors: errors)
        html += date("plan_date", "Date made or last reviewed", hint: "For example 03/03/2026")
        html += text("plan_location", "Where the form is kept", hint: "For example: red folder in the nurses' office")
        html += Form.select("plan_cpr", label: "CPR", options: CPRRecommendation.allCases.map { ($0.rawValue, $0.title) },
                            selected: input["plan_cpr"], errors: errors, placeholder: nil)
        html += Form.select("plan_hospital", label: "Hospital transfer", options: HospitalTransfer.allCases.map { ($0.rawValue, $0.title) },
                            selected: input["plan_hospital"], errors: errors, placeholder: nil)
        html += Form.select("plan_priority", label: "Sustaining life or comfort", options: CarePriority.allCases.map { ($0.rawValue, $0.title) },
                            selected: input["plan_priority"], errors: errors, placeholder: nil)
        html += "</fieldset>"
        html += Form.submit(isNew ? "Add resident" : "Save changes")
        html += Form.end
        return html
    }

    func newForm(_ request: Request) throws -> Response {
        .page(title: "Add a resident", breadcrumbs: [("Residents", "/residents")],
              form(request, input: ResidentInput(values: ["admission_date": today().iso, "plan_exists": "no"]), errors: FormErrors(), resident: nil))
    }

    func create(_ request: Request) throws -> Response {
        let input = ResidentInput(form: request.form)
        let failed: (FormErrors) -> Response = { errors in
            .page(title: "Add a resident", status: 422, breadcrumbs: [("Residents", "/residents")],
                  form(request, input: input, errors: errors, resident: nil))
        }
        switch input.validate(today: today(), requireAdmissionDate: true) {
        case .failure(let failure):
            return failed(failure.errors)
        case .success(let valid):
            guard let admitted = valid.admissionDate else { return failed(FormErrors()) }
            do {
                let id = try stores.residents.create(valid.record, admittedOn: admitted, by: request.principal)
                context.audit.record(request, .create, residentID: id, detail: "resident added")
                context.log.info("residents.added", ["resident.id": String(id)])
                return .redirect(to: "/residents/\(id)", flash: "Resident added")
            } catch let failure as ValidationFailure {
                return failed(failure.errors)
            }
        }
    }

    func editForm(_ request: Request) throws -> Response {
        let resident = try loadEditable(request)
        return .page(title: "Edit \(resident.record.displayName)", breadcrumbs: Parts.breadcrumbs(resident),
                     form(request, input: ResidentInput(record: resident.record), errors: FormErrors(), resident: resident))
    }

    func amend(_ request: Request) throws -> Response {
        let resident = try loadEditable(request)
        let input = ResidentInput(form: request.form)
        let failed: (FormErrors) -> Response = { errors in
            .page(title: "Edit \(resident.record.displayName)", status: 422, breadcrumbs: Parts.breadcrumbs(resident),
                  form(request, input: input, errors: errors, resident: resident))
        }
        switch input.validate(today: today(), requireAdmissionDate: false) {
        case .failure(let failure):
            return failed(failure.errors)
        case .success(let valid):
            var errors = FormErrors()
            if let dob = valid.record.dateOfBirth, let admitted = resident.firstAdmission, dob > admitted {
                errors.add("date_of_birth", "Date of birth is after the admission (\(admitted.displayShort))")
                return failed(errors)
            }
            let expected = Int64(request.form["version"] ?? "") ?? resident.version
            do {
                try stores.residents.amend(residentID: resident.id, to: valid.record, expectedVersion: expected, by: request.principal)
                context.audit.record(request, .amend, residentID: resident.id, detail: "resident details amended")
                return .redirect(to: resident.path, flash: "Changes saved")
            } catch let failure as ValidationFailure {
                return failed(failure.errors)
            }
        }
    }

    // MARK: Entered in error

    func errorForm(_ request: Request, resident: StoredResident, reason: String = "", errors: FormErrors = FormErrors(), status: Int = 200) -> Response {
        let body: HTML = """
        \(Form.errorSummary(errors))\
        <p>The record stays in the database and in the audit trail, but leaves every list. Use this only when the \
        whole record should never have been made (a duplicate, the wrong person). To correct details, edit them instead.</p>\
        \(Form.start(action: "\(resident.path)/entered-in-error", request: request))\
        \(Form.textarea("reason", label: "Why is this record wrong?", value: reason, errors: errors, rows: 3, required: true))\
        \(Form.submit("Mark entered in error", kind: "warning"))\(Form.end)
        """
        return .page(Page(title: "Mark \(resident.record.displayName)'s record entered in error", breadcrumbs: Parts.breadcrumbs(resident), body: body),
                     status: status)
    }

    func enteredInErrorForm(_ request: Request) throws -> Response {
        errorForm(request, resident: try loadEditable(request))
    }

    func markEnteredInError(_ request: Request) throws -> Response {
        let resident = try loadEditable(request)
        let reason = request.form["reason"] ?? ""
        guard !reason.isEmpty else {
            var errors = FormErrors()
            errors.add("reason", "Say why the record is wrong")
            return errorForm(request, resident: resident, reason: reason, errors: errors, status: 422)
        }
        try stores.residents.markEnteredInError(residentID: resident.id, reason: reason, by: request.principal)
        context.audit.record(request, .enteredInError, residentID: resident.id, detail: "resident record marked entered in error")
        return .redirect(to: "/residents", flash: "Record marked entered in error")
    }
}

extension ClockItemState {
    var isOverdue: Bool { if case .overdue = self { true } else { false } }
}

extension AdmissionClock {
    /// Whether any of the three items is past its deadline.
    var hasOverdueItem: Bool { assessment.isOverdue || carePlan.isOverdue || medicationReviewFlag.isOverdue }
}
