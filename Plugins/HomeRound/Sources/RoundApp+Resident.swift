import CareKit
import CareServices
import Foundation

/// What the one-resident screen shows besides the stored entry (after a failed or refused save).
struct ResidentScreenState {
    /// The values to show in the entry form instead of the stored ones.
    var entry: RoundEntry?
    /// The version the form is based on.
    var version: Int?
    var errors = FormErrors()
    /// The version someone else saved while this user was editing.
    var conflict: StoredEntry?
    var actionErrors = FormErrors()
    var actionForm = FormData()
}

extension RoundApp {
    /// Work given to whoever holds a role (the nurse in charge on the day), not to one person.
    static let roleOwners: [(role: Role, name: String)] = [
        (.nurse, "Nurse in charge (whoever is on shift)"), (.carer, "Care team (any carer)"), (.manager, "The home's manager"),
        (.clinician, "Visiting clinician (GP, pharmacist, MDT)"),
    ]

    static let ownerTeams: [(value: String, label: String)] = [
        (Role.clinician.rawValue, "Visiting clinician (GP, pharmacist, MDT)"), (Role.nurse.rawValue, "Nurse"),
        (Role.manager.rawValue, "Manager"), (Role.carer.rawValue, "Care team"),
    ]

    func residentPage(_ request: Request) throws -> Response {
        try renderResident(request, state: ResidentScreenState())
    }

    func renderResident(_ request: Request, state: ResidentScreenState, status: Int = 200) throws -> Response {
        let round = try round(request)
        let residentID = try request.id("residentID")
        let resident = try resident(residentID)
        let view = try agendaView(round)
        let index = view.rows.firstIndex { $0.residentID == residentID }
        let stored = try store.entry(round: round.id, resident: residentID)
        context.audit.record(request, .view, residentID: residentID, detail: "round \(round.id) resident screen")

        var body: HTML = ""
        // Where we are in the agenda.
        var nav: [HTML] = [UI.link("Agenda", to: round.path)]
        if let index {
            if index > 0 { nav.append(UI.link("Previous: \(view.rows[index - 1].label)", to: "/rounds/\(round.id)/residents/\(view.rows[index - 1].residentID)")) }
            if index + 1 < view.rows.count { nav.append(UI.link("Next: \(view.rows[index + 1].label)", to: "/rounds/\(round.id)/residents/\(view.rows[index + 1].residentID)")) }
        }
        body += "<nav class=\"round-pager\" aria-label=\"Agenda\"><ul>\(nav.map { item -> HTML in "<li>\(item)</li>" })</ul></nav>"
        if let index { body += "<p class=\"lead\">\(view.rows[index].position) of \(view.rows.count) on the agenda.</p>" }
        if round.isClosed { body += UI.banner(.info, title: "This round is closed: saving here records an amendment, and every version is kept.") }

        // The form comes first, where the GP reaches it at once; the resident's context stands beside it
        // on a wide screen and below it on a narrow one, one tap away through the link at the top.
        body += "<p class=\"round-jump\"><a href=\"#round-context\">Their context, below the form: why on the agenda, ReSPECT, allergies, falls, prompts</a></p>"
        body += "<div class=\"round-screen\"><div class=\"round-work\">"
        body += UI.section("This round", try entryForm(request, round: round, resident: resident, stored: stored, state: state))
        // Actions of this round.
        let actions = try store.actions(round: round.id, resident: residentID)
        body += UI.section("Actions agreed for \(resident.preferredName.isEmpty ? resident.fullName : resident.preferredName)",
                           actionsTable(actions, caption: "Actions from this round", showResident: false, request: request) +
                           (try actionForm(request, round: round, residentID: residentID, state: state)))
        if stored.entry.outcome != .notRecorded {
            body += "<p>\(UI.buttonLink("GP summary to paste into EMIS / SystmOne", to: "/rounds/\(round.id)/residents/\(residentID)/summary", kind: "secondary"))</p>"
        }
        body += "</div>"

        body += "<div class=\"round-context\" id=\"round-context\" tabindex=\"-1\">"
        // Who.
        var who: [(key: String, value: HTML)] = [("Room", HTML(text: resident.room)), ("NHS number", HTML(text: resident.nhsNumberDisplay))]
        if let dob = resident.dateOfBirth { who.append(("Born", HTML(text: "\(dob.displayShort) (age \(dob.age(on: today)))"))) }
        who.append(("Allergies", HTML(text: resident.allergies)))
        who.append(("Dementia", HTML(text: resident.dementia.title)))
        who.append(("Where", HTML(text: resident.status.title)))
        body += UI.section("Who", UI.summaryList(who))
        // Why on the agenda.
        if let index {
            body += UI.section("Why on the agenda", reasonsHTML(view.rows[index], withSources: true))
        } else {
            body += UI.section("Why on the agenda", "<p>Not on this round's agenda. \(round.isClosed ? "" : "Add them from the \(UI.link("agenda page", to: round.path)) with a reason.")</p>")
        }
        // ReSPECT headline.
        let acp = resident.advanceCarePlan
        body += UI.section("ReSPECT / advance care plan", acp.exists ? "<p class=\"round-acp\">\(acp.summary)</p>"
                           : UI.banner(.warning, title: acp.summary, "<p>Consider a ReSPECT or advance care plan conversation.</p>"))
        // 7-day clock.
        body += UI.section("7-working-day admission clock", try clockHTML(residentID))
        // Falls and prompts.
        body += UI.section("Recent falls (last 30 days)", fallsHTML(residentID))
        body += UI.section("Open medication review prompts", promptsHTML(residentID))
        // Last round.
        body += UI.section("Last round they were discussed", try lastRoundHTML(residentID, before: round.day))
        let earlier = try store.actions(resident: residentID, outstandingOnly: true).filter { $0.roundID != round.id }
        body += UI.section("Open actions from earlier rounds", actionsTable(earlier, caption: "Open actions", showResident: false, request: request))
        body += "<p class=\"round-jump\"><a href=\"#entry\">Back to this round's form</a></p>"
        body += "</div></div>"

        let versions = try store.entryVersions(round: round.id, resident: residentID)
        if versions.count > 1 {
            let rows = versions.map { version -> [HTML] in
                [HTML(text: version.kind == "conflict" ? "Not saved (someone saved first): kept" : "Version \(version.version)"),
                 HTML(text: version.savedLine), HTML(text: version.entry.outcome.title), HTML(text: version.entry.findings)]
            }
            body += "<details class=\"round-history\"><summary>History of this entry (\(versions.count) versions)</summary>\(UI.table(caption: "Every version saved", headers: ["Version", "Saved by", "Outcome", "Findings"], rows: rows))</details>"
        }
        return .page(Page(title: resident.label, breadcrumbs: [RoundApp.roundsCrumb, (round.title, round.path)], body: body), status: status)
    }

