public import CareKit
public import CareServices
public import Foundation

/// What "since the last round" means for one round.
public struct AgendaWindow: Sendable, Equatable {
    /// The day of this round.
    public var roundDay: Day
    /// The day signals are judged on: the round day, or today when the round is late.
    public var asOf: Day
    /// The day of the last closed round before this one, if any.
    public var lastRoundDay: Day?
    /// When the last round was closed (falls after that instant count).
    public var lastRoundClosedAt: Date?
    /// Residents reviewed at the last round (a return from hospital on that day, before they were seen, still counts).
    public var reviewedAtLastRound: Set<Int64>
    /// Residents on the last round's frozen agenda who were not recorded as reviewed, with the
    /// reasons they were on it.
    public var notReviewedAtLastRound: [Int64: [String]]

    /// Creates a window.
    public init(roundDay: Day, asOf: Day, lastRoundDay: Day? = nil, lastRoundClosedAt: Date? = nil, reviewedAtLastRound: Set<Int64> = [],
                notReviewedAtLastRound: [Int64: [String]] = [:]) {
        self.notReviewedAtLastRound = notReviewedAtLastRound
        self.roundDay = roundDay
        self.asOf = asOf
        self.lastRoundDay = lastRoundDay
        self.lastRoundClosedAt = lastRoundClosedAt
        self.reviewedAtLastRound = reviewedAtLastRound
    }

    /// With no earlier round, "since the last round" means the last 7 days before the round.
    public static let lookbackWithoutRound = 7

    /// Falls at or after this instant count.
    public var fallsSince: Date {
        lastRoundClosedAt ?? HomeTime.startOf(lastRoundDay?.adding(days: 1) ?? roundDay.adding(days: -AgendaWindow.lookbackWithoutRound))
    }

    /// Whether a return from hospital on `day` happened since the last round.
    public func isSinceLastRound(_ day: Day, residentID: Int64) -> Bool {
        guard day <= asOf else { return false }
        guard let last = lastRoundDay else { return day >= roundDay.adding(days: -AgendaWindow.lookbackWithoutRound) }
        return day > last || (day == last && !reviewedAtLastRound.contains(residentID))
    }
}

/// A concern raised by staff for the next round.
public struct PendingConcern: Sendable, Equatable {
    /// What worries them.
    public var reason: String
    /// Who raised it (name shown to staff).
    public var raisedBy: String
    /// When.
    public var raisedOn: Day
    /// Creates a concern.
    public init(reason: String, raisedBy: String, raisedOn: Day) {
        self.reason = reason
        self.raisedBy = raisedBy
        self.raisedOn = raisedOn
    }
}

/// Everything known about one resident that may put them on the agenda. Sources from plugins that
/// are not loaded stay empty, so their signals are simply absent.
public struct ResidentSignalInput: Sendable {
    /// The resident.
    public var resident: ResidentSummary
    /// Their latest admission clock, judged on `window.asOf`.
    public var clock: AdmissionClock?
    /// Their movements, oldest first.
    public var movements: [ResidentMovement]
    /// Falls (any period; filtered here).
    public var falls: [FallSummary]
    /// Open medication review prompts.
    public var prompts: [ResidentPrompt]
    /// Concerns raised and not yet taken to a round.
    public var concerns: [PendingConcern]
    /// A staff member's reason for adding them to this round, if they did.
    public var addedBecause: String?
    /// Open actions from earlier rounds: what and when due.
    public var openActions: [(description: String, due: Day)]
    /// When a ReSPECT / advance care plan conversation was last recorded at a round, if ever.
    public var advanceCarePlanDiscussedOn: Day?
    /// What the deterioration plugin recorded since the last round, in words (nil: nothing, or not loaded).
    public var deterioration: String?
    /// Hospital transfers the MDT has not yet reviewed, in words (nil: none, or the transfers plugin is not loaded).
    public var transferReview: String?

    /// Creates an input.
    public init(resident: ResidentSummary, clock: AdmissionClock? = nil, movements: [ResidentMovement] = [], falls: [FallSummary] = [],
                prompts: [ResidentPrompt] = [], concerns: [PendingConcern] = [], addedBecause: String? = nil,
                openActions: [(description: String, due: Day)] = [], advanceCarePlanDiscussedOn: Day? = nil, deterioration: String? = nil,
                transferReview: String? = nil) {
        self.transferReview = transferReview
        self.deterioration = deterioration
        self.resident = resident
        self.clock = clock
        self.movements = movements
        self.falls = falls
        self.prompts = prompts
        self.concerns = concerns
        self.addedBecause = addedBecause
        self.openActions = openActions
        self.advanceCarePlanDiscussedOn = advanceCarePlanDiscussedOn
    }
}

/// Turns what is known about a resident into agenda reasons (each rule is an `AgendaSignal`).
public enum AgendaSignals {
    /// After a round discussed a missing advance care plan, the reason stays off agendas for this many days.
    public static let advanceCarePlanQuietDays = 90
    /// Open EHCH admission items put a resident on the agenda for this many days after the admission;
    /// older gaps belong to the registry's open-clocks list, not to every weekly agenda.
    public static let admissionOverdueDays = 28

