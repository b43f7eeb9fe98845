public import CareKit
import Foundation

/// The forms: medicines (add, change, stop, entered in error), reconciliation, structured review,
/// and acknowledging a prompt. Each saves in one transaction, then redirects with a message.
extension MedicationPages {
    static let routes: [(value: String, label: String)] = [
        "oral", "sublingual", "buccal", "transdermal patch", "inhaled", "nebulised", "topical", "eye", "ear", "nasal", "rectal",
        "vaginal", "subcutaneous injection", "intramuscular injection", "enteral tube", "other",
    ].map { ($0, $0.prefix(1).uppercased() + $0.dropFirst()) }

    static let reviewerRoles: [(value: String, label: String)] = [
        "GP", "Clinical pharmacist", "Nurse practitioner", "Registered nurse", "Geriatrician", "Psychiatrist", "Other clinician",
    ].map { ($0, $0) }

    static let reconciliationSources: [(value: String, label: String)] = [
        ("Hospital discharge letter", "Hospital discharge letter"), ("GP record or Summary Care Record", "GP record or Summary Care Record"),
        ("Medicines administration record (MAR)", "Medicines administration record (MAR)"), ("Medicines brought in", "Medicines brought in"),
        ("Resident or family", "Resident or family"), ("Community pharmacy", "Community pharmacy"),
    ]

    /// The value to show in a field: what was sent on a POST (input kept), otherwise the default.
    static func value(_ request: Request, _ name: String, _ fallback: String = "") -> String {
        request.method == .post ? (request.form[name] ?? "") : fallback
    }

    static func author(_ request: Request) -> Author { Author(request.principal) }

    // MARK: - Medicine fields

    /// Reads and checks the medicine fields (`prefix` lets the review form reuse them for a started medicine).
    static func readMedicine(_ form: FormData, residentID: Int64, prefix: String = "", today: Day, errors: inout FormErrors) -> MedicineRecord? {
        let name = form[prefix + "name"] ?? ""
        let dose = form[prefix + "dose"] ?? ""
        let route = form[prefix + "route"] ?? ""
        let frequency = form[prefix + "frequency"] ?? ""
        if name.isEmpty { errors.add(prefix + "name", "Enter the medicine's name") }
        else if name.count > 120 { errors.add(prefix + "name", "The name must be 120 characters or fewer") }
        if dose.isEmpty { errors.add(prefix + "dose", "Enter the strength and dose, for example 5 mg or 1 tablet of 30/500") }
        if !routes.contains(where: { $0.value == route }) { errors.add(prefix + "route", "Choose the route") }
        if frequency.isEmpty { errors.add(prefix + "frequency", "Enter how often, for example twice a day") }
        let regular = form[prefix + "regular"] ?? ""
        if regular != "regular" && regular != "prn" { errors.add(prefix + "regular", "Choose regular or when needed (PRN)") }
        var started: Day?
        if let text = form.nonEmpty(prefix + "started_on") {
            started = Day(parsing: text)
            if started == nil { errors.add(prefix + "started_on", "Enter the start date as a real date, for example 23/11/2026") }
            else if let s = started, s > today.adding(days: 1) { errors.add(prefix + "started_on", "The start date cannot be more than a day in the future") }
        } else if prefix.isEmpty {
            errors.add(prefix + "started_on", "Enter the date it was started")
        } else {
            started = today
        }
        var stop: Day?
        if let text = form.nonEmpty(prefix + "stop_on") {
            stop = Day(parsing: text)
            if stop == nil { errors.add(prefix + "stop_on", "Enter the stop date as a real date") }
            else if let s = stop, let start = started, s < start { errors.add(prefix + "stop_on", "The stop date must be on or after the start date") }
        }
        let stopReason = form[prefix + "stop_reason"] ?? ""
        if stop != nil && stopReason.isEmpty { errors.add(prefix + "stop_reason", "Say why it stops (for example: 7-day course, or stopped at review)") }
        guard let startedOn = started, errors.isEmpty else { return nil }
        return MedicineRecord(residentID: residentID, name: name, dose: dose, route: route, frequency: frequency, asNeeded: regular == "prn",
                              startedOn: startedOn, indication: form[prefix + "indication"] ?? "", stopOn: stop, stopReason: stopReason)
    }

