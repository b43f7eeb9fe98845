import CareKit
import CareServices
import Foundation

extension RoundApp {
    // MARK: Attendees

    static let attendeeRoles = ["GP", "Advanced nurse practitioner", "Clinical pharmacist", "Community matron", "District nurse",
                                "Registered nurse", "Home manager", "Senior carer", "Physiotherapist", "Occupational therapist",
                                "Speech and language therapist", "Dietitian", "Mental health nurse", "Social worker", "Family member"]

    func attendeesPage(_ request: Request) throws -> Response {
        try renderAttendees(request, errors: FormErrors())
    }

    func renderAttendees(_ request: Request, errors: FormErrors, status: Int = 200) throws -> Response {
        let round = try round(request)
        let attendees = try store.attendees(round: round.id)
        let rows = attendees.map { item -> [HTML] in
            [HTML(text: item.attendee.name), HTML(text: item.attendee.role), HTML(text: item.attendee.organisation),
             "\(Form.start(action: "/rounds/\(round.id)/attendees/\(item.id)/error", request: request))\(Form.submit("Remove (entered in error)", kind: "secondary"))\(Form.end)"]
        }
        let form = request.method == .post ? request.form : FormData()
        let body: HTML = """
        \(UI.table(caption: "Attendees", headerCells: ["Name", "Role", "Organisation", UI.visuallyHidden("Remove")], rows: rows, emptyMessage: "No attendees recorded yet."))\
        \(UI.section("Add an attendee", """
        \(Form.errorSummary(errors))\(Form.start(action: "/rounds/\(round.id)/attendees", request: request))\
        \(Form.input("name", label: "Name", value: form["name"] ?? (attendees.isEmpty ? request.principal.displayName : nil), errors: errors, required: true))\
        \(RoundApp.suggesting(Form.input("role", label: "Role", value: form["role"], errors: errors, hint: "For example GP, clinical pharmacist, registered nurse", required: true), listID: "attendee-roles", options: RoundApp.attendeeRoles))\
        \(Form.input("organisation", label: "Organisation", value: form["organisation"], errors: errors, hint: "For example the GP practice, the PCN, the home", required: true))\
        \(Form.submit("Add the attendee"))\(Form.end)
        """))
        <p>\(UI.link("Back to the agenda", to: round.path))</p>
        """
        return .page(Page(title: "Attendees: \(round.title)", breadcrumbs: [RoundApp.roundsCrumb, (round.title, round.path)], body: body), status: status)
    }

    func addAttendee(_ request: Request) throws -> Response {
        let round = try round(request)
        var errors = FormErrors()
        let name = request.form["name"] ?? "", role = request.form["role"] ?? "", organisation = request.form["organisation"] ?? ""
        if name.isEmpty { errors.add("name", "Enter the attendee's name") }
        if role.isEmpty { errors.add("role", "Enter their role") }
        if organisation.isEmpty { errors.add("organisation", "Enter their organisation") }
        for (field, value) in [("name", name), ("role", role), ("organisation", organisation)] where value.count > 120 {
            errors.add(field, "Shorten this to 120 characters or fewer")
        }
        guard errors.isEmpty else { return try renderAttendees(request, errors: errors, status: 422) }
        try store.addAttendee(round: round.id, Attendee(name: name, role: role, organisation: organisation), by: request.principal, at: now())
        return .redirect(to: "/rounds/\(round.id)/attendees", flash: "\(name) added")
    }

    func attendeeError(_ request: Request) throws -> Response {
        let round = try round(request)
        try store.attendeeEnteredInError(round: round.id, attendee: try request.id("attendeeID"))
        return .redirect(to: "/rounds/\(round.id)/attendees", flash: "Attendee removed")
    }

    // MARK: Close

    func closePage(_ request: Request) throws -> Response {
        try renderClose(request, errors: FormErrors())
    }

