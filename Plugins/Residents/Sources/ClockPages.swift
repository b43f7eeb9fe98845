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

    /// The state of one item of a clock.
    static func state(_ c: AdmissionClock, _ item: ClockItem) -> ClockItemState {
        switch item {
        case .assessment: c.assessment
        case .carePlan: c.carePlan
        case .medicationReviewFlag: c.medicationReviewFlag
        }
    }

    /// The open item to do first: the most overdue, or the soonest due (the first in the list on a tie).
    static func mostUrgent(_ c: AdmissionClock) -> ClockItem? {
        ClockItem.allCases.filter { state(c, $0).isOpen }.reduce(nil) { best, item in
            guard let best else { return item }
            return severity(state(c, item)) > severity(state(c, best)) ? item : best
        }
    }

    /// Where the form that records `item` starts on the clock page (a card's link lands on it).
    static func formAnchor(_ item: ClockItem) -> String { "record-\(item.rawValue)" }

    /// The items and their states; an open item links to the form that records it, when the reader may.
    static func itemsTable(_ c: AdmissionClock, linkForms: Bool = false) -> HTML {
        UI.table(caption: "Due by \(c.deadline.display)", headers: ["What", "State"], rows: ClockItem.allCases.map { item -> [HTML] in
            let state = ClockPages.state(c, item)
            let record: HTML = linkForms && state.isOpen ? " <a href=\"#\(formAnchor(item))\">Record it</a>" : .empty
            return ["\(item.title)", Parts.clockTag(state) + record]
        })
    }

    /// What the clock says: the rule's reading of the dates, and each item's state.
    func clockState(detail: ClockDetail, linkForms: Bool) -> HTML {
        "<p>\(detail.explanation)</p>" + ClockPages.itemsTable(detail.clock, linkForms: linkForms)
    }

    /// What was recorded against the clock: the domains assessed and every entry (with its correction).
    func clockRecords(_ request: Request, resident: StoredResident, detail: ClockDetail, isCurrent: Bool) -> HTML {
        var html: HTML = ""
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

    func entryForms(_ request: Request, resident: StoredResident, clock: AdmissionClock, item: ClockItem?, values: [String: [String]], errors: FormErrors) -> (open: HTML, done: HTML) {
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
        let forms: [(item: ClockItem, title: String, form: HTML)] = [
            (.assessment, "Record the assessment", assessment), (.carePlan, "Record the care and support plan", plan), (.medicationReviewFlag, "Record the SMR flag", smr),
        ]
        // The items still to do first, straight after their states; those done (recorded again only to
        // add to them) folded below, unless one of them is the form being sent back with its errors.
        var open: HTML = ""
        var done: HTML = ""
        for entry in forms {
            if ClockPages.state(clock, entry.item).isOpen || entry.item == item {
                open += "<div id=\"\(ClockPages.formAnchor(entry.item))\">\(UI.section(entry.title, entry.form))</div>"
            } else {
                done += "<details class=\"clock-again\" id=\"\(ClockPages.formAnchor(entry.item))\"><summary>\(entry.title) again (\(entry.item.title.lowercased()) is done)</summary>\(entry.form)</details>"
            }
        }
        return (open: open, done: done)
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
        // The state, then the forms for what is still to do, then what was recorded: a nurse opening the
        // clock to record an item finds its form near the top (a card's link lands on it).
        let mayRecord = Parts.canRecordClock(request) && !resident.enteredInError && resident.status == .livingHere
        body += UI.section(current.clock.isReadmission ? "Re-admission of \(current.clock.startedOn.display)" : "Admission of \(current.clock.startedOn.display)",
                           clockState(detail: current, linkForms: mayRecord))
        let forms = mayRecord ? entryForms(request, resident: resident, clock: current.clock, item: item, values: values, errors: errors) : (open: HTML.empty, done: HTML.empty)
        body += forms.open
        body += UI.section("Recorded for this \(current.clock.isReadmission ? "re-admission" : "admission")",
                           clockRecords(request, resident: resident, detail: current, isCurrent: true) + forms.done)
        for earlier in clocks.dropFirst() {
            body += UI.section("Earlier: \(earlier.clock.isReadmission ? "re-admission" : "admission") of \(earlier.clock.startedOn.display)",
                               clockState(detail: earlier, linkForms: false) + clockRecords(request, resident: resident, detail: earlier, isCurrent: false))
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
            let urgent = ClockPages.mostUrgent(c)
            let worst = urgent.map { ClockPages.state(c, $0) } ?? c.assessment
            // Straight to the form of the item to do first, for those who record it.
            let anchor = Parts.canRecordClock(request) ? urgent.map { "#" + ClockPages.formAnchor($0) } ?? "" : ""
            return "<li><a href=\"\(entry.resident.path)/clock\(anchor)\">\(entry.resident.record.displayName)</a>: deadline \(c.deadline.displayShort) \(Parts.clockTag(worst))</li>"
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
