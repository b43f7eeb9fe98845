import CareKit
import CareServices
import Foundation

extension RoundApp {
    /// Whether the user may see an action: round runners see all; carers see theirs and the care team's.
    func maySee(_ action: RoundAction, _ principal: Principal) -> Bool {
        HomeRoundPlugin.runners.contains(principal.role) || (principal.role == .carer && action.isVisibleToCarer(principal))
    }

    /// The residents behind a set of ids, in one look-up.
    func residentSummaries(_ ids: Set<Int64>) -> [Int64: ResidentSummary] {
        guard let directory = context.services.resolve(Services.residentDirectory) else { return [:] }
        return (try? directory.residents(ids: ids)) ?? [:]
    }

    /// The resident's name for a list, with "In hospital" when they are: an action may have to
    /// wait, or be done with the ward, and the person reading the list should know.
    func residentName(_ resident: ResidentSummary?, id: Int64) -> HTML {
        let name = HTML(text: resident?.label ?? "Resident \(id)")
        guard resident?.status == .inHospital else { return name }
        return "\(name) \(UI.tag("In hospital", colour: "orange"))"
    }

    /// Names of staff whose accounts can no longer sign in (lower case).
    func inactiveStaffNames() -> Set<String> {
        guard let staff = try? context.services.resolve(Services.staff)?.staff() else { return [] }
        return Set(staff.filter { !$0.active }.flatMap { [$0.displayName.lowercased(), $0.username.lowercased()] })
    }

    /// The owner, or "Unassigned" when an open action's owner can no longer sign in: it must be given
    /// to someone else, not wait on a list nobody reads.
    func ownerCell(_ action: RoundAction, inactive: Set<String>) -> HTML {
        let owner = action.ownerName.trimmingWhitespace().lowercased()
        guard action.state(today: today).isOutstanding, inactive.contains(owner) else { return HTML(text: action.ownerName) }
        return UI.tag("Unassigned", colour: "orange") + HTML(text: " (\(action.ownerName)'s account is disabled: give it to someone else)")
    }

    func actionsTable(_ actions: [RoundAction], caption: String, showResident: Bool, request: Request, returnTo: String? = nil) -> HTML {
        let residents = showResident ? residentSummaries(Set(actions.map(\.residentID))) : [:]
        let inactive = inactiveStaffNames()
        let back = returnTo ?? request.path
        let rows = actions.map { action -> [HTML] in
            let state = action.state(today: today)
            var cells: [HTML] = []
            if showResident { cells.append(residentName(residents[action.residentID], id: action.residentID)) }
            cells.append(UI.link(action.description, to: "/rounds/actions/\(action.id)"))
            cells.append(ownerCell(action, inactive: inactive))
            cells.append(HTML(text: action.due.display))
            var stateHTML: HTML = "\(UI.tag(state.tagText, colour: state.colour)) \(state.summary)"
            if let by = action.doneByName ?? action.closedByName, !state.isOutstanding { stateHTML += HTML(text: " by \(by)") }
            cells.append(stateHTML)
            if state.isOutstanding && maySee(action, request.principal) {
                cells.append("""
                \(Form.start(action: "/rounds/actions/\(action.id)/done", request: request))<input type="hidden" name="return_to" value="\(back)">\
                \(Form.submit("Mark done", kind: "secondary"))\(Form.end)
                """)
            } else {
                cells.append(.empty)
            }
            return cells
        }
        let headers: [HTML] = (showResident ? ["Resident"] : []) + ["Action", "Owner", "Due", "State", UI.visuallyHidden("Mark done")]
        return UI.actionTable(caption: caption, headerCells: headers, rows: rows, emptyMessage: "No actions.")
    }

    // MARK: /rounds/actions

    /// How many actions done, entered in error or closed the "Done" list shows (the latest).
    static let finishedActionsShown = 200