    static func medicineFields(_ request: Request, _ errors: FormErrors, prefix: String = "", defaults: MedicineRecord? = nil, withStop: Bool = true) -> HTML {
        func v(_ name: String, _ fallback: String) -> String { value(request, prefix + name, fallback) }
        var html: HTML = """
        \(Form.input(prefix + "name", label: "Medicine", value: v("name", defaults?.name ?? ""), errors: errors,
                     hint: "Generic or brand name as on the label, for example Amlodipine or Eliquis. A name not in the drug table is saved as unclassified.", required: prefix.isEmpty))
        \(Form.input(prefix + "dose", label: "Strength and dose", value: v("dose", defaults?.dose ?? ""), errors: errors, hint: "For example 5 mg, or 2 tablets of 30/500", required: prefix.isEmpty))
        \(Form.select(prefix + "route", label: "Route", options: routes, selected: v("route", defaults?.route ?? "oral"), errors: errors, required: prefix.isEmpty))
        \(Form.input(prefix + "frequency", label: "Frequency", value: v("frequency", defaults?.frequency ?? ""), errors: errors, hint: "For example once a day in the morning", required: prefix.isEmpty))
        \(Form.radios(prefix + "regular", legend: "Regular or when needed", options: [("regular", "Regular"), ("prn", "When needed (PRN)")],
                      selected: v("regular", defaults.map { $0.asNeeded ? "prn" : "regular" } ?? ""), errors: errors, required: prefix.isEmpty, inline: true))
        \(Form.input(prefix + "started_on", label: "Started", value: v("started_on", defaults?.startedOn.iso ?? ""), errors: errors, type: "date", required: prefix.isEmpty))
        \(Form.input(prefix + "indication", label: "Indication (what it is for)", value: v("indication", defaults?.indication ?? ""), errors: errors))
        """
        if withStop {
            html += """
            \(Form.input(prefix + "stop_on", label: "Planned stop date (courses only)", value: v("stop_on", defaults?.stopOn?.iso ?? ""), errors: errors, hint: "Leave empty for a long-term medicine", type: "date"))
            \(Form.input(prefix + "stop_reason", label: "Reason for the stop date", value: v("stop_reason", defaults?.stopReason ?? ""), errors: errors))
            """
        }
        return html
    }

    // MARK: - Add a medicine

    @Sendable func newMedicine(_ request: Request) throws -> Response {
        let medication = try loadResident(request)
        let resident = medication.resident
        var errors = FormErrors()
        if request.method == .post {
            if let medicine = MedicationPages.readMedicine(request.form, residentID: resident.id, today: today, errors: &errors) {
                let author = MedicationPages.author(request)
                let id = try context.database.write { try MedicationStore.insertMedicine($0, medicine, by: author) }
                context.audit.record(request, .create, residentID: resident.id, detail: "medicine \(id) added")
                context.log.info("medication-review.medicine-added", ["resident.id": String(resident.id), "medicine.id": String(id)])
                let unclassified = service.table.lookup(medicine.name, recordedRoute: medicine.route) == nil
                return .redirect(to: MedicationPages.residentPath(resident.id),
                                 flash: unclassified ? "Medicine saved. It is not in the drug table, so it is marked unclassified and prompted for classification."
                                                     : "Medicine saved")
            }
        }
        let body: HTML = """
        \(Form.errorSummary(errors))
        \(Form.start(action: "/medication/residents/\(resident.id)/medicines/new", request: request))
        \(MedicationPages.medicineFields(request, errors))
        \(Form.submit("Save medicine"))
        \(Form.end)
        """
        return .page(title: "Add a medicine for \(resident.label)", status: errors.isEmpty ? 200 : 422,
                     breadcrumbs: [("Medication review", "/medication"), (resident.label, MedicationPages.residentPath(resident.id))], body)
    }

    // MARK: - Change, stop or mark in error