    func clockHTML(_ residentID: Int64) throws -> HTML {
        guard let clock = try directory().admissionClock(residentID: residentID, today: today) else {
            return "<p>No admission recorded.</p>"
        }
        let what = clock.isReadmission ? "Re-admitted" : "Admitted"
        let state: HTML = clock.isOpen ? (today > clock.deadline ? UI.tag("Overdue", colour: "red") : UI.tag("Open", colour: "yellow")) : UI.tag("Complete", colour: "green")
        return """
        <p>\(what) \(clock.startedOn.display); deadline \(clock.deadline.display) \(state)</p>\
        \(UI.summaryList([("Comprehensive assessment", HTML(text: clock.assessment.summary)), ("Care and support plan", HTML(text: clock.carePlan.summary)),
                          ("Structured medication review flag", HTML(text: clock.medicationReviewFlag.summary))]))
        """
    }

    func fallsHTML(_ residentID: Int64) -> HTML {
        guard let falls = context.services.resolve(Services.falls) else { return "<p class=\"hint\">The falls log is not loaded.</p>" }
        do {
            let list = try falls.falls(residentID: residentID, since: HomeTime.startOf(today.adding(days: -30)))
            guard !list.isEmpty else { return "<p>No falls in the last 30 days.</p>" }
            let items = list.map { fall -> HTML in
                var tags: HTML = ""
                if fall.headStrike == true { tags += " \(UI.tag("Head strike", colour: "red"))" }
                if fall.injured { tags += " \(UI.tag("Injured", colour: "orange"))" }
                return "<li>\(UI.link(HomeTime.display(fall.occurredAt), to: fall.path)): \(fall.summary)\(tags)</li>"
            }
            return "<ul>\(items)</ul>"
        } catch {
            context.log.warning("home-round.falls-failed", ["resident.id": String(residentID), "error": String(describing: error)])
            return "<p class=\"hint\">The falls log could not be read just now.</p>"
        }
    }

