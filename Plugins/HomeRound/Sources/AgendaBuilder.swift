import CareKit
import CareServices
import Foundation

/// A round's agenda as built from the signals of every loaded plugin.
struct Agenda: Sendable {
    /// In order, most urgent first.
    var items: [AgendaItem]
    /// Residents staff took off this round, with their reasons (they would otherwise be on it).
    var removed: [(candidate: AgendaCandidate, change: AgendaChange)]
    /// Sources that are missing (plugin not loaded or failing), in words for the page.
    var missingSources: [String]
    /// The window used.
    var window: AgendaWindow
    /// The residents, by id (every current resident).
    var residents: [Int64: ResidentSummary]
}

/// Gathers the signals for a round from the registry, the falls log, the medication prompts and
/// the plugin's own records, and orders them with `AgendaRules`.
struct AgendaBuilder {
    let context: PluginContext
    let store: RoundStore

    func window(for round: Round, today: Day) throws -> AgendaWindow {
        let last = try store.lastClosedRound(before: round.day)
        var reviewed = Set<Int64>()
        var notReviewed = [Int64: [String]]()
        if let last {
            reviewed = Set(try store.entries(round: last.id).filter { $0.value.entry.outcome == .reviewed }.map(\.key))
            for item in try store.finalAgenda(round: last.id) where !reviewed.contains(item.residentID) {
                notReviewed[item.residentID] = item.reasons
            }
        }
        return AgendaWindow(roundDay: round.day, asOf: max(today, round.day), lastRoundDay: last?.day,
                            lastRoundClosedAt: last?.closedAt, reviewedAtLastRound: reviewed, notReviewedAtLastRound: notReviewed)
    }

    func build(for round: Round, today: Day) throws -> Agenda {
        let directory = try context.services.require(Services.residentDirectory, orSay: "The resident registry is not available, so the agenda cannot be built.")
        let window = try window(for: round, today: today)
        var missing = [String]()
        let residents = try directory.currentResidents()

        var fallsByResident = [Int64: [Int64: FallSummary]]()
        for fall in try store.fallEvents(since: window.fallsSince) { fallsByResident[fall.residentID, default: [:]][fall.id] = fall }
        if let falls = context.services.resolve(Services.falls) {
            do {
                for fall in try falls.fallsOccurredOrRecorded(since: window.fallsSince) { fallsByResident[fall.residentID, default: [:]][fall.id] = fall }
            } catch {
                context.log.warning("home-round.agenda.falls-failed", ["error": String(describing: error)])
                missing.append("The falls log could not be read: falls are shown only as far as this plugin heard of them.")
            }
        } else {
            missing.append("The falls log is not loaded: falls recorded elsewhere are not on this agenda.")
        }

        var promptsByResident = [Int64: [ResidentPrompt]]()
        if let prompts = context.services.resolve(Services.medicationPrompts) {
            do {
                for prompt in try prompts.openPrompts() { promptsByResident[prompt.residentID, default: []].append(prompt) }
            } catch {
                context.log.warning("home-round.agenda.prompts-failed", ["error": String(describing: error)])
                missing.append("Medication review prompts could not be read.")
            }
        } else {
            missing.append("The medication review plugin is not loaded: medication prompts are not on this agenda.")
        }

        var deterioration = [Int64: String]()
        if let source = context.services.resolve(Services.deterioration) {
            do { deterioration = try source.deteriorating(since: window.fallsSince) } catch {
                context.log.warning("home-round.agenda.deterioration-failed", ["error": String(describing: error)])
                missing.append("The deterioration record could not be read: soft signs and observations are not on this agenda.")
            }
        }

        var transfers = [Int64: String]()
        if let source = context.services.resolve(Services.transferReviews) {
            do { transfers = try source.transfersAwaitingReview() } catch {
                context.log.warning("home-round.agenda.transfers-failed", ["error": String(describing: error)])
                missing.append("The hospital transfers record could not be read: transfers awaiting review are not on this agenda.")
            }
        }

        let concerns = Dictionary(grouping: try store.pendingConcerns(), by: \.residentID)
        let changes = try store.agendaChanges(round: round.id)
        let earlierActions = Dictionary(grouping: try store.actions(outstandingOnly: true).filter { $0.roundID != round.id }, by: \.residentID)
        let discussions = try store.advanceCarePlanDiscussions(residentIDs: residents.map(\.id))

        var candidates = [AgendaCandidate]()
        for resident in residents {
            let change = changes[resident.id]
            let input = ResidentSignalInput(
                resident: resident,
                clock: try directory.admissionClock(residentID: resident.id, today: window.asOf),
                movements: try directory.movements(residentID: resident.id),
                falls: Array((fallsByResident[resident.id] ?? [:]).values),
                prompts: promptsByResident[resident.id] ?? [],
                concerns: (concerns[resident.id] ?? []).map(\.pending),
                addedBecause: change?.isAddition == true ? "\(change?.reason ?? "") (\(change?.byName ?? ""))" : nil,
                openActions: (earlierActions[resident.id] ?? []).map { ($0.description, $0.due) },
                advanceCarePlanDiscussedOn: discussions[resident.id], deterioration: deterioration[resident.id],
                transferReview: transfers[resident.id])
            candidates.append(AgendaCandidate(residentID: resident.id, label: resident.label, room: resident.room,
                                              present: resident.status == .livingHere,
                                              reasons: AgendaSignals.reasons(input, window: window)))
        }
        let removedIDs = Set(changes.values.filter { !$0.isAddition }.map(\.residentID))
        let ordered = AgendaRules.order(candidates.filter { !removedIDs.contains($0.residentID) })
        let removed = candidates.filter { removedIDs.contains($0.residentID) }.compactMap { candidate in
            changes[candidate.residentID].map { (candidate, $0) }
        }
        return Agenda(items: ordered, removed: removed, missingSources: missing, window: window,
                      residents: Dictionary(residents.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }))
    }
}