    @Sendable func editMedicine(_ request: Request) throws -> Response {
        let medicineID = try request.id("id")
        guard let medicine = try context.database.read({ try MedicationStore.medicine($0, id: medicineID) }),
              let resident = try service.directory().resident(id: medicine.residentID) else { throw CareError.notFound("No such medicine.") }
        var errors = FormErrors()
        let action = request.form["action"] ?? ""
        if request.method == .post {
            guard let expected = request.form["version"].flatMap({ Int($0) }) else { throw CareError.badRequest("The form was incomplete: open the medicine again.") }
            guard !medicine.enteredInError else { throw CareError.conflict("This medicine was marked as entered in error and cannot be changed.") }
            var updated = medicine
            var detail = ""
            var flash = ""
            switch action {
            case "amend":
                if let read = MedicationPages.readMedicine(request.form, residentID: medicine.residentID, today: today, errors: &errors) {
                    let note = request.form["change_note"] ?? ""
                    if note.isEmpty { errors.add("change_note", "Say what changed and why (for example: dose reduced by GP on 20 Nov)") }
                    updated.name = read.name; updated.dose = read.dose; updated.route = read.route; updated.frequency = read.frequency
                    updated.asNeeded = read.asNeeded; updated.startedOn = read.startedOn; updated.indication = read.indication
                    updated.stopOn = read.stopOn; updated.stopReason = read.stopReason; updated.changeNote = note
                } else if (request.form["change_note"] ?? "").isEmpty {
                    errors.add("change_note", "Say what changed and why (for example: dose reduced by GP on 20 Nov)")
                }
                detail = "medicine \(medicine.id) amended"; flash = "Medicine changed; the previous version is kept"
            case "stop":
                let stopOn = request.form.nonEmpty("stop_day").flatMap { Day(parsing: $0) }
                if stopOn == nil { errors.add("stop_day", "Enter the day it was stopped as a real date") }
                else if let s = stopOn, s < medicine.startedOn { errors.add("stop_day", "The stop date must be on or after the start date (\(medicine.startedOn.displayShort))") }
                let reason = request.form["stop_why"] ?? ""
                if reason.isEmpty { errors.add("stop_why", "Say why it was stopped and who decided") }
                updated.stopOn = stopOn; updated.stopReason = reason; updated.changeNote = "Stopped: \(reason)"
                detail = "medicine \(medicine.id) stopped"; flash = "Medicine stopped"
            case "error":
                let reason = request.form["error_reason"] ?? ""
                if reason.isEmpty { errors.add("error_reason", "Say what was wrong with this entry") }
                updated.enteredInError = true; updated.errorReason = reason; updated.changeNote = "Entered in error: \(reason)"
                detail = "medicine \(medicine.id) marked entered in error"; flash = "Medicine marked as entered in error"
            default:
                throw CareError.badRequest("Choose what to do with this medicine.")
            }
            if errors.isEmpty {
                let author = MedicationPages.author(request)
                let record = updated
                try context.database.write { try MedicationStore.updateMedicine($0, record, expectedVersion: expected, by: author) }
                context.audit.record(request, action == "error" ? .enteredInError : .amend, residentID: medicine.residentID, detail: detail)
                return .redirect(to: MedicationPages.residentPath(medicine.residentID), flash: flash)
            }
        } else {
            context.audit.record(request, .view, residentID: medicine.residentID, detail: "medicine \(medicine.id) and its history")
        }
        let versions = try context.database.read { try MedicationStore.versions($0, medicineID: medicine.id) }
        let history = versions.map { v -> [HTML] in
            ["\(v.version)", "\(HomeTime.display(v.recordedAt))", "\(v.recordedBy)", "\(v.name) \(v.directions)", "\(v.changeNote.isEmpty ? "First recorded" : v.changeNote)"]
        }
        func form(_ actionName: String, _ fields: HTML, _ submit: HTML) -> HTML {
            """
            \(Form.start(action: "/medication/medicines/\(medicine.id)/edit", request: request))\
            <input type="hidden" name="action" value="\(actionName)"><input type="hidden" name="version" value="\(medicine.version)">\
            \(fields)\(submit)\(Form.end)
            """
        }
        let amendErrors = action == "amend" ? errors : FormErrors()
        let stopErrors = action == "stop" ? errors : FormErrors()
        let errorErrors = action == "error" ? errors : FormErrors()
        var body: HTML = Form.errorSummary(errors)
        body += "<p>\(resident.label). Current version \(medicine.version): \(medicine.name) \(medicine.directions).</p>"
        if medicine.enteredInError {
            body += UI.banner(.info, title: "This medicine was marked as entered in error: \(medicine.errorReason)")
        } else {
            let amendRequest = action == "amend" ? request : Request(method: .get, path: request.path, principal: request.principal, csrfToken: request.csrfToken)
            body += UI.section("Change the details (keeps the previous version)", form("amend", """
                \(MedicationPages.medicineFields(amendRequest, amendErrors, defaults: medicine))
                \(Form.input("change_note", label: "What changed and why", value: action == "amend" ? request.form["change_note"] ?? "" : "", errors: amendErrors, required: true))
                """, Form.submit("Save the change")))
            body += UI.section("Stop this medicine", form("stop", """
                \(Form.input("stop_day", label: "Stopped on", value: action == "stop" ? request.form["stop_day"] ?? "" : today.iso, errors: stopErrors, type: "date", required: true))
                \(Form.input("stop_why", label: "Why, and who decided", value: action == "stop" ? request.form["stop_why"] ?? "" : "", errors: stopErrors, required: true))
                """, Form.submit("Stop medicine", kind: "warning")))
            body += UI.section("Entered in error", form("error", """
                <p>Use this only when the medicine was never meant to be on this resident's list. The record is kept, marked in error.</p>
                \(Form.input("error_reason", label: "What was wrong", value: action == "error" ? request.form["error_reason"] ?? "" : "", errors: errorErrors, required: true))
                """, Form.submit("Mark as entered in error", kind: "warning")))
        }
        body += UI.section("History", UI.table(caption: "Versions of this medicine, newest first", headers: ["Version", "When", "By", "Medicine", "Change"], rows: history))
        return .page(title: "Change \(medicine.name)", status: errors.isEmpty ? 200 : 422,
                     breadcrumbs: [("Medication review", "/medication"), (resident.label, MedicationPages.residentPath(resident.id))], body)
    }