    func promptsHTML(_ residentID: Int64) -> HTML {
        guard let source = context.services.resolve(Services.medicationPrompts) else { return "<p class=\"hint\">The medication review plugin is not loaded.</p>" }
        do {
            let prompts = try source.openPrompts(residentID: residentID)
            guard !prompts.isEmpty else { return "<p>No open prompts.</p>" }
            let items = prompts.map { prompt -> HTML in
                let colour = prompt.severity == .high ? "red" : prompt.severity == .moderate ? "orange" : "grey"
                return "<li>\(UI.tag(prompt.severity.title, colour: colour)) <strong>\(prompt.title)</strong>: \(prompt.reason)\(UI.why(ruleID: prompt.ruleID, source: "the medication review rules page"))</li>"
            }
            return "<ul>\(items)</ul>"
        } catch {
            context.log.warning("home-round.prompts-failed", ["resident.id": String(residentID), "error": String(describing: error)])
            return "<p class=\"hint\">Medication prompts could not be read just now.</p>"
        }
    }

    func lastRoundHTML(_ residentID: Int64, before day: Day) throws -> HTML {
        guard let (round, previous) = try store.previousEntry(resident: residentID, before: day) else {
            return "<p>Not seen at an earlier round.</p>"
        }
        var rows: [(key: String, value: HTML)] = [("Round", UI.link(round.day.display, to: "/rounds/\(round.id)/residents/\(residentID)")),
                                                  ("Outcome", HTML(text: previous.entry.outcome == .notSeen ? "Not seen: \(previous.entry.notSeenReason)" : previous.entry.outcome.title))]
        if !previous.entry.findings.isEmpty { rows.append(("Findings", "<span class=\"round-text\">\(previous.entry.findings)</span>")) }
        if !previous.entry.referrals.isEmpty { rows.append(("Referrals", HTML(text: previous.entry.referralList.map(\.title).joined(separator: "; ")))) }
        if previous.entry.medicinesChanged { rows.append(("Medicines changed", HTML(text: previous.entry.medicinesNotes))) }
        return UI.summaryList(rows)
    }

