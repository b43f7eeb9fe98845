import CareKit
import CareServices

/// The 7-working-day clock of a resident, the list of open clocks, and the record's history.
struct ClockPages: Sendable {
    let pages: ResidentPages
    var context: PluginContext { pages.context }
    var stores: Stores { pages.stores }

    // MARK: History

    func history(_ request: Request) throws -> Response {
        let resident = try pages.loadResident(request)
        context.audit.record(request, .view, residentID: resident.id, detail: "record history")
        let rows = try stores.residents.versions(residentID: resident.id).map { v -> [HTML] in
            [ "\(v.version)", "\(v.changedAt.map(HomeTime.display) ?? "")", "\(v.changedBy)", "\(v.action)", Parts.multiline(v.summary, empty: "") ]
        }
        let body = """
        <p>Every change to this record, newest first. Earlier versions are kept in full.</p>\
        \(UI.table(caption: "Versions of the record", headers: ["Version", "When", "Who", "What", "What changed"], rows: rows))
        """ as HTML
        return .page(title: "History: \(resident.record.displayName)", breadcrumbs: Parts.breadcrumbs(resident), body)
    }

    // MARK: One resident's clock

    static func itemsTable(_ c: AdmissionClock) -> HTML {
        UI.table(caption: "Due by \(c.deadline.display)", headers: ["What", "State"], rows: [
            ["\(ClockItem.assessment.title)", Parts.clockTag(c.assessment)],
            ["\(ClockItem.carePlan.title)", Parts.clockTag(c.carePlan)],
            ["\(ClockItem.medicationReviewFlag.title)", Parts.clockTag(c.medicationReviewFlag)],
        ])
    }

    func clockSection(_ request: Request, resident: StoredResident, detail: ClockDetail, isCurrent: Bool) -> HTML {
        let c = detail.clock
        var html: HTML = "<p>\(detail.explanation)</p>"
        html += ClockPages.itemsTable(c)
        let domainRows = AssessmentDomain.allCases.map { domain -> [HTML] in
            [ "\(domain.title)", detail.domainsDone[domain].map { "Assessed \($0.displayShort)" } ?? UI.tag("Not yet assessed", colour: "grey") ]
        }
        html += UI.table(caption: "Assessment domains", headers: ["Domain", "Assessed"], rows: domainRows)
        let entryRows = detail.entries.map { e -> [HTML] in
            var what: HTML = "\(e.item.title)"
            if !e.domains.isEmpty { what += "<br><span class=\"hint\">\(e.domains.sorted().map(\.title).joined(separator: ", "))</span>" }
            if let review = e.reviewOn { what += "<br><span class=\"hint\">Review \(review.displayShort)</span>" }
            if e.enteredInError { what = "<s>\(e.item.title)</s> \(UI.tag("Entered in error", colour: "red")) <span class=\"hint\">\(e.errorReason ?? "")</span>" }
            var action: HTML = ""
            if isCurrent && !e.enteredInError && Parts.canRecordClock(request) && !resident.enteredInError {
                action = """
                <details><summary>Entered in error?</summary>\
                \(Form.start(action: "\(resident.path)/clock/entries/\(e.id)/error", request: request))\
                \(Form.input("reason", label: "Reason it is wrong", value: nil, errors: FormErrors(), id: "entry-\(e.id)-reason"))\
                \(Form.submit("Mark entered in error", kind: "secondary"))\(Form.end)</details>
                """
            }
            let by = UI.person(e.doneBy, e.doneByRole)
            return [ "\(e.doneOn.displayShort)", what, "\(by)", "\(e.note)", action ]
        }
        html += UI.table(caption: "Recorded", headerCells: ["Done on", "What", "By", "Note", UI.visuallyHidden("Correction")], rows: entryRows, emptyMessage: "Nothing recorded yet for this admission.")
        return html
    }