    func renderClose(_ request: Request, errors: FormErrors, status: Int = 200) throws -> Response {
        let round = try round(request)
        guard !round.isClosed else { return .redirect(to: "/rounds/\(round.id)/sheet", flash: "This round is already closed") }
        let view = try agendaView(round)
        let entries = try store.entries(round: round.id)
        let attendees = try store.attendees(round: round.id)
        let missing = view.rows.filter { (entries[$0.residentID]?.entry.outcome ?? .notRecorded) == .notRecorded }
        var body: HTML = Form.errorSummary(errors)
        body += UI.summaryList([
            ("Attendees", attendees.isEmpty ? "None: \(UI.link("add the attendees", to: "/rounds/\(round.id)/attendees")) before closing" : HTML(text: attendees.map(\.attendee.line).joined(separator: "; "))),
            ("Recorded", HTML(text: "\(view.rows.count - missing.count) of \(view.rows.count) residents on the agenda")),
        ])
        if !missing.isEmpty {
            let items = missing.map { row -> HTML in "<li>\(UI.link(row.label, to: "/rounds/\(round.id)/residents/\(row.residentID)"))</li>" }
            body += UI.banner(.warning, title: "\(missing.count) \(missing.count == 1 ? "resident has" : "residents have") no outcome recorded.",
                              "<p>They will show as not discussed on the round sheet, and their concerns stay open for the next round.</p><ul>\(items)</ul>")
        }
        body += """
        <p>Closing freezes the agenda and its reasons. Entries and actions can still be amended afterwards; every version is kept.</p>\
        \(Form.start(action: "/rounds/\(round.id)/close", request: request))<div class="field"><span id="\(Form.fieldID("attendees"))"></span></div>\
        \(Form.submit("Close the round"))\(Form.end)
        """
        return .page(Page(title: "Close the \(Wording.midSentence(round.title))", breadcrumbs: [RoundApp.roundsCrumb, (round.title, round.path)], body: body), status: status)
    }

    func closeRound(_ request: Request) throws -> Response {
        let round = try round(request)
        guard !round.isClosed else { throw CareError.conflict("This round has already been closed.") }
        guard !(try store.attendees(round: round.id)).isEmpty else {
            var errors = FormErrors()
            errors.add("attendees", "Add at least one attendee before closing the round")
            return try renderClose(request, errors: errors, status: 422)
        }
        let view = try agendaView(round)
        let entries = try store.entries(round: round.id)
        var agenda = view.rows.map { row in
            (residentID: row.residentID, position: row.position, score: row.score,
             reasons: row.reasonLines.map { $0.replacingAll("\r", with: " ").replacingAll("\n", with: " ") })
        }
        // Residents seen at the round without an agenda reason (opened directly) go at the end.
        let onAgenda = Set(agenda.map(\.residentID))
        for (residentID, entry) in entries.sorted(by: { $0.key < $1.key }) where !onAgenda.contains(residentID) && entry.entry.outcome != .notRecorded {
            agenda.append((residentID, agenda.count + 1, 0, ["Seen at the round without an agenda reason"]))
        }
        let reviewed = Set(entries.filter { $0.value.entry.outcome == .reviewed }.map(\.key))
        try store.closeRound(round, agenda: agenda, reviewed: reviewed, by: request.principal, at: now())
        context.audit.record(request, .amend, residentID: nil, detail: "closed round \(round.id)")
        context.log.info("home-round.closed", ["round.id": String(round.id), "agenda.count": String(agenda.count), "reviewed.count": String(reviewed.count)])
        return .redirect(to: "/rounds/\(round.id)/sheet", flash: "Round closed")
    }

    // MARK: The round sheet (print)