    func entryForm(_ request: Request, round: Round, resident: ResidentSummary, stored: StoredEntry, state: ResidentScreenState) throws -> HTML {
        let entry = state.entry ?? stored.entry
        let version = state.version ?? stored.version
        let errors = state.errors
        var html: HTML = ""
        if let conflict = state.conflict {
            html += UI.banner(.warning, title: "\(conflict.savedByName) saved this entry while you were editing it, so your changes were not saved over theirs.", """
            <p>Both versions are kept. Their version (saved \(conflict.savedAt.map(HomeTime.display) ?? "")) is shown below; your version is in the form. \
            Combine them in the form and save again, and yours becomes the new version.</p>\(entrySummary(conflict.entry))
            """)
        }
        html += Form.errorSummary(errors)
        if stored.version > 0 { html += "<p class=\"hint\">Last saved by \(stored.savedLine) (version \(stored.version)).</p>" }
        html += Form.start(action: "/rounds/\(round.id)/residents/\(resident.id)", request: request, id: "entry")
        html += "<input type=\"hidden\" name=\"version\" value=\"\(version)\">"
        html += Form.radios("outcome", legend: "Outcome", options: [(RoundEntry.Outcome.reviewed.rawValue, "Reviewed"), (RoundEntry.Outcome.notSeen.rawValue, "Not seen")],
                            selected: entry.outcome == .notRecorded ? nil : entry.outcome.rawValue, errors: errors, inline: true)
        html += Form.textarea("findings", label: "Findings", value: entry.findings, errors: errors, rows: 6)
        html += Form.input("not_seen_reason", label: "If not seen, why", value: entry.notSeenReason, errors: errors, hint: "For example: asleep, in hospital, declined, out with family")
        let clockOpen = (try? directory().admissionClock(residentID: resident.id, today: today))??.isOpen ?? false
        if clockOpen || !entry.ehchItems.isEmpty {
            html += """
            <fieldset class="field"><legend>EHCH items due after admission</legend>\
            <p class="hint">Ticked here, they go in the round's notes and the GP summary, and on the \
            \(UI.link("resident's 7-day clock", to: "\(resident.path)/clock")) as done today, by you \
            (the assessment as all five domains). Add the plan's review date there.</p>\
            \(Form.checkbox("assessment_done", label: "Comprehensive assessment completed", checked: entry.assessmentDone))\
            \(Form.checkbox("care_plan_done", label: "Personalised care and support plan agreed", checked: entry.carePlanDone))\
            \(Form.checkbox("smr_flagged", label: "Prioritised for a structured medication review", checked: entry.medicationReviewFlagged))</fieldset>
            """
        }
        html += Form.checkbox("acp_discussed", label: "Advance care plan / ReSPECT discussed", checked: entry.advanceCarePlanDiscussed)
        html += Form.input("acp_notes", label: "Advance care plan notes", value: entry.advanceCarePlanNotes, errors: errors)
        html += "<div class=\"round-referrals\">\(Form.checkboxes("referrals", legend: "Referrals", options: Referral.allCases.map { ($0.rawValue, $0.title) }, selected: Set(entry.referrals.map(\.rawValue)), errors: errors))</div>"
        html += Form.checkbox("medicines_changed", label: "Medicines changed", checked: entry.medicinesChanged)
        html += Form.input("medicines_notes", label: "Which medicines, and how", value: entry.medicinesNotes, errors: errors)
        html += Form.checkbox("family_to_inform", label: "Family to be informed", checked: entry.familyToBeInformed)
        html += Form.input("family_notes", label: "What to tell the family, and who will", value: entry.familyNotes, errors: errors)
        html += Form.checkbox("gp_record_updated", label: "GP record updated", checked: entry.gpRecordUpdated)
        html += "<p class=\"button-group\">\(Form.submit("Save")) \(Form.submit("Save and go to the next resident", kind: "secondary", name: "then", value: "next"))</p>"
        html += Form.end
        return html
    }

    /// A read-only view of an entry (the other person's version in a conflict).
    func entrySummary(_ entry: RoundEntry) -> HTML {
        var rows: [(key: String, value: HTML)] = [("Outcome", HTML(text: entry.outcome == .notSeen ? "Not seen: \(entry.notSeenReason)" : entry.outcome.title))]
        rows.append(("Findings", "<span class=\"round-text\">\(entry.findings)</span>"))
        if !entry.ehchItems.isEmpty { rows.append(("EHCH", HTML(text: entry.ehchItems.joined(separator: "; ")))) }
        if entry.advanceCarePlanDiscussed { rows.append(("Advance care plan", HTML(text: "Discussed. \(entry.advanceCarePlanNotes)"))) }
        if !entry.referrals.isEmpty { rows.append(("Referrals", HTML(text: entry.referralList.map(\.title).joined(separator: "; ")))) }
        if entry.medicinesChanged { rows.append(("Medicines changed", HTML(text: entry.medicinesNotes))) }
        if entry.familyToBeInformed { rows.append(("Family to be informed", HTML(text: entry.familyNotes))) }
        if entry.gpRecordUpdated { rows.append(("GP record", "Updated")) }
        return UI.summaryList(rows)
    }

    func saveEntry(_ request: Request) throws -> Response { try saveScreen(request, addingAction: false) }

    func addAction(_ request: Request) throws -> Response { try saveScreen(request, addingAction: true) }

