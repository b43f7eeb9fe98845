import CareKit
import CareServices
import Foundation

/// The plugin's pages and handlers. A value: every handler captures it.
struct RoundApp: Sendable {
    let context: PluginContext
    let store: RoundStore
    let now: @Sendable () -> Date

    init(context: PluginContext, now: @escaping @Sendable () -> Date) {
        self.context = context
        self.store = RoundStore(database: context.database)
        self.now = now
    }

    var today: Day { HomeTime.today(now()) }

    var routes: [Route] {
        let runners = HomeRoundPlugin.runners
        return [
            Route(.get, "/rounds", roles: runners, handler: roundsList),
            Route(.get, "/rounds/new", roles: HomeRoundPlugin.openers, handler: newRoundForm),
            Route(.post, "/rounds/new", roles: HomeRoundPlugin.openers, handler: openRound),
            Route(.get, "/rounds/actions", roles: Role.careTeam, handler: actionsList),
            Route(.get, "/rounds/actions/:actionID", roles: Role.careTeam, handler: actionPage),
            Route(.post, "/rounds/actions/:actionID/done", roles: Role.careTeam, handler: markActionDone),
            Route(.post, "/rounds/actions/:actionID/error", roles: runners, handler: markActionError),
            Route(.post, "/rounds/actions/:actionID/owner", roles: runners, handler: reassignAction),
            Route(.get, "/rounds/figures", roles: runners, handler: figuresPage),
            Route(.get, "/rounds/concerns/new", roles: Role.careTeam, handler: concernForm),
            Route(.post, "/rounds/concerns", roles: Role.careTeam, handler: raiseConcern),
            Route(.get, "/rounds/:id", roles: runners, handler: agendaPage),
            Route(.post, "/rounds/:id/agenda", roles: runners, handler: changeAgenda),
            Route(.get, "/rounds/:id/attendees", roles: runners, handler: attendeesPage),
            Route(.post, "/rounds/:id/attendees", roles: runners, handler: addAttendee),
            Route(.post, "/rounds/:id/attendees/:attendeeID/error", roles: runners, handler: attendeeError),
            Route(.get, "/rounds/:id/close", roles: runners, handler: closePage),
            Route(.post, "/rounds/:id/close", roles: runners, handler: closeRound),
            Route(.get, "/rounds/:id/sheet", roles: runners, handler: sheetPage),
            Route(.get, "/rounds/:id/residents/:residentID", roles: runners, handler: residentPage),
            Route(.post, "/rounds/:id/residents/:residentID", roles: runners, handler: saveEntry),
            Route(.post, "/rounds/:id/residents/:residentID/actions", roles: runners, handler: addAction),
            Route(.get, "/rounds/:id/residents/:residentID/summary", roles: runners, handler: summaryPage),
            Route(.get, "/rounds/:id/residents/:residentID/summary.txt", roles: runners, handler: summaryText),
        ]
    }

    // MARK: Shared look-ups

    func directory() throws -> any ResidentDirectory {
        try context.services.require(Services.residentDirectory, orSay: "The resident registry is not available.")
    }

    func resident(_ id: Int64) throws -> ResidentSummary {
        guard let resident = try directory().resident(id: id) else { throw CareError.notFound("There is no such resident.") }
        return resident
    }

    /// The home's profile; an empty one when the registry cannot give it.
    func homeProfile() -> HomeProfile {
        guard let provider = context.services.resolve(Services.homeProfile) else { return HomeProfile(name: "", roundDay: nil) }
        do { return try provider.profile() } catch {
            context.log.warning("home-round.profile-failed", ["error": String(describing: error)])
            return HomeProfile(name: "", roundDay: nil)
        }
    }

    func round(_ request: Request) throws -> Round { try store.round(request.id("id")) }

    static let roundsCrumb: (title: String, path: String) = ("Home round", "/rounds")

    // MARK: The agenda of a round, open or closed

