import CareKit
import CareServices

/// Recording and correcting admissions, hospital stays, leaving and death.
struct MovementPages: Sendable {
    let pages: ResidentPages
    var context: PluginContext { pages.context }
    var stores: Stores { pages.stores }

    static func table(_ movements: [StoredMovement], caption: String) -> HTML {
        let rows = movements.reversed().map { m -> [HTML] in
            var what: HTML = "\(m.title)"
            if m.enteredInError { what = "<s>\(m.title)</s> \(UI.tag("Entered in error", colour: "red")) <span class=\"hint\">\(m.errorReason ?? "") (\(m.errorBy ?? ""))</span>" }
            if !m.clockTracked && m.startsClock { what += " <span class=\"hint\">(before this appliance: no 7-day clock kept)</span>" }
            return [ "\(m.on.display)", what, "\(m.note)", "\(m.recordedBy)" ]
        }
        return UI.table(caption: caption, headers: ["Date", "Movement", "Note", "Recorded by"], rows: rows, emptyMessage: "No movements recorded.")
    }

    func page(_ request: Request, resident: StoredResident, values: [String: String] = [:], errors: FormErrors = FormErrors(),
              correctionErrors: FormErrors = FormErrors(), status: Int = 200) throws -> Response {
        let allowed = MovementRules.allowed(from: resident.status)
        var body: HTML = "<p>Status now: \(Parts.statusTag(resident.status))</p>"
        if allowed.isEmpty {
            body += "<p>No further movements can be recorded.</p>"
        } else {
            body += Form.errorSummary(errors)
            body += Form.start(action: "\(resident.path)/movements", request: request)
            body += Form.radios("kind", legend: "What happened?", options: allowed.map { ($0.rawValue, MovementRules.choiceLabel($0)) },
                                selected: values["kind"], errors: errors, required: true)
            body += Form.input("on_day", label: "Date", value: values["on_day"] ?? pages.today().iso, errors: errors,
                               hint: "For example 23/11/2026", type: "date", required: true)
            if allowed.contains(.died) {
                body += Form.radios("place", legend: "If they died: where?", options: DeathPlace.allCases.map { ($0.rawValue, $0.title) },
                                    selected: values["place"] ?? (resident.status == .inHospital ? DeathPlace.hospital.rawValue : nil), errors: errors)
            }
            body += Form.textarea("note", label: "Note (optional)", value: values["note"], errors: errors,
                                  hint: "For example the hospital and ward. Do not write the reason for a death here.", rows: 2)
            body += Form.submit("Record movement")
            body += Form.end
        }
        body += UI.section("All movements", MovementPages.table(try stores.residents.allMovements(residentID: resident.id),
                                                                caption: "Movements, newest first, including corrections"))
        if let latest = resident.movements.last {
            body += UI.section("Correct the latest movement", """
            <p>If "\(Wording.midSentence(latest.title))" on \(latest.on.display) is wrong, give the right date, or leave the date empty \
            to mark it entered in error. The wrong entry is kept, marked, with your reason.</p>\
            \(Form.errorSummary(correctionErrors))\
            \(Form.start(action: "\(resident.path)/movements/\(latest.id)/correct", request: request))\
            \(Form.input("new_date", label: "Right date (leave empty to remove the movement)", value: values["new_date"], errors: correctionErrors, type: "date"))\
            \(Form.textarea("reason", label: "What was wrong?", value: values["reason"], errors: correctionErrors, rows: 2, required: true))\
            \(Form.submit("Correct the movement", kind: "warning"))\(Form.end)
            """)
        }
        return .page(Page(title: "Movements: \(resident.record.displayName)", breadcrumbs: Parts.breadcrumbs(resident), body: body), status: status)
    }

    func show(_ request: Request) throws -> Response {
        let resident = try pages.loadEditable(request)
        context.audit.record(request, .view, residentID: resident.id, detail: "movements")
        return try page(request, resident: resident)
    }

    func record(_ request: Request) throws -> Response {
        let resident = try pages.loadEditable(request)
        let values = ["kind": request.form["kind"] ?? "", "on_day": request.form["on_day"] ?? "",
                      "place": request.form["place"] ?? "", "note": request.form["note"] ?? ""]
        var errors = FormErrors()
        let kind = ResidentMovement.Kind(rawValue: values["kind"] ?? "")
        if kind == nil { errors.add("kind", "Choose what happened") }
        let dayText = values["on_day"] ?? ""
        let day = Day(parsing: dayText)
        if dayText.isEmpty { errors.add("on_day", "Enter the date") }
        else if day == nil { errors.add("on_day", "The date must be a real date, for example 23/11/2026") }
        guard errors.isEmpty, let kind, let day else { return try page(request, resident: resident, values: values, errors: errors, status: 422) }
        do {
            try stores.residents.recordMovement(residentID: resident.id, kind: kind, on: day, place: values["place"] ?? "",
                                                note: values["note"] ?? "", by: request.principal, today: pages.today())
        } catch let failure as ValidationFailure {
            return try page(request, resident: resident, values: values, errors: failure.errors, status: 422)
        }
        context.audit.record(request, .amend, residentID: resident.id, detail: "movement recorded: \(kind.rawValue)")
        context.log.info("residents.movement-recorded", ["resident.id": String(resident.id), "movement.kind": kind.rawValue])
        return .redirect(to: resident.path, flash: "Movement recorded")
    }

    func correct(_ request: Request) throws -> Response {
        let resident = try pages.loadEditable(request)
        let movementID = try request.id("movement")
        let values = ["new_date": request.form["new_date"] ?? "", "reason": request.form["reason"] ?? ""]
        var errors = FormErrors()
        let dateText = values["new_date"] ?? ""
        let newDate = Day(parsing: dateText)
        if !dateText.isEmpty && newDate == nil { errors.add("new_date", "The date must be a real date, for example 23/11/2026") }
        if !errors.isEmpty { return try page(request, resident: resident, values: values, correctionErrors: errors, status: 422) }
        do {
            try stores.residents.correctLatestMovement(residentID: resident.id, movementID: movementID, reason: values["reason"] ?? "",
                                                       newDate: newDate, by: request.principal, today: pages.today())
        } catch let failure as ValidationFailure {
            return try page(request, resident: resident, values: values, correctionErrors: failure.errors, status: 422)
        }
        context.audit.record(request, .enteredInError, residentID: resident.id, detail: "movement corrected")
        return .redirect(to: "\(resident.path)/movements", flash: newDate == nil ? "Movement marked entered in error" : "Movement date corrected")
    }
}