    /// One save for the whole resident screen: the entry (when its fields were sent) and an action
    /// (when one was typed, or "Add the action" was pressed). Either both are checked and saved, or
    /// the screen comes back with both as typed and the reasons.
    private func saveScreen(_ request: Request, addingAction: Bool) throws -> Response {
        let round = try round(request)
        let residentID = try request.id("residentID")
        let resident = try resident(residentID)
        let form = request.form
        // The entry's part: present when the screen's form was sent (a bare action post has no version).
        var entryPart: (entry: RoundEntry, basedOn: Int)?
        var entryErrors = FormErrors()
        if form["version"] != nil {
            let (entry, errors) = RoundEntry.parse(form)
            guard let basedOn = form["version"].flatMap({ Int($0) }), basedOn >= 0 else {
                throw CareError.badRequest("The form was incomplete. Reload the page and enter it again.")
            }
            entryPart = (entry, basedOn)
            entryErrors = errors
        }
        // The action's part.
        let typedAction = !(form["description"] ?? "").trimmingWhitespace().isEmpty || !(form["owner"] ?? "").trimmingWhitespace().isEmpty
        var action: (description: String, owner: String, team: Role, due: Day)?
        var actionErrors = FormErrors()
        if addingAction || typedAction {
            let parsed = parseAction(form, round: round, errors: &actionErrors)
            action = parsed
        }
        guard entryErrors.isEmpty, actionErrors.isEmpty else {
            return try renderResident(request, state: ResidentScreenState(entry: entryPart?.entry, version: entryPart?.basedOn, errors: entryErrors,
                                                                          actionErrors: actionErrors, actionForm: form), status: 422)
        }
        var saved = false
        if let entryPart {
            let stored = try store.entry(round: round.id, resident: residentID)
            // "Add the action" saves the entry only when something in it changed.
            if !addingAction || entryPart.entry != stored.entry {
                switch try store.saveEntry(round: round.id, resident: residentID, entryPart.entry, basedOn: entryPart.basedOn, by: request.principal, at: now()) {
                case .saved(let version):
                    saved = true
                    context.audit.record(request, version == 1 ? .create : .amend, residentID: residentID, detail: "round \(round.id) entry version \(version)")
                    context.log.info("home-round.entry-saved", ["round.id": String(round.id), "resident.id": String(residentID), "version": String(version)])
                case .conflict(let current):
                    context.log.warning("home-round.entry-conflict", ["round.id": String(round.id), "resident.id": String(residentID)])
                    return try renderResident(request, state: ResidentScreenState(entry: entryPart.entry, version: current.version, conflict: current,
                                                                                  actionForm: form), status: 409)
                }
            }
        }
        if let action {
            try store.addAction(round: round.id, resident: residentID, description: action.description, ownerName: action.owner, ownerRole: action.team,
                                due: action.due, by: request.principal, at: now())
            context.audit.record(request, .create, residentID: residentID, detail: "round \(round.id) action")
        }
        if addingAction {
            return .redirect(to: "/rounds/\(round.id)/residents/\(residentID)#add-action", flash: saved ? "Action added and the entry saved" : "Action added")
        }
        let flash = action == nil ? "Saved" : "Saved, with the action"
        if form["then"] == "next" {
            let view = try agendaView(round)
            if let index = view.rows.firstIndex(where: { $0.residentID == residentID }), index + 1 < view.rows.count {
                return .redirect(to: "/rounds/\(round.id)/residents/\(view.rows[index + 1].residentID)", flash: "\(flash): \(resident.label)")
            }
            return .redirect(to: round.path, flash: "\(flash): \(resident.label). That was the last resident on the agenda")
        }
        return .redirect(to: "/rounds/\(round.id)/residents/\(residentID)", flash: flash)
    }

    // MARK: Actions on the resident screen

    func actionForm(_ request: Request, round: Round, residentID: Int64, state: ResidentScreenState) throws -> HTML {
        let form = state.actionForm
        let errors = state.actionErrors
        // The action's fields belong to the entry's form (HTML's `form` attribute), so "Add the action"
        // sends the findings typed above with it and "Save" sends a typed action: nothing typed on
        // this screen is lost whichever button is pressed.
        let ownerField = try ownerFields(form, errors: errors, round: round.id, principal: request.principal)
        let fields: HTML = """
        \(Form.input("description", label: "What needs doing", value: form["description"], errors: errors))\
        \(ownerField)\
        \(Form.input("due", label: "Due by", value: form["due"] ?? today.adding(days: 7).iso, errors: errors, type: "date"))
        """
        let owned = fields.rendered.replacingOccurrences(of: "<input ", with: "<input form=\"entry\" ")
            .replacingOccurrences(of: "<select ", with: "<select form=\"entry\" ")
        return """
        <div id="add-action"><h3>Add an action</h3>\(Form.errorSummary(errors))\(HTML(trusted: owned))\
        <button type="submit" class="button button-secondary" form="entry" formaction="/rounds/\(round.id)/residents/\(residentID)/actions">Add the action</button></div>
        """
    }