    func actionsList(_ request: Request) throws -> Response {
        let principal = request.principal
        let isRunner = HomeRoundPlugin.runners.contains(principal.role)
        let filters: [(value: String, label: String)] = isRunner
            ? [("mine", "Mine"), ("overdue", "Overdue"), ("open", "All open"), ("done", "Done")]
            : [("mine", "Mine and the care team's"), ("done", "Done")]
        let show = filters.contains { $0.value == request.query["show"] } ? (request.query["show"] ?? "mine") : (isRunner ? "open" : "mine")
        // Open actions are today's work (an index on the status); the done ones are history: the latest only.
        let all = try (show == "done" ? store.finishedActions(limit: RoundApp.finishedActionsShown) : store.actions(outstandingOnly: true))
            .filter { maySee($0, principal) }
        let chosen: [RoundAction]
        switch show {
        case "mine": chosen = all.filter { (isRunner ? $0.isOwned(by: principal) : true) && $0.state(today: today).isOutstanding }
        case "overdue": chosen = all.filter { $0.state(today: today).isOverdue }
        case "done": chosen = all.filter { !$0.state(today: today).isOutstanding }.sorted { ($0.doneOn ?? $0.due) > ($1.doneOn ?? $1.due) }
        default: chosen = all.filter { $0.state(today: today).isOutstanding }
        }
        let links = filters.map { filter -> HTML in
            filter.value == show ? "<li><strong aria-current=\"page\">\(filter.label)</strong></li>" : "<li>\(UI.link(filter.label, to: "/rounds/actions?show=\(filter.value)"))</li>"
        }
        context.audit.record(request, .view, residentID: nil, detail: "round actions \(show)")
        let body: HTML = """
        <nav class="round-filters" aria-label="Which actions"><ul>\(links)</ul></nav>\
        \(actionsTable(chosen, caption: show == "done" ? "Done (the latest \(RoundApp.finishedActionsShown))" : filters.first { $0.value == show }?.label ?? "Actions",
                       showResident: true, request: request, returnTo: "/rounds/actions?show=\(show)"))\
        \(UI.ruleReason("Open until done; due from \(ActionState.dueSoonDays) days before the due date; overdue the day after it. Done on or before the due date counts as on time. When a resident leaves the home or dies, their open actions are closed by the system with the reason (never deleted) and are not counted.", source: "Home round action rules (own design, HR-ACT-STATE)"))
        """
        return .page(Page(title: "Actions from rounds", breadcrumbs: isRunner ? [RoundApp.roundsCrumb] : [], body: body))
    }

    func visibleAction(_ request: Request) throws -> RoundAction {
        let action = try store.action(request.id("actionID"))
        guard maySee(action, request.principal) else { throw CareError.forbidden("This action is not assigned to you.") }
        return action
    }

    func actionPage(_ request: Request) throws -> Response {
        try renderAction(request, action: try visibleAction(request), errors: FormErrors())
    }

    func renderAction(_ request: Request, action: RoundAction, errors: FormErrors, status: Int = 200) throws -> Response {
        let resident = try resident(action.residentID)
        let round = try store.round(action.roundID)
        let state = action.state(today: today)
        context.audit.record(request, .view, residentID: action.residentID, detail: "round action \(action.id)")
        var rows: [(key: String, value: HTML)] = [
            ("Resident", residentName(resident, id: resident.id)), ("Action", HTML(text: action.description)), ("Owner", ownerCell(action, inactive: inactiveStaffNames())),
            ("Team", HTML(text: action.ownerRole.map { role in RoundApp.ownerTeams.first { $0.value == role.rawValue }?.label ?? role.title } ?? "")),
            ("Due", HTML(text: action.due.display)), ("State", "\(UI.tag(state.tagText, colour: state.colour)) \(state.summary)"),
            ("Agreed at", HomeRoundPlugin.runners.contains(request.principal.role) ? UI.link(round.title, to: round.path) : HTML(text: round.title)),
            ("Agreed by", HTML(text: action.createdByName)),
        ]
        let handovers = try store.handovers(action: action.id)
        if !handovers.isEmpty {
            let lines = handovers.map { h -> HTML in "<li>\(HTML(text: "From \(h.from) to \(h.to), by \(h.byName)\(h.at.map { ", " + HomeTime.display($0) } ?? "")"))</li>" }
            rows.append(("Given to someone else", "<ul class=\"round-card-list\">\(lines)</ul>"))
        }
        if let by = action.doneByName { rows.append((action.enteredInError ? "Marked in error by" : "Done by", HTML(text: by))) }
        if !action.doneNote.isEmpty { rows.append(("Note", HTML(text: action.doneNote))) }
        if action.enteredInError { rows.append(("Reason", HTML(text: action.errorReason))) }
        if let reason = action.closedReason {
            rows.append(("Closed because", HTML(text: reason)))
            rows.append(("Closed by", HTML(text: [action.closedByName ?? RoundStore.systemName, action.closedAt.map(HomeTime.display)].compactMap { $0 }.joined(separator: ", "))))
        }
        var body: HTML = Form.errorSummary(errors) + UI.summaryList(rows)
        if state.isOutstanding {
            body += UI.section("Mark done", """
            \(Form.start(action: "/rounds/actions/\(action.id)/done", request: request))<input type="hidden" name="return_to" value="/rounds/actions/\(action.id)">\
            \(Form.input("note", label: "Note (optional)", value: request.form["note"], errors: errors))\(Form.submit("Mark done"))\(Form.end)
            """)
            if HomeRoundPlugin.runners.contains(request.principal.role) {
                // Work given to someone who is away, has left or cannot do it goes to someone who can,
                // from the same list as at the round, so it reaches their own list and dashboard.
                body += "<div id=\"give\">" + UI.section("Give it to someone else", """
                \(Form.start(action: "/rounds/actions/\(action.id)/owner", request: request))\
                \(try ownerFields(request.form, errors: errors, round: action.roundID, principal: request.principal, label: "Who will do it now"))\
                \(Form.submit("Give it to them"))\(Form.end)
                """) + "</div>"
                body += UI.section("Entered in error", """
                \(Form.start(action: "/rounds/actions/\(action.id)/error", request: request))\
                \(Form.input("reason", label: "Why this action was entered in error", value: request.form["reason"], errors: errors, required: true))\
                \(Form.submit("Mark as entered in error", kind: "warning"))\(Form.end)
                """)
            }
        }
        return .page(Page(title: "Action for \(resident.label)", breadcrumbs: [("Actions from rounds", "/rounds/actions")], body: body), status: status)
    }