    func entryForms(_ request: Request, resident: StoredResident, item: ClockItem?, values: [String: [String]], errors: FormErrors) -> HTML {
        func v(_ key: String, _ which: ClockItem) -> String? { item == which ? values[key]?.first : nil }
        // The person recording is most often the one who did it: start with their name and role.
        func who(_ key: String, _ which: ClockItem) -> String? {
            item == which ? values[key]?.first : (key == "done_by" ? request.principal.displayName : request.principal.role.title)
        }
        func e(_ which: ClockItem) -> FormErrors { item == which ? errors : FormErrors() }
        let today = pages.today().iso
        let assessment: HTML = """
        \(Form.errorSummary(e(.assessment), idPrefix: "assessment-"))\
        \(Form.start(action: "\(resident.path)/clock/assessment", request: request))\
        \(Form.checkboxes("domains", legend: "Domains assessed", options: AssessmentDomain.allCases.map { ($0.rawValue, $0.title) },
                          selected: Set(item == .assessment ? values["domains"] ?? [] : []), errors: e(.assessment),
                          hint: "The assessment is complete when all five have been assessed (they can be recorded on different days)", id: "assessment-domains"))\
        \(Form.input("done_on", label: "Date assessed", value: v("done_on", .assessment) ?? today, errors: e(.assessment), type: "date", required: true, id: "assessment-done_on"))\
        \(Form.input("done_by", label: "Assessed by", value: who("done_by", .assessment), errors: e(.assessment), required: true, id: "assessment-done_by"))\
        \(Form.input("done_by_role", label: "Their role", value: who("done_by_role", .assessment), errors: e(.assessment), hint: "For example GP, community matron, occupational therapist", id: "assessment-done_by_role"))\
        \(Form.textarea("note", label: "Note (optional)", value: v("note", .assessment), errors: e(.assessment), rows: 2, id: "assessment-note"))\
        \(Form.submit("Record assessment"))\(Form.end)
        """
        let plan: HTML = """
        \(Form.errorSummary(e(.carePlan), idPrefix: "care-plan-"))\
        \(Form.start(action: "\(resident.path)/clock/care-plan", request: request))\
        \(Form.input("done_on", label: "Date the plan was agreed", value: v("done_on", .carePlan) ?? today, errors: e(.carePlan), type: "date", required: true, id: "care-plan-done_on"))\
        \(Form.input("done_by", label: "MDT member the plan was made with", value: v("done_by", .carePlan), errors: e(.carePlan), required: true, id: "care-plan-done_by"))\
        \(Form.input("done_by_role", label: "Their role", value: v("done_by_role", .carePlan), errors: e(.carePlan), id: "care-plan-done_by_role"))\
        \(Form.input("review_on", label: "Review date", value: v("review_on", .carePlan), errors: e(.carePlan), type: "date", required: true, id: "care-plan-review_on"))\
        \(Form.textarea("note", label: "Note (optional)", value: v("note", .carePlan), errors: e(.carePlan), rows: 2, id: "care-plan-note"))\
        \(Form.submit("Record care plan"))\(Form.end)
        """
        let smr: HTML = """
        \(Form.errorSummary(e(.medicationReviewFlag), idPrefix: "smr-"))\
        \(Form.start(action: "\(resident.path)/clock/medication-review", request: request))\
        \(Form.input("done_on", label: "Date flagged for a structured medication review", value: v("done_on", .medicationReviewFlag) ?? today, errors: e(.medicationReviewFlag), type: "date", required: true, id: "smr-done_on"))\
        \(Form.input("done_by", label: "Flagged by", value: who("done_by", .medicationReviewFlag), errors: e(.medicationReviewFlag), required: true, id: "smr-done_by"))\
        \(Form.input("done_by_role", label: "Their role", value: who("done_by_role", .medicationReviewFlag), errors: e(.medicationReviewFlag), hint: "For example clinical pharmacist", id: "smr-done_by_role"))\
        \(Form.textarea("note", label: "Note (optional)", value: v("note", .medicationReviewFlag), errors: e(.medicationReviewFlag), rows: 2, id: "smr-note"))\
        \(Form.submit("Record SMR flag"))\(Form.end)
        """
        return UI.section("Record the assessment", assessment) + UI.section("Record the care and support plan", plan)
            + UI.section("Record the SMR flag", smr)
    }

    func page(_ request: Request, resident: StoredResident, item: ClockItem? = nil, values: [String: [String]] = [:],
              errors: FormErrors = FormErrors(), status: Int = 200) throws -> Response {
        let clocks = try stores.clocks.allClocks(residentID: resident.id, today: pages.today())
        var body = UI.ruleReason(ClockRule.reason, source: ClockRule.source)
        guard let current = clocks.first else {
            body += "<p>No 7-working-day clock is kept for this resident: they were admitted before the appliance was in use.</p>"
            return .page(Page(title: "7-day clock: \(resident.record.displayName)", breadcrumbs: Parts.breadcrumbs(resident), body: body), status: status)
        }
        if resident.status != .livingHere {
            body += UI.banner(.info, title: "\(resident.record.displayName) is \(Wording.midSentence(resident.status.title))",
                              "<p>A return from hospital starts a new clock.</p>")
        }
        body += UI.section(current.clock.isReadmission ? "Re-admission of \(current.clock.startedOn.display)" : "Admission of \(current.clock.startedOn.display)",
                           clockSection(request, resident: resident, detail: current, isCurrent: true))
        if Parts.canRecordClock(request) && !resident.enteredInError && resident.status == .livingHere {
            body += entryForms(request, resident: resident, item: item, values: values, errors: errors)
        }
        for earlier in clocks.dropFirst() {
            body += UI.section("Earlier: \(earlier.clock.isReadmission ? "re-admission" : "admission") of \(earlier.clock.startedOn.display)",
                               clockSection(request, resident: resident, detail: earlier, isCurrent: false))
        }
        return .page(Page(title: "7-day clock: \(resident.record.displayName)", breadcrumbs: Parts.breadcrumbs(resident), body: body), status: status)
    }

