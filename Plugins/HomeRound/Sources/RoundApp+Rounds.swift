import CareKit
import CareServices
import Foundation

extension RoundApp {
    // MARK: /rounds

    /// Rounds on one page of the list: half a year of weekly rounds.
    static let roundsPerPage = 26

    func roundsList(_ request: Request) throws -> Response {
        let profile = homeProfile()
        // A page of rounds at a time (half a year), newest first; `before` is the day of the last one shown.
        let before = request.query.nonEmpty("before").flatMap { Day(iso: $0) }
        let rounds = try store.rounds(before: before, limit: RoundApp.roundsPerPage)
        let thisWeek = RoundWeek(containing: today)
        var body: HTML = ""
        if let current = try store.round(in: thisWeek) {
            body += UI.banner(current.isClosed ? .success : .info, title: current.isClosed ? "This week's round was held on \(current.day.display)." : "This week's round (\(current.day.display)) is open.",
                              "<p>\(UI.buttonLink(current.isClosed ? "See the round" : "Go to the agenda", to: current.path))</p>")
        } else {
            let due = thisWeek.roundDay(profile.roundDay)
            var text: HTML = "<p>The home's round day is \(profile.roundDay?.name ?? "not set (ask the manager to set it in the home profile)").</p>"
            if HomeRoundPlugin.openers.contains(request.principal.role) { text += "<p>\(UI.buttonLink("Open this week's round", to: "/rounds/new"))</p>" }
            body += UI.banner(today > due ? .warning : .info, title: "This week's round (\(due.display)) has not been opened yet.", text)
        }
        let facts = Dictionary(try store.roundFacts(from: rounds.last?.day, through: rounds.first?.day).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let rows = rounds.map { round -> [HTML] in
            let fact = facts[round.id]
            let status = round.isClosed ? UI.tag("Closed", colour: "green") : UI.tag("Open", colour: "yellow")
            let sheet: HTML = round.isClosed ? " · \(UI.link("Round sheet", to: "/rounds/\(round.id)/sheet"))" : .empty
            return [UI.link(round.day.display, to: round.path), status,
                    HTML(text: round.isClosed ? String(fact?.agenda ?? 0) : "Open: agenda still changing"),
                    HTML(text: String(fact?.reviewed ?? 0)), HTML(text: String(fact?.notSeen ?? 0)),
                    "\(UI.link("Agenda", to: round.path))\(sheet)"]
        }
        body += UI.table(caption: before == nil ? "Rounds, newest first" : "Rounds before \(before?.display ?? "")",
                         headers: ["Day", "Status", "On the agenda", "Reviewed", "Not seen", "Pages"], rows: rows,
                         emptyMessage: before == nil ? "No rounds yet." : "No earlier rounds.")
        var paging: [HTML] = []
        if before != nil { paging.append(UI.link("Newest rounds", to: "/rounds")) }
        if rounds.count == RoundApp.roundsPerPage, let last = rounds.last { paging.append(UI.link("Earlier rounds", to: "/rounds?before=\(last.day.iso)")) }
        if !paging.isEmpty { body += "<nav class=\"paging\" aria-label=\"Pages of rounds\"><p>\(HTML(trusted: paging.map(\.description).joined(separator: " · ")))</p></nav>" }
        body += "<p>\(UI.link("Actions from rounds", to: "/rounds/actions")) · \(UI.link("Round figures", to: "/rounds/figures"))</p>"
        return .page(Page(title: "Home round", body: body))
    }

    // MARK: /rounds/new

    /// The day proposed for a new round: this week's round day, or next week's when this week has one.
    func proposedRoundDay() throws -> Day {
        let profile = homeProfile()
        var week = RoundWeek(containing: today)
        if try store.round(in: week) != nil { week = week.adding(weeks: 1) }
        return week.roundDay(profile.roundDay)
    }

    func newRoundForm(_ request: Request) throws -> Response {
        try renderNewRound(request, day: try proposedRoundDay().iso, errors: FormErrors())
    }

    func renderNewRound(_ request: Request, day: String, errors: FormErrors, status: Int = 200) throws -> Response {
        let profile = homeProfile()
        let hint = "The home's round day is \(profile.roundDay?.name ?? "not set"). One round per week (Monday to Sunday)."
        let body: HTML = """
        \(Form.errorSummary(errors))\(Form.start(action: "/rounds/new", request: request))\
        \(Form.input("round_day", label: "Day of the round", value: day, errors: errors, hint: hint, type: "date", required: true))\
        \(Form.submit("Open the round"))\(Form.end)
        """
        return .page(Page(title: "Open a round", breadcrumbs: [RoundApp.roundsCrumb], body: body), status: status)
    }

    func openRound(_ request: Request) throws -> Response {
        let text = request.form["round_day"] ?? ""
        var errors = FormErrors()
        guard let day = Day(parsing: text) else {
            errors.add("round_day", text.isEmpty ? "Enter the day of the round" : "Enter a real date, for example 26/11/2026")
            return try renderNewRound(request, day: text, errors: errors, status: 422)
        }
        if day < today.adding(days: -14) {
            errors.add("round_day", "A round cannot be opened more than 14 days in the past")
        } else if day > today.adding(days: 28) {
            errors.add("round_day", "A round cannot be opened more than 4 weeks ahead")
        } else if let existing = try store.round(in: RoundWeek(containing: day)) {
            errors.add("round_day", "That week already has a round (\(existing.day.display)); open it from the rounds page")
        }
        guard errors.isEmpty else { return try renderNewRound(request, day: text, errors: errors, status: 422) }
        let id: Int64
        do {
            id = try store.openRound(on: day, by: request.principal, at: now())
        } catch let error as CareError where error.code == .conflict {
            errors.add("round_day", error.message)
            return try renderNewRound(request, day: text, errors: errors, status: 422)
        }
        context.audit.record(request, .create, residentID: nil, detail: "opened round \(id)")
        context.log.info("home-round.opened", ["round.id": String(id)])
        return .redirect(to: "/rounds/\(id)", flash: "Round opened for \(day.display)")
    }

    // MARK: /rounds/:id (the agenda)

    func agendaPage(_ request: Request) throws -> Response {
        try renderAgenda(request, round: try round(request), errors: FormErrors())
    }

    func renderAgenda(_ request: Request, round: Round, errors: FormErrors, status: Int = 200) throws -> Response {
        let view = try agendaView(round)
        let entries = try store.entries(round: round.id)
        let attendees = try store.attendees(round: round.id)
        context.audit.record(request, .view, residentID: nil, detail: "round \(round.id) agenda")

        var body: HTML = Form.errorSummary(errors)
        var facts: [(key: String, value: HTML)] = [
            ("Day", HTML(text: round.day.display)),
            ("Status", round.isClosed ? HTML(text: "Closed by \(round.closedByName ?? "") \(round.closedAt.map(HomeTime.display) ?? "")") : HTML(text: "Open (opened by \(round.openedByName))")),
            ("Attendees", attendees.isEmpty ? "None recorded yet · \(UI.link("Add attendees", to: "/rounds/\(round.id)/attendees"))"
                : "\(attendees.map(\.attendee.line).joined(separator: "; ")) · \(UI.link("Change", to: "/rounds/\(round.id)/attendees"))"),
        ]
        let done = view.rows.filter { entries[$0.residentID]?.entry.outcome != nil && entries[$0.residentID]?.entry.outcome != .notRecorded }.count
        facts.append(("Progress", HTML(text: "\(done) of \(view.rows.count) residents recorded")))
        body += UI.summaryList(facts)

        var buttons: [HTML] = []
        if let first = view.rows.first(where: { entries[$0.residentID] == nil }) ?? view.rows.first {
            buttons.append(UI.buttonLink(round.isClosed ? "Open the first resident" : "Start with the next resident", to: "/rounds/\(round.id)/residents/\(first.residentID)"))
        }
        if round.isClosed {
            buttons.append(UI.buttonLink("Round sheet", to: "/rounds/\(round.id)/sheet", kind: "secondary"))
        } else {
            buttons.append(UI.buttonLink("Close the round", to: "/rounds/\(round.id)/close", kind: "secondary"))
        }
        body += "<p class=\"button-group\">\(buttons)</p>"

        for note in view.missingSources { body += UI.banner(.info, title: note) }

        let rows = view.rows.map { row -> [HTML] in
            let hospital: HTML = row.present ? .empty : " \(UI.tag("In hospital", colour: "orange"))"
            return [HTML(text: String(row.position)),
                    "\(UI.link(row.label, to: "/rounds/\(round.id)/residents/\(row.residentID)"))\(hospital)",
                    reasonsHTML(row, withSources: false), HTML(text: String(row.score)), outcomeTag(entries[row.residentID])]
        }
        body += UI.table(caption: "Agenda, most urgent first", headers: ["#", "Resident", "Why", "Score", "Outcome"], rows: rows,
                         emptyMessage: "Nobody is on the agenda yet: no signals since the last round. Add a resident below.")
        body += """
        <details class="why round-explain"><summary>How the order is worked out</summary><p class="rule-source">Rule \(AgendaRules.orderRuleID).</p>\
        <p>\(AgendaRules.explanation)</p>\
        \(UI.table(caption: "Reasons and their points", headers: ["Reason", "Points", "Rule", "Source"], rows: AgendaSignal.allCases.sorted { $0.weight > $1.weight }.map {
            [HTML(text: $0.title), HTML(text: String($0.weight)), HTML(text: $0.ruleID), HTML(text: $0.source)]
        }))</details>
        """

        if !view.removed.isEmpty {
            let items = view.removed.map { item -> HTML in
                "<li>\(item.label): \(item.change.reason) (\(item.change.byName), \(HomeTime.display(item.change.at)))</li>"
            }
            body += UI.section("Taken off this round", "<ul>\(items)</ul>")
        }

        if !round.isClosed {
            let onAgenda = Set(view.rows.map(\.residentID))
            let residents = try directory().currentResidents()
            let addable = residents.filter { !onAgenda.contains($0.id) }.map { (value: String($0.id), label: $0.label) }
            let removable = view.rows.map { (value: String($0.residentID), label: $0.label) }
            let form = request.method == .post ? request.form : FormData()
            let change = form["change"]
            body += UI.section("Add a resident to this round", """
            \(Form.start(action: "/rounds/\(round.id)/agenda", request: request))<input type="hidden" name="change" value="add">\
            \(Form.select("add_resident", label: "Resident", options: addable, selected: change == "add" ? form["add_resident"] : nil, errors: errors, required: true))\
            \(Form.input("add_reason", label: "Why they should be seen", value: change == "add" ? form["add_reason"] : nil, errors: errors, required: true))\
            \(Form.submit("Add to this round", kind: "secondary"))\(Form.end)
            """)
            if !removable.isEmpty {
                body += UI.section("Take a resident off this round", """
                \(Form.start(action: "/rounds/\(round.id)/agenda", request: request))<input type="hidden" name="change" value="remove">\
                \(Form.select("remove_resident", label: "Resident", options: removable, selected: change == "remove" ? form["remove_resident"] : nil, errors: errors, required: true))\
                \(Form.input("remove_reason", label: "Why they will not be seen this week", value: change == "remove" ? form["remove_reason"] : nil, errors: errors, required: true))\
                \(Form.submit("Take off this round", kind: "warning"))\(Form.end)
                """)
            }
        }
        return .page(Page(title: round.title, breadcrumbs: [RoundApp.roundsCrumb], body: body), status: status)
    }

    func changeAgenda(_ request: Request) throws -> Response {
        let round = try round(request)
        guard !round.isClosed else { throw CareError.conflict("This round is closed: its agenda can no longer change.") }
        let add = request.form["change"] == "add"
        let field = add ? "add_resident" : "remove_resident"
        let reasonField = add ? "add_reason" : "remove_reason"
        var errors = FormErrors()
        let residentID = request.form[field].flatMap { Int64($0) }
        var current: ResidentSummary?
        if let residentID { current = try directory().resident(id: residentID) }
        if current == nil || current?.status.isCurrent == false { errors.add(field, "Choose a resident") }
        let reason = request.form[reasonField] ?? ""
        if reason.isEmpty { errors.add(reasonField, add ? "Say why they should be seen" : "Say why they will not be seen this week") }
        if reason.count > 500 { errors.add(reasonField, "Shorten the reason to 500 characters or fewer") }
        guard errors.isEmpty, let resident = current else { return try renderAgenda(request, round: round, errors: errors, status: 422) }
        try store.changeAgenda(round: round.id, resident: resident.id, add: add, reason: reason, by: request.principal, at: now())
        context.audit.record(request, .amend, residentID: resident.id, detail: "round \(round.id) agenda: \(add ? "added" : "removed")")
        return .redirect(to: round.path, flash: add ? "\(resident.label) added to the round" : "\(resident.label) taken off the round")
    }
}