    // MARK: - Reconciliation

    @Sendable func reconciliation(_ request: Request) throws -> Response {
        let medication = try loadResident(request)
        let resident = medication.resident
        var errors = FormErrors()
        let form = request.form
        if request.method == .post {
            let day = form.nonEmpty("reconciled_on").flatMap { Day(parsing: $0) }
            if day == nil { errors.add("reconciled_on", "Enter the date of the reconciliation as a real date") }
            else if let d = day, d > today { errors.add("reconciled_on", "The date cannot be in the future") }
            let trigger = form["trigger"] ?? ""
            if trigger != "admission" && trigger != "hospital-return" { errors.add("trigger", "Choose after admission or after a return from hospital") }
            let triggerOn = form.nonEmpty("trigger_on").flatMap { Day(parsing: $0) }
            if form.nonEmpty("trigger_on") != nil && triggerOn == nil { errors.add("trigger_on", "Enter the day of admission or return as a real date") }
            let sources = form.all("sources").filter { s in MedicationPages.reconciliationSources.contains { $0.value == s } }
            if sources.isEmpty { errors.add("sources", "Choose at least one source you checked the list against") }
            let found = form["discrepancies_found"] ?? ""
            if found != "yes" && found != "no" { errors.add("discrepancies_found", "Say whether any discrepancies were found") }
            let details = form["discrepancies"] ?? ""
            if found == "yes" && details.isEmpty { errors.add("discrepancies", "Describe the discrepancies and what was done") }
            let by = form["reconciled_by"] ?? ""
            if by.isEmpty { errors.add("reconciled_by", "Enter who did the reconciliation") }
            let role = form["reconciled_by_role"] ?? ""
            if role.isEmpty { errors.add("reconciled_by_role", "Enter their role") }
            if errors.isEmpty, let day {
                let author = MedicationPages.author(request)
                try context.database.write {
                    try MedicationStore.insertReconciliation($0, residentID: resident.id, on: day, trigger: trigger, triggerOn: triggerOn,
                                                             sources: sources.joined(separator: "; "), discrepanciesFound: found == "yes",
                                                             discrepancies: details, by: by, role: role, author: author)
                }
                context.audit.record(request, .create, residentID: resident.id, detail: "medicines reconciliation recorded")
                return .redirect(to: MedicationPages.residentPath(resident.id), flash: "Medicines reconciliation saved")
            }
        }
        let v = { (name: String, fallback: String) in MedicationPages.value(request, name, fallback) }
        let start = medication.facts.latestAdmission
        let body: HTML = """
        \(Form.errorSummary(errors))
        <p>Check the resident's medicines list against other sources after admission and after every return from hospital (NICE NG5).</p>
        \(Form.start(action: "/medication/residents/\(resident.id)/reconciliation", request: request))
        \(Form.input("reconciled_on", label: "Date of reconciliation", value: v("reconciled_on", today.iso), errors: errors, type: "date", required: true))
        \(Form.radios("trigger", legend: "Reconciliation after", options: [("admission", "Admission"), ("hospital-return", "Return from hospital")],
                      selected: v("trigger", medication.facts.latestAdmissionIsReadmission ? "hospital-return" : "admission"), errors: errors, required: true, inline: true))
        \(Form.input("trigger_on", label: "Day of admission or return", value: v("trigger_on", start?.iso ?? ""), errors: errors, type: "date"))
        \(Form.checkboxes("sources", legend: "Sources checked", options: MedicationPages.reconciliationSources,
                          selected: Set(request.method == .post ? form.all("sources") : []), errors: errors))
        \(Form.radios("discrepancies_found", legend: "Discrepancies found", options: [("no", "No"), ("yes", "Yes")], selected: v("discrepancies_found", ""), errors: errors, required: true, inline: true))
        \(Form.textarea("discrepancies", label: "Discrepancies and what was done", value: v("discrepancies", ""), errors: errors))
        \(Form.input("reconciled_by", label: "Reconciled by", value: v("reconciled_by", request.principal.displayName), errors: errors, required: true))
        \(Form.input("reconciled_by_role", label: "Their role", value: v("reconciled_by_role", request.principal.role.title), errors: errors, required: true))
        \(Form.submit("Save reconciliation"))
        \(Form.end)
        """
        return .page(title: "Medicines reconciliation for \(resident.label)", status: errors.isEmpty ? 200 : 422,
                     breadcrumbs: [("Medication review", "/medication"), (resident.label, MedicationPages.residentPath(resident.id))], body)
    }