    func show(_ request: Request) throws -> Response {
        let resident = try pages.loadResident(request)
        context.audit.record(request, .view, residentID: resident.id, detail: "admission clock")
        return try page(request, resident: resident)
    }

    func record(_ item: ClockItem, _ request: Request) throws -> Response {
        let resident = try pages.loadEditable(request)
        let input = ClockStore.EntryInput(item: item, doneOn: request.form["done_on"] ?? "", doneBy: request.form["done_by"] ?? "",
                                          doneByRole: request.form["done_by_role"] ?? "", domains: request.form.all("domains"),
                                          reviewOn: request.form["review_on"] ?? "", note: request.form["note"] ?? "")
        do {
            try stores.clocks.record(input, residentID: resident.id, by: request.principal, today: pages.today())
        } catch let failure as ValidationFailure {
            return try page(request, resident: resident, item: item, values: request.form.fields, errors: failure.errors, status: 422)
        }
        context.audit.record(request, .amend, residentID: resident.id, detail: "admission clock: \(item.rawValue) recorded")
        return .redirect(to: "\(resident.path)/clock", flash: "\(item.title) recorded")
    }

    func markInError(_ request: Request) throws -> Response {
        let resident = try pages.loadEditable(request)
        let entryID = try request.id("entry")
        do {
            try stores.clocks.markEntryInError(residentID: resident.id, entryID: entryID, reason: request.form["reason"] ?? "", by: request.principal)
        } catch let failure as ValidationFailure {
            var errors = FormErrors()
            errors.add("reason", failure.errors["reason"] ?? "Say why the entry is wrong")
            return try page(request, resident: resident, errors: errors, status: 422)
        }
        context.audit.record(request, .enteredInError, residentID: resident.id, detail: "admission clock entry marked entered in error")
        return .redirect(to: "\(resident.path)/clock", flash: "Entry marked entered in error")
    }

    // MARK: Open clocks

    func openClocks(_ request: Request) throws -> Response {
        let today = pages.today()
        let open = try stores.clocks.openClocks(today: today)
        context.audit.record(request, .view, residentID: nil, detail: "open admission clocks (\(open.count))")
        let rows = open.map { entry -> [HTML] in
            let c = entry.detail.clock
            return [
                "<a href=\"\(entry.resident.path)/clock\">\(entry.resident.record.displayName)</a>",
                "\(entry.resident.record.room)",
                "\(c.isReadmission ? "Re-admitted" : "Admitted") \(c.startedOn.displayShort)",
                "\(c.deadline.display)",
                Parts.clockTag(c.assessment), Parts.clockTag(c.carePlan), Parts.clockTag(c.medicationReviewFlag),
            ]
        }
        let body = UI.ruleReason(ClockRule.reason, source: ClockRule.source)
            + UI.table(caption: "Open 7-working-day clocks, most urgent first (today is \(today.display))",
                       headers: ["Resident", "Room", "Started", "Deadline", "Assessment", "Care plan", "SMR flag"], rows: rows,
                       emptyMessage: "No open clocks: every recent admission has its assessment, care plan and SMR flag.")
        return .page(title: "Admissions: 7-working-day clock", body)
    }

    /// The dashboard card: open clocks, overdue first.
    func card(_ request: Request) throws -> HTML? {
        let open = try stores.clocks.openClocks(today: pages.today())
        guard !open.isEmpty else { return "<p>No open admission clocks.</p>" }
        let overdue = open.filter(\.detail.clock.hasOverdueItem)
        let items = open.prefix(5).map { entry -> HTML in
            let c = entry.detail.clock
            let worst = [c.assessment, c.carePlan, c.medicationReviewFlag].filter(\.isOpen)
                .max { ClockPages.severity($0) < ClockPages.severity($1) } ?? c.assessment
            return "<li><a href=\"\(entry.resident.path)/clock\">\(entry.resident.record.displayName)</a>: deadline \(c.deadline.displayShort) \(Parts.clockTag(worst))</li>"
        }
        return "<p>\(open.count) open, \(overdue.count) overdue.</p><ul>\(items)</ul><p><a href=\"/admissions\">All open clocks</a></p>"
    }

    static func severity(_ state: ClockItemState) -> Int {
        switch state {
        case .overdue(let n): 1000 + n
        case .due(let left): 100 - left
        case .doneLate, .doneOnTime: 0
        }
    }
}