    /// Who will do an action: a person from the staff list (so it reaches their own list), a role, or
    /// someone without an account; a typed name where the staff list is not offered. The same fields
    /// when an action is agreed at the round and when it is given to someone else.
    func ownerFields(_ form: FormData, errors: FormErrors, round: Int64, principal: Principal, label: String = "Who will do it") throws -> HTML {
        if let staff = try? context.services.resolve(Services.staff)?.staff() {
            var options = staff.filter(\.active).map { ("user:\($0.userID)", UI.person($0.displayName, $0.role.title)) }
            options += RoundApp.roleOwners.map { ("role:\($0.role.rawValue)", $0.name) }
            options.append(("other", "Someone without an account here (type the name)"))
            return """
            \(Form.select("owner", label: label, options: options, selected: form["owner"], errors: errors, hint: "It goes on their own list and their dashboard"))\
            \(Form.input("owner_other", label: "If someone without an account: their name", value: form["owner_other"], errors: errors))\
            \(Form.select("owner_team", label: "If someone without an account: their team", options: RoundApp.ownerTeams, selected: form["owner_team"], errors: errors))
            """
        }
        let owners = try ownerSuggestions(round: round, principal: principal)
        return """
        \(RoundApp.suggesting(Form.input("owner", label: label, value: form["owner"], errors: errors, hint: "Their name as it appears when they log in, so it shows on their dashboard", autocomplete: "off"), listID: "round-owners", options: owners))\
        \(Form.select("owner_team", label: "Their team", options: RoundApp.ownerTeams, selected: form["owner_team"], errors: errors))
        """
    }

    /// The owner chosen with `ownerFields`, or nil with the reasons in `errors`.
    func parseOwner(_ form: FormData, errors: inout FormErrors) -> (owner: String, team: Role)? {
        let picked = (form["owner"] ?? "").trimmingWhitespace()
        var owner = picked
        var team = form["owner_team"].flatMap(Role.init(rawValue:))
        if picked.hasPrefix("user:") {
            // A member of staff: their own name and role, so the action reaches their list.
            let member = Int64(picked.dropFirst(5)).flatMap { id in (try? context.services.resolve(Services.staff)?.staff())?.first { $0.userID == id && $0.active } }
            if let member { owner = member.displayName; team = member.role } else { errors.add("owner", "That person can no longer sign in: choose someone else") }
        } else if picked.hasPrefix("role:") {
            let role = Role(rawValue: String(picked.dropFirst(5)))
            if let named = RoundApp.roleOwners.first(where: { $0.role == role }) { owner = named.name; team = named.role } else { errors.add("owner", "Choose who will do it") }
        } else if picked == "other" {
            owner = (form["owner_other"] ?? "").trimmingWhitespace()
            if owner.isEmpty { errors.add("owner_other", "Type the name of the person who will do it") }
        }
        if picked.isEmpty { errors.add("owner", "Say who will do it") } else if owner.count > 120 { errors.add("owner", "Shorten the name to 120 characters or fewer") }
        if team == nil || team == .admin { errors.add("owner_team", "Choose their team") }
        guard errors["owner"] == nil, errors["owner_other"] == nil, errors["owner_team"] == nil, let team else { return nil }
        return (owner, team)
    }

    /// The action typed on the resident screen, or nil with the reasons in `errors`.
    func parseAction(_ form: FormData, round: Round, errors: inout FormErrors) -> (description: String, owner: String, team: Role, due: Day)? {
        let description = (form["description"] ?? "").trimmingWhitespace()
        if description.isEmpty { errors.add("description", "Say what needs doing") } else if description.count > 500 { errors.add("description", "Shorten this to 500 characters or fewer") }
        let chosen = parseOwner(form, errors: &errors)
        let dueText = form["due"] ?? ""
        let due = Day(parsing: dueText)
        if due == nil { errors.add("due", dueText.isEmpty ? "Enter the date it is due by" : "Enter a real date, for example 30/11/2026") }
        else if let due, due < round.day { errors.add("due", "The due date cannot be before the round (\(round.day.display))") }
        guard errors.isEmpty, let due, let chosen else { return nil }
        return (description, chosen.owner, chosen.team, due)
    }
}