    // MARK: - Structured medication review

    @Sendable func newReview(_ request: Request) throws -> Response {
        let medication = try loadResident(request)
        let resident = medication.resident
        let current = medication.current(on: today)
        var errors = FormErrors()
        let form = request.form
        if request.method == .post {
            let day = form.nonEmpty("reviewed_on").flatMap { Day(parsing: $0) }
            if day == nil { errors.add("reviewed_on", "Enter the date of the review as a real date") }
            else if let d = day, d > today { errors.add("reviewed_on", "The review date cannot be in the future") }
            let reviewer = form["reviewer"] ?? ""
            if reviewer.isEmpty { errors.add("reviewer", "Enter who did the review") }
            let role = form["reviewer_role"] ?? ""
            if !MedicationPages.reviewerRoles.contains(where: { $0.value == role }) { errors.add("reviewer_role", "Choose the reviewer's role") }
            let with = form["discussed_with"] ?? ""
            let withOptions = ["resident", "representative", "both", "neither"]
            if !withOptions.contains(with) { errors.add("discussed_with", "Say who the review was discussed with") }
            let discussion = form["discussion"] ?? ""
            if with != "neither" && discussion.isEmpty { errors.add("discussion", "Say what was discussed and their views") }
            if with == "neither" && discussion.isEmpty { errors.add("discussion", "Say why it could not be discussed with the resident or their representative") }
            let outcome = form["outcome"] ?? ""
            if outcome.isEmpty { errors.add("outcome", "Enter the outcome of the review") }
            let next = form.nonEmpty("next_review_on").flatMap { Day(parsing: $0) }
            if next == nil { errors.add("next_review_on", "Enter the next review date as a real date") }
            else if let n = next, let d = day, n <= d { errors.add("next_review_on", "The next review must be after this review") }
            else if let n = next, let d = day, n > d.adding(months: 12) { errors.add("next_review_on", "The next review must be within 12 months (NICE QS85)") }
            var changes = [(medicine: MedicineRecord, change: String, newDose: String)]()
            for medicine in current {
                let choice = form["change_\(medicine.id)"] ?? "continue"
                switch choice {
                case "stop": changes.append((medicine, "stopped", ""))
                case "change":
                    let dose = form["dose_\(medicine.id)"] ?? ""
                    if dose.isEmpty { errors.add("dose_\(medicine.id)", "Enter the new strength and dose for \(medicine.name)") }
                    changes.append((medicine, "changed", dose))
                default: break
                }
            }
            var started: MedicineRecord?
            if form.nonEmpty("start_name") != nil {
                started = MedicationPages.readMedicine(form, residentID: resident.id, prefix: "start_", today: today, errors: &errors)
            }
            if errors.isEmpty, let day, let next {
                let author = MedicationPages.author(request)
                let discussedWith = ["resident": "The resident", "representative": "Their representative or family", "both": "The resident and their representative",
                                     "neither": "Not discussed"][with] ?? with
                let startedRecord = started
                try context.database.write { db in
                    let reviewID = try MedicationStore.insertReview(db, residentID: resident.id, on: day, reviewer: reviewer, role: role,
                                                                    discussedWith: discussedWith, discussion: discussion, outcome: outcome,
                                                                    nextReview: next, author: author)
                    for (medicine, change, dose) in changes {
                        var updated = medicine
                        if change == "stopped" {
                            updated.stopOn = day
                            updated.stopReason = "Stopped at structured medication review (\(reviewer), \(role))"
                            updated.changeNote = "Stopped at structured medication review on \(day.displayShort)"
                        } else {
                            updated.dose = dose
                            updated.changeNote = "Dose changed from \(medicine.dose) to \(dose) at structured medication review on \(day.displayShort)"
                        }
                        try MedicationStore.updateMedicine(db, updated, expectedVersion: medicine.version, by: author)
                        try MedicationStore.insertReviewChange(db, reviewID: reviewID, medicineID: medicine.id, change: change,
                                                               detail: change == "stopped" ? "\(medicine.name) \(medicine.directions)" : "\(medicine.name): \(medicine.dose) → \(dose)")
                    }
                    if var newMedicine = startedRecord {
                        if newMedicine.indication.isEmpty { newMedicine.indication = "Started at medication review" }
                        let id = try MedicationStore.insertMedicine(db, newMedicine, by: author)
                        try MedicationStore.insertReviewChange(db, reviewID: reviewID, medicineID: id, change: "started",
                                                               detail: "\(newMedicine.name) \(newMedicine.directions)")
                    }
                }
                context.audit.record(request, .create, residentID: resident.id,
                                     detail: "structured medication review recorded (\(changes.count + (started == nil ? 0 : 1)) medicine changes)")
                return .redirect(to: MedicationPages.residentPath(resident.id), flash: "Structured medication review saved")
            }
        }
        let v = { (name: String, fallback: String) in MedicationPages.value(request, name, fallback) }
        let medicineChoices = current.map { medicine -> HTML in
            """
            <div class="review-medicine">\
            \(Form.radios("change_\(medicine.id)", legend: "\(medicine.name) \(medicine.directions)",
                          options: [("continue", "Continue"), ("stop", "Stopped"), ("change", "Dose changed")],
                          selected: v("change_\(medicine.id)", "continue"), errors: errors, inline: true))\
            \(Form.input("dose_\(medicine.id)", label: "New strength and dose for \(medicine.name) (if changed)", value: v("dose_\(medicine.id)", ""), errors: errors))\
            </div>
            """
        }
        let openPrompts = medication.prompts.filter(\.isOpen).map { item -> HTML in
            "<li>\(MedicationPages.severityTag(item.finding.severity)) \(item.finding.rule.title): \(item.finding.reason)</li>"
        }
        let body: HTML = """
        \(Form.errorSummary(errors))
        \(openPrompts.isEmpty ? HTML.empty : UI.section("Open prompts to consider", "<ul>\(openPrompts)</ul>"))
        \(Form.start(action: "/medication/residents/\(resident.id)/reviews/new", request: request))
        \(Form.input("reviewed_on", label: "Date of review", value: v("reviewed_on", today.iso), errors: errors, type: "date", required: true))
        \(Form.input("reviewer", label: "Reviewer", value: v("reviewer", request.principal.displayName), errors: errors, required: true))
        \(Form.select("reviewer_role", label: "Reviewer's role", options: MedicationPages.reviewerRoles, selected: v("reviewer_role", ""), errors: errors, required: true))
        \(Form.radios("discussed_with", legend: "Discussed with", options: [("resident", "The resident"), ("representative", "Their representative or family"),
                                                                           ("both", "Both"), ("neither", "Neither (say why below)")],
                      selected: v("discussed_with", ""), errors: errors, required: true))
        \(Form.textarea("discussion", label: "What was discussed, and their views", value: v("discussion", ""), errors: errors, required: true))
        \(Form.textarea("outcome", label: "Outcome", value: v("outcome", ""), errors: errors, required: true))
        <fieldset class="section"><legend>Medicines: what was decided</legend>\(medicineChoices)</fieldset>
        <fieldset class="section"><legend>Medicine started at this review (optional)</legend>
        \(MedicationPages.medicineFields(request, errors, prefix: "start_", withStop: true))</fieldset>
        \(Form.input("next_review_on", label: "Next review", value: v("next_review_on", today.adding(months: 12).iso), errors: errors,
                     hint: "Within 12 months (NICE QS85); within 6 weeks while an antipsychotic is taken with dementia (NICE NG97)", type: "date", required: true))
        \(Form.submit("Save review"))
        \(Form.end)
        """
        return .page(title: "Structured medication review for \(resident.label)", status: errors.isEmpty ? 200 : 422,
                     breadcrumbs: [("Medication review", "/medication"), (resident.label, MedicationPages.residentPath(resident.id))], body)
    }