    /// The reasons for one resident on a round in `window`.
    public static func reasons(_ input: ResidentSignalInput, window: AgendaWindow) -> [AgendaReason] {
        var reasons = [AgendaReason]()
        let asOf = window.asOf

        // Admission clock (EHCH 7 working days).
        if let clock = input.clock {
            let what = clock.isReadmission ? "Re-admitted" : "Admitted"
            let items = "assessment: \(AgendaRules.sentenceCase(clock.assessment.summary)); care plan: \(AgendaRules.sentenceCase(clock.carePlan.summary)); SMR flag: \(AgendaRules.sentenceCase(clock.medicationReviewFlag.summary))"
            if asOf <= clock.deadline {
                reasons.append(AgendaReason(.admissionWindow, detail: "\(what) \(clock.startedOn.display); 7-working-day deadline \(clock.deadline.display) (\(items))", since: clock.startedOn))
            } else if clock.isOpen && clock.startedOn.days(until: asOf) <= admissionOverdueDays {
                reasons.append(AgendaReason(.admissionItemsOverdue, detail: "\(what) \(clock.startedOn.display); deadline was \(clock.deadline.display) (\(items))", since: clock.startedOn))
            }
        }

        // Back from hospital since the last round.
        let returns = input.movements.filter { $0.kind == .returnedFromHospital && window.isSinceLastRound($0.on, residentID: input.resident.id) }
        if let latest = returns.map(\.on).max() {
            let detail = returns.count == 1 ? "Returned \(latest.display)" : "Returned \(returns.count) times, latest \(latest.display)"
            reasons.append(AgendaReason(.backFromHospital, detail: detail, since: returns.map(\.on).min()))
        }

        // Falls since the last round (harm: an injury or a head strike), by when they happened or when
        // they were recorded: a fall recorded after the last round closed never reached its agenda.
        let since = window.fallsSince
        let falls = input.falls.filter { fall in
            (fall.occurredAt >= since || (fall.recordedAt.map { $0 >= since } ?? false)) && HomeTime.day(of: fall.occurredAt) <= asOf
        }.sorted { $0.occurredAt < $1.occurredAt }
        if let first = falls.first {
            let harmed = falls.contains { $0.injured || $0.headStrike == true }
            let lines = falls.map { fall -> String in
                var line = "\(HomeTime.display(fall.occurredAt))"
                if fall.occurredAt < since, let recorded = fall.recordedAt { line += " (recorded late, \(HomeTime.display(recorded)))" }
                if !fall.summary.isEmpty { line += ": \(fall.summary)" }
                if fall.headStrike == true { line += " (head strike)" } else if fall.headStrike == nil { line += " (head strike not known)" }
                if fall.injured { line += " (injured)" }
                return line
            }
            let detail = (falls.count == 1 ? "1 fall: " : "\(falls.count) falls: ") + lines.joined(separator: "; ")
            reasons.append(AgendaReason(harmed ? .fallWithHarm : .fall, detail: detail, since: HomeTime.day(of: first.occurredAt), count: falls.count))
        }

        // Deterioration since the last round (soft signs, a NEWS2 trigger or a rise from the usual, an escalation).
        if let deterioration = input.deterioration {
            reasons.append(AgendaReason(.deterioration, detail: deterioration))
        }

        // A hospital transfer not yet reviewed by the MDT (the transfers plugin).
        if let transfer = input.transferReview {
            reasons.append(AgendaReason(.transferReview, detail: transfer))
        }

        // Concerns raised by staff and not yet taken to a round.
        if let first = input.concerns.min(by: { $0.raisedOn < $1.raisedOn }) {
            let detail = input.concerns.map { "\"\($0.reason)\" (\($0.raisedBy), \($0.raisedOn.displayShort))" }.joined(separator: "; ")
            reasons.append(AgendaReason(.staffConcern, detail: detail, since: first.raisedOn, count: input.concerns.count))
        }
        if let added = input.addedBecause {
            reasons.append(AgendaReason(.addedByStaff, detail: added, since: nil))
        }

        // Medication review prompts the medication plugin marks for the round.
        let forRound = input.prompts.filter(\.forRound).sorted { $0.severity > $1.severity }
        if !forRound.isEmpty {
            reasons.append(AgendaReason(.medicationPrompt, detail: forRound.map { $0.severity == .high ? "\($0.title) (high)" : $0.title }.joined(separator: "; "),
                                        count: forRound.count))
        }

        // On the last round's agenda and not reviewed there: carried, with what it was about.
        if let earlier = window.notReviewedAtLastRound[input.resident.id], let lastDay = window.lastRoundDay {
            let carriedTitle = AgendaSignal.notReviewedLastRound.title
            let then = earlier.filter { !$0.hasPrefix(carriedTitle) }
            var detail = "Not reviewed at the round of \(lastDay.display)"
            if !then.isEmpty { detail += "; on it for: \(then.joined(separator: "; "))" }
            reasons.append(AgendaReason(.notReviewedLastRound, detail: detail, since: lastDay))
        }

        // Overdue actions from earlier rounds.
        let overdue = input.openActions.filter { $0.due < asOf }.sorted { $0.due < $1.due }
        if let oldest = overdue.first {
            reasons.append(AgendaReason(.overdueAction, detail: overdue.map { "\($0.description) (due \($0.due.displayShort))" }.joined(separator: "; "),
                                        since: oldest.due, count: overdue.count))
        }

        // No ReSPECT form or advance care plan, unless a round discussed it recently (the form may
        // take time to be written; the resident should not fill every agenda meanwhile).
        let discussedRecently = input.advanceCarePlanDiscussedOn.map { $0.days(until: asOf) < advanceCarePlanQuietDays } ?? false
        if !input.resident.advanceCarePlan.exists && !discussedRecently {
            var detail = "None recorded in the resident's record"
            if let discussed = input.advanceCarePlanDiscussedOn { detail += "; last discussed at a round \(discussed.displayShort)" }
            reasons.append(AgendaReason(.noAdvanceCarePlan, detail: detail))
        }
        return reasons
    }
}
