import CareKit
import CareServices
import Foundation

extension RoundApp {
    /// The "Home round" section of every resident's page: concerns waiting for the next round,
    /// open actions, and the form to add the resident to the next round.
    var residentPanel: ResidentPanel {
        ResidentPanel(id: "home-round", title: "Home round", roles: Role.careTeam, order: 40) { request, residentID in
            try self.panelHTML(request, residentID: residentID, errors: FormErrors(), reason: nil)
        }
    }

    func panelHTML(_ request: Request, residentID: Int64, errors: FormErrors, reason: String?) throws -> HTML {
        var html: HTML = ""
        let concerns = try store.pendingConcerns(resident: residentID)
        if !concerns.isEmpty {
            let items = concerns.map { concern -> HTML in "<li>\(concern.reason) (\(concern.raisedByName), \(concern.raisedOn.displayShort))</li>" }
            html += "<p>Waiting for the next round:</p><ul>\(items)</ul>"
        }
        let actions = try store.actions(resident: residentID, outstandingOnly: true).filter { maySee($0, request.principal) }
        if !actions.isEmpty {
            html += actionsTable(actions, caption: "Open actions from rounds", showResident: false, request: request, returnTo: "/rounds/actions")
        }
        html += try closedItemsHTML(request, residentID: residentID)
        if HomeRoundPlugin.runners.contains(request.principal.role), let last = try store.previousEntry(resident: residentID, before: today.adding(days: 1)) {
            html += "<p>Last seen at the \(UI.link(Wording.midSentence(last.round.title), to: "/rounds/\(last.round.id)/residents/\(residentID)")): \(Wording.midSentence(last.entry.entry.outcome.title)).</p>"
        }
        // Nobody can be added to a round once they have left the home or died (the handler refuses it too).
        if let resident = try? resident(residentID), !resident.status.isCurrent { return html }
        html += """
        \(Form.errorSummary(errors))\(Form.start(action: "/rounds/concerns", request: request, id: "add-to-round"))\
        <input type="hidden" name="resident_id" value="\(String(residentID))">\
        \(Form.textarea("reason", label: "Add to the next round: what is the concern?", value: reason, errors: errors,
                        hint: "For example: eating less this week, more confused since Tuesday, family worried about pain", rows: 3, required: true))\
        \(Form.submit("Add to the next round", kind: "secondary"))\(Form.end)
        """
        return html
    }

    /// What the system closed when the resident left or died, with the reason: the history stays
    /// on their page.
    func closedItemsHTML(_ request: Request, residentID: Int64) throws -> HTML {
        let concerns = try store.closedConcerns(resident: residentID)
        let actions = try store.actions(resident: residentID).filter { $0.isClosed && maySee($0, request.principal) }
        guard !concerns.isEmpty || !actions.isEmpty else { return .empty }
        var items = concerns.map { concern -> HTML in
            "<li>Concern \"\(concern.reason)\" (\(concern.raisedByName), \(concern.raisedOn.displayShort)): closed by \(RoundStore.systemName). \(concern.closedReason ?? "")</li>"
        }
        items += actions.map { action -> HTML in
            "<li>Action \(UI.link(action.description, to: "/rounds/actions/\(action.id)")) (\(action.ownerName), due \(action.due.displayShort)): closed by \(action.closedByName ?? RoundStore.systemName). \(action.closedReason ?? "")</li>"
        }
        return "<p>Closed when they left the home or died:</p><ul>\(items)</ul>"
    }

    /// The concern form on its own page (shown again with errors when the panel's form was incomplete).
    func concernForm(_ request: Request) throws -> Response {
        guard let id = request.query["resident_id"].flatMap({ Int64($0) }) else { throw CareError.notFound("There is no such resident.") }
        return try renderConcern(request, resident: try resident(id), errors: FormErrors())
    }

    func renderConcern(_ request: Request, resident: ResidentSummary, errors: FormErrors, status: Int = 200) throws -> Response {
        let body = try panelHTML(request, residentID: resident.id, errors: errors, reason: request.form["reason"])
        return .page(Page(title: "Add \(resident.label) to the next round", breadcrumbs: [("Residents", "/residents"), (resident.label, resident.path)], body: body), status: status)
    }

    func raiseConcern(_ request: Request) throws -> Response {
        guard let id = request.form["resident_id"].flatMap({ Int64($0) }) else { throw CareError.badRequest("The form did not say which resident. Go back to the resident's page and try again.") }
        let resident = try resident(id)
        guard resident.status.isCurrent else { throw CareError.conflict("\(resident.label) no longer lives here.") }
        let reason = request.form["reason"] ?? ""
        var errors = FormErrors()
        if reason.isEmpty { errors.add("reason", "Say why they should be seen at the next round") } else if reason.count > 1000 { errors.add("reason", "Shorten this to 1,000 characters or fewer") }
        guard errors.isEmpty else { return try renderConcern(request, resident: resident, errors: errors, status: 422) }
        try ConcernService(store: store, now: now).raise(residentID: id, reason: reason, by: request.principal)
        context.audit.record(request, .create, residentID: id, detail: "concern raised for the next round")
        context.log.info("home-round.concern-raised", ["resident.id": String(id)])
        return .redirect(to: resident.path, flash: "Added to the next round")
    }
}