    struct AgendaRow: Sendable {
        var residentID: Int64
        var position: Int
        var score: Int
        var label: String
        var present: Bool
        /// Live reasons (open round); nil when the round is closed and its reasons were frozen.
        var reasons: [AgendaReason]?
        var reasonLines: [String]
    }

    struct AgendaView: Sendable {
        var rows: [AgendaRow]
        var removed: [(label: String, residentID: Int64, change: AgendaChange)]
        var missingSources: [String]
    }

    /// The agenda: built live while the round is open, as frozen when it closed.
    func agendaView(_ round: Round) throws -> AgendaView {
        if round.isClosed {
            let items = try store.finalAgenda(round: round.id)
            let residents = try directory().residents(ids: Set(items.map(\.residentID)))
            let rows = items.map { item -> AgendaRow in
                let resident = residents[item.residentID]
                return AgendaRow(residentID: item.residentID, position: item.position, score: item.score,
                                 label: resident?.label ?? "Resident \(item.residentID)", present: true, reasons: nil, reasonLines: item.reasons)
            }
            return AgendaView(rows: rows, removed: [], missingSources: [])
        }
        let agenda = try AgendaBuilder(context: context, store: store).build(for: round, today: today)
        let rows = agenda.items.map { item in
            AgendaRow(residentID: item.candidate.residentID, position: item.position, score: item.score, label: item.candidate.label,
                      present: item.candidate.present, reasons: item.candidate.reasons, reasonLines: item.candidate.reasons.map(\.line))
        }
        return AgendaView(rows: rows, removed: agenda.removed.map { ($0.candidate.label, $0.candidate.residentID, $0.change) },
                          missingSources: agenda.missingSources)
    }

    /// Reasons as a list, each with its rule id and source when known.
    func reasonsHTML(_ row: AgendaRow, withSources: Bool) -> HTML {
        if let reasons = row.reasons {
            let items = reasons.map { reason -> HTML in
                let source: HTML = withSources ? UI.ruleReason(reason.signal.reason, ruleID: reason.signal.ruleID, source: reason.signal.source) : .empty
                return "<li><strong>\(reason.signal.title)</strong>\(reason.detail.isEmpty ? "" : ": \(reason.detail)")\(source)</li>"
            }
            return "<ul class=\"round-reasons\">\(items)</ul>"
        }
        return "<ul class=\"round-reasons\">\(row.reasonLines.map { line -> HTML in "<li>\(line)</li>" })</ul>"
    }

    /// Owners offered in the action form: attendees, the user, earlier owners.
    func ownerSuggestions(round: Int64, principal: Principal) throws -> [String] {
        var names = [principal.displayName]
        names += try store.attendees(round: round).map(\.attendee.name)
        names += try store.actions().map(\.ownerName)
        var seen = Set<String>()
        return names.filter { !$0.isEmpty && seen.insert($0.lowercased()).inserted }
    }

    /// A text input that offers suggestions from a `<datalist>` (names, roles) while still taking
    /// anything typed. `listID` is a constant of this plugin, never user text.
    static func suggesting(_ input: HTML, listID: StaticString, options: [String]) -> HTML {
        let id = "\(listID)"
        let withList = HTML(trusted: input.rendered.replacingAll("<input type=\"text\"", with: "<input list=\"\(id)\" type=\"text\""))
        return withList + "<datalist id=\"\(id)\">\(options.map { option -> HTML in "<option value=\"\(option)\">" })</datalist>"
    }

    /// The outcome tag of an entry.
    func outcomeTag(_ entry: StoredEntry?) -> HTML {
        switch entry?.entry.outcome ?? .notRecorded {
        case .reviewed: UI.tag("Reviewed", colour: "green")
        case .notSeen: UI.tag("Not seen", colour: "orange")
        case .notRecorded: UI.tag("To do", colour: "grey")
        }
    }
}