    func markActionDone(_ request: Request) throws -> Response {
        let action = try visibleAction(request)
        let note = request.form["note"] ?? ""
        guard note.count <= 500 else {
            var errors = FormErrors()
            errors.add("note", "Shorten the note to 500 characters or fewer")
            return try renderAction(request, action: action, errors: errors, status: 422)
        }
        try store.markActionDone(action.id, on: today, note: note, by: request.principal, at: now())
        context.audit.record(request, .amend, residentID: action.residentID, detail: "round action \(action.id) done")
        let back = request.form["return_to"] ?? ""
        let safe = back.hasPrefix("/rounds") && !back.hasPrefix("//") ? back : "/rounds/actions"
        return .redirect(to: safe, flash: "Action marked done")
    }

    func reassignAction(_ request: Request) throws -> Response {
        let action = try visibleAction(request)
        var errors = FormErrors()
        guard let chosen = parseOwner(request.form, errors: &errors) else {
            return try renderAction(request, action: action, errors: errors, status: 422)
        }
        try store.reassignAction(action.id, to: chosen.owner, role: chosen.team, by: request.principal, at: now())
        context.audit.record(request, .amend, residentID: action.residentID, detail: "round action \(action.id) given to someone else")
        return .redirect(to: "/rounds/actions/\(action.id)", flash: "Action given to \(chosen.owner)")
    }

    func markActionError(_ request: Request) throws -> Response {
        let action = try visibleAction(request)
        let reason = request.form["reason"] ?? ""
        var errors = FormErrors()
        if reason.isEmpty { errors.add("reason", "Say why it was entered in error") } else if reason.count > 500 { errors.add("reason", "Shorten the reason to 500 characters or fewer") }
        guard errors.isEmpty else { return try renderAction(request, action: action, errors: errors, status: 422) }
        try store.markActionEnteredInError(action.id, reason: reason, by: request.principal, at: now())
        context.audit.record(request, .enteredInError, residentID: action.residentID, detail: "round action \(action.id)")
        return .redirect(to: "/rounds/actions/\(action.id)", flash: "Action marked as entered in error")
    }

    // MARK: Dashboard

    var dashboardCard: DashboardCard {
        // A visiting clinician comes for the round: it is first on their home screen. A nurse's own actions
        // follow their admissions and prompts; the manager's overdue ones follow compliance at a glance.
        DashboardCard(id: "round-actions", title: "Home round", roles: Role.careTeam, order: 30, roleOrder: [.clinician: 1, .carer: 4, .nurse: 7, .manager: 13]) { request in
            try self.dashboardHTML(request)
        }
    }

    func dashboardHTML(_ request: Request) throws -> HTML? {
        let principal = request.principal
        let isRunner = HomeRoundPlugin.runners.contains(principal.role)
        let outstanding = try store.actions(outstandingOnly: true)
        let mine = outstanding.filter { isRunner ? $0.isOwned(by: principal) : $0.isVisibleToCarer(principal) }
        var html: HTML = ""
        if isRunner {
            let week = RoundWeek(containing: today)
            if let round = try store.round(in: week) {
                html += "<p>This week's round: \(UI.link(round.day.display, to: round.path)) \(round.isClosed ? UI.tag("Held", colour: "green") : UI.tag("Open", colour: "yellow"))</p>"
            } else {
                html += "<p>This week's round (\(week.roundDay(homeProfile().roundDay).display)) is not open yet. \(UI.link("Rounds", to: "/rounds"))</p>"
            }
        }
        let residents = residentSummaries(Set(outstanding.map(\.residentID)))
        func list(_ actions: [RoundAction]) -> HTML {
            let items = actions.prefix(5).map { action -> HTML in
                let state = action.state(today: today)
                return "<li>\(UI.tag(state.tagText, colour: state.colour)) \(UI.link(action.description, to: "/rounds/actions/\(action.id)")) (\(residentName(residents[action.residentID], id: action.residentID)); due \(action.due.displayShort))</li>"
            }
            return "<ul class=\"round-card-list\">\(items)</ul>"
        }
        html += "<h3>\(isRunner ? "Your actions" : "Actions for you and the care team") (\(mine.count))</h3>"
        html += mine.isEmpty ? "<p>None open.</p>" : list(mine)
        if isRunner {
            let overdue = outstanding.filter { $0.state(today: today).isOverdue }
            html += "<h3>Overdue in the home (\(overdue.count))</h3>"
            html += overdue.isEmpty ? "<p>None overdue.</p>" : list(overdue)
            html += "<p>\(UI.link("All actions", to: "/rounds/actions?show=open"))</p>"
        } else if !mine.isEmpty {
            html += "<p>\(UI.link("All your actions", to: "/rounds/actions"))</p>"
        }
        return html
    }
}