    func sheetPage(_ request: Request) throws -> Response {
        let round = try round(request)
        let profile = homeProfile()
        let view = try agendaView(round)
        let entries = try store.entries(round: round.id)
        let actions = Dictionary(grouping: try store.actions(round: round.id).filter { !$0.enteredInError }, by: \.residentID)
        let attendees = try store.attendees(round: round.id)
        let directory = try directory()
        context.audit.record(request, .print, residentID: nil, detail: "round \(round.id) sheet")

        var body: HTML = ""
        if !round.isClosed { body += UI.banner(.warning, title: "This round is still open: the sheet is a draft.") }
        body += """
        <div class="round-sheet"><p class="round-sheet-home">\(profile.name.isEmpty ? "Home round" : profile.name): EHCH weekly home round, \(round.day.display)</p>\
        \(UI.summaryList([("Attendees", HTML(text: attendees.isEmpty ? "None recorded" : attendees.map(\.attendee.line).joined(separator: "; "))),
                          ("Residents", HTML(text: "\(view.rows.count) on the agenda; \(entries.values.filter { $0.entry.outcome == .reviewed }.count) reviewed; \(entries.values.filter { $0.entry.outcome == .notSeen }.count) not seen")),
                          ("Closed", HTML(text: round.closedAt.map { "\(HomeTime.display($0)) by \(round.closedByName ?? "")" } ?? "Not yet"))]))
        """
        for row in view.rows {
            let resident = try directory.resident(id: row.residentID)
            let entry = entries[row.residentID]
            var details: [(key: String, value: HTML)] = []
            if let resident {
                var id = "Room \(resident.room); NHS \(resident.nhsNumberDisplay)"
                if let dob = resident.dateOfBirth { id += "; born \(dob.displayShort)" }
                details.append(("Resident", HTML(text: id)))
                details.append(("ReSPECT", HTML(text: resident.advanceCarePlan.summary)))
            }
            details.append(("Why", "<ul class=\"round-reasons\">\(row.reasonLines.map { line -> HTML in "<li>\(line)</li>" })</ul>"))
            let e = entry?.entry ?? RoundEntry()
            details.append(("Outcome", HTML(text: e.outcome == .notSeen ? "Not seen: \(e.notSeenReason)" : e.outcome == .notRecorded ? "Not discussed" : "Reviewed")))
            if !e.findings.isEmpty { details.append(("Findings", "<span class=\"round-text\">\(e.findings)</span>")) }
            if !e.ehchItems.isEmpty { details.append(("EHCH", HTML(text: e.ehchItems.joined(separator: "; ")))) }
            if e.advanceCarePlanDiscussed { details.append(("Advance care plan", HTML(text: "Discussed. \(e.advanceCarePlanNotes)"))) }
            if !e.referrals.isEmpty { details.append(("Referrals", HTML(text: e.referralList.map(\.title).joined(separator: "; ")))) }
            if e.medicinesChanged { details.append(("Medicines changed", HTML(text: e.medicinesNotes))) }
            if e.familyToBeInformed { details.append(("Family to be informed", HTML(text: e.familyNotes.isEmpty ? "Yes" : e.familyNotes))) }
            details.append(("GP record updated", HTML(text: e.gpRecordUpdated ? "Yes" : "No")))
            let list = (actions[row.residentID] ?? []).map { action -> HTML in "<li>\(action.line.line)</li>" }
            if !list.isEmpty { details.append(("Actions", "<ul>\(list)</ul>")) }
            let link: HTML = entry == nil ? .empty : " <span class=\"no-print\">\(UI.link("GP summary", to: "/rounds/\(round.id)/residents/\(row.residentID)/summary"))</span>"
            body += "<section class=\"round-sheet-resident\"><h2>\(row.position). \(row.label)\(link)</h2>\(UI.summaryList(details))</section>"
        }
        body += "<p class=\"no-print\">Use the browser's Print command to print this sheet (the navigation is left off the printout).</p></div>"
        return .page(Page(title: "Round sheet: \(round.day.display)", breadcrumbs: [RoundApp.roundsCrumb, (round.title, round.path)], body: body))
    }

    // MARK: GP summary

    func gpSummary(_ request: Request) throws -> (round: Round, resident: ResidentSummary, summary: GPSummary) {
        let round = try round(request)
        let residentID = try request.id("residentID")
        let resident = try resident(residentID)
        let stored = try store.entry(round: round.id, resident: residentID)
        let view = try agendaView(round)
        let reasons = view.rows.first { $0.residentID == residentID }?.reasonLines ?? []
        let actions = try store.actions(round: round.id, resident: residentID).filter { !$0.enteredInError }.map(\.line)
        let summary = GPSummary(homeName: homeProfile().name, roundDay: round.day, resident: resident,
                                attendees: try store.attendees(round: round.id).map(\.attendee), reasons: reasons,
                                entry: stored.entry, actions: actions, recordedBy: stored.savedLine)
        return (round, resident, summary)
    }

    func summaryPage(_ request: Request) throws -> Response {
        let (round, resident, summary) = try gpSummary(request)
        context.audit.record(request, .export, residentID: resident.id, detail: "round \(round.id) GP summary viewed")
        let text = summary.text
        let lines = text.split(whereSeparator: \.isNewline).count
        let body: HTML = """
        <p>Select all the text in the box, copy it and paste it into the consultation in EMIS or SystmOne.</p>\
        <div class="field"><label for="gp-summary">Summary for the GP record</label>\
        <textarea id="gp-summary" class="round-summary" readonly rows="\(min(40, lines + 2))">\(text)</textarea></div>\
        <p class="button-group">\(UI.buttonLink("Download as a text file", to: "/rounds/\(round.id)/residents/\(resident.id)/summary.txt", kind: "secondary")) \
        \(UI.link("Back to \(resident.label)", to: "/rounds/\(round.id)/residents/\(resident.id)"))</p>
        """
        return .page(Page(title: "GP summary: \(resident.label)", breadcrumbs: [RoundApp.roundsCrumb, (round.title, round.path)], body: body))
    }

    func summaryText(_ request: Request) throws -> Response {
        let (round, resident, summary) = try gpSummary(request)
        context.audit.record(request, .export, residentID: resident.id, detail: "round \(round.id) GP summary downloaded")
        var response = Response.text(summary.text)
        response.headers["Cache-Control"] = "no-store"
        response.headers["Content-Disposition"] = "attachment; filename=\"round-\(round.day.iso)-resident-\(resident.id).txt\""
        return response
    }
}