    // MARK: - Acknowledge or dismiss a prompt

    @Sendable func acknowledge(_ request: Request) throws -> Response {
        let raw = request.pathParameters["id"] ?? ""
        guard let dash = raw.firstIndex(of: "-"), let residentID = Int64(raw[..<dash]), residentID > 0 else { throw CareError.notFound("No such prompt.") }
        let ruleID = String(raw[raw.index(after: dash)...])
        guard let medication = try service.load(residentID: residentID) else { throw CareError.notFound("No such resident.") }
        guard let item = medication.prompts.first(where: { $0.finding.rule.id == ruleID }) else {
            throw CareError.notFound("This prompt is no longer raised for this resident: its facts have changed or it was resolved.")
        }
        let resident = medication.resident
        // Dismissing ("not clinically relevant") is a prescribing judgement; staff of the home acknowledge.
        let mayDismiss = request.principal.role == .clinician
        var errors = FormErrors()
        if request.method == .post {
            let decision = request.form["decision"] ?? ""
            if decision != "acknowledged" && decision != "dismissed" { errors.add("decision", "Choose acknowledge or dismiss") }
            else if decision == "dismissed" && !mayDismiss {
                errors.add("decision", "Only a visiting clinician (GP, pharmacist) can dismiss a prompt as not relevant; acknowledge it instead")
            }
            let reason = request.form["reason"] ?? ""
            if reason.isEmpty { errors.add("reason", "Give the clinical reason; it is kept with the prompt") }
            if errors.isEmpty {
                let author = MedicationPages.author(request)
                try context.database.write {
                    try MedicationStore.insertAcknowledgement($0, residentID: residentID, finding: item.finding, decision: decision, reason: reason, author: author)
                }
                context.audit.record(request, .amend, residentID: residentID, detail: "prompt \(ruleID) \(decision)")
                context.log.info("medication-review.prompt-decided", ["resident.id": String(residentID), "rule.id": ruleID, "decision": decision])
                return .redirect(to: MedicationPages.residentPath(residentID), flash: decision == "dismissed" ? "Prompt dismissed" : "Prompt acknowledged")
            }
        }
        let finding = item.finding
        let body: HTML = """
        \(Form.errorSummary(errors))
        <p>\(MedicationPages.severityTag(finding.severity)) <strong>\(finding.rule.title)</strong></p>
        \(UI.ruleReason(finding.reason, source: finding.rule.source))
        <p>The prompt is hidden until its facts change (a new or changed medicine, a new fall, a new admission), then it comes back.</p>
        \(Form.start(action: MedicationPages.decisionPath(residentID: residentID, ruleID: ruleID), request: request))
        \(Form.radios("decision", legend: "Decision", options: [("acknowledged", "Acknowledge: seen, and being dealt with")]
                      + (mayDismiss ? [("dismissed", "Dismiss: not clinically relevant for this resident")] : []),
                      selected: MedicationPages.value(request, "decision", mayDismiss ? "" : "acknowledged"), errors: errors, required: true))
        \(Form.textarea("reason", label: "Clinical reason", value: MedicationPages.value(request, "reason", ""), errors: errors, required: true))
        \(Form.submit("Save decision"))
        \(Form.end)
        """
        return .page(title: "Prompt for \(resident.label)", status: errors.isEmpty ? 200 : 422,
                     breadcrumbs: [("Medication review", "/medication"), (resident.label, MedicationPages.residentPath(residentID))], body)
    }
}

extension MedicationPages {
    /// Marks a structured review or a reconciliation as entered in error (with a reason): it stays
    /// in the database but no longer counts for the rules. Medicines it changed keep their versions.
    func enteredInError(_ target: MedicationStore.ErrorTarget) -> @Sendable (Request) throws -> Response {
        { request in
            let id = try request.id("id")
            guard let record = try context.database.read({ try MedicationStore.errorCandidate($0, target, id: id) }),
                  let resident = try service.directory().resident(id: record.residentID) else {
                throw CareError.notFound("No such record, or it is already marked as entered in error.")
            }
            var errors = FormErrors()
            if request.method == .post {
                let reason = request.form["reason"] ?? ""
                if reason.isEmpty { errors.add("reason", "Say what was wrong with this record") }
                if errors.isEmpty {
                    let author = MedicationPages.author(request)
                    try context.database.write { try MedicationStore.markEnteredInError($0, target, id: id, reason: reason, author: author) }
                    context.audit.record(request, .enteredInError, residentID: record.residentID, detail: "\(target.title) \(id) marked entered in error")
                    return .redirect(to: MedicationPages.residentPath(record.residentID), flash: "The \(target.title) was marked as entered in error")
                }
            }
            let path = target == .review ? "/medication/reviews/\(id)/entered-in-error" : "/medication/reconciliations/\(id)/entered-in-error"
            let body: HTML = """
            \(Form.errorSummary(errors))
            <p>The \(target.title) of \(record.day.display) for \(resident.label) will be kept but no longer count: the prompts it answered come back.
            Medicines it stopped or changed keep their new versions; change them back on the medicines list if needed.</p>
            \(Form.start(action: path, request: request))
            \(Form.textarea("reason", label: "What was wrong", value: MedicationPages.value(request, "reason", ""), errors: errors, required: true))
            \(Form.submit("Mark as entered in error", kind: "warning"))
            \(Form.end)
            """
            return .page(title: "Mark the \(target.title) as entered in error", status: errors.isEmpty ? 200 : 422,
                         breadcrumbs: [("Medication review", "/medication"), (resident.label, MedicationPages.residentPath(resident.id))], body)
        }
    }
}
