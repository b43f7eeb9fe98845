public import CareKit

/// The round figures the home and the PCN look at (rule HR-FIG, own design from the EHCH
/// requirement that rounds held per week and actions closed on time are measured).
public struct WeeklyFigures: Sendable, Equatable {
    /// A round as the figures see it.
    public struct RoundFact: Sendable, Equatable {
        public var id: Int64
        public var day: Day
        public var closed: Bool
        /// Residents on the agenda.
        public var agenda: Int
        /// Residents marked reviewed.
        public var reviewed: Int
        /// Residents marked not seen.
        public var notSeen: Int
        public init(id: Int64, day: Day, closed: Bool, agenda: Int, reviewed: Int, notSeen: Int) {
            self.id = id
            self.day = day
            self.closed = closed
            self.agenda = agenda
            self.reviewed = reviewed
            self.notSeen = notSeen
        }
    }

    /// An action as the figures see it.
    public struct ActionFact: Sendable, Equatable {
        public var due: Day
        public var doneOn: Day?
        public var enteredInError: Bool
        public init(due: Day, doneOn: Day?, enteredInError: Bool = false) {
            self.due = due
            self.doneOn = doneOn
            self.enteredInError = enteredInError
        }
    }

    /// Whether the week's round happened.
    public enum WeekStatus: String, Sendable, Equatable {
        /// A round was held and closed.
        case held
        /// A round was opened and not yet closed.
        case inProgress = "in-progress"
        /// The round day is still to come this week.
        case notYetDue = "not-yet-due"
        /// The week passed (or its round day did) with no round held.
        case missed

        /// Shown to staff.
        public var title: String {
            switch self {
            case .held: "Held"
            case .inProgress: "Open, not closed"
            case .notYetDue: "Not yet due"
            case .missed: "No round"
            }
        }
        /// Tag colour.
        public var colour: String {
            switch self {
            case .held: "green"
            case .inProgress: "yellow"
            case .notYetDue: "grey"
            case .missed: "red"
            }
        }
    }

    /// One week's row.
    public struct Week: Sendable, Equatable {
        public var week: RoundWeek
        public var status: WeekStatus
        /// The week's round, if any.
        public var round: RoundFact?
    }

    /// Newest week first.
    public var weeks: [Week]
    /// Weeks whose round was held / weeks that are over or whose round day has passed.
    public var roundsHeld: Int
    public var weeksDue: Int
    /// Actions due in the period up to today, not entered in error.
    public var actionsDue: Int
    public var actionsDoneOnTime: Int
    public var actionsDoneLate: Int
    /// Due in the period, still not done, past their due date.
    public var actionsOverdue: Int

    /// Actions closed on time as a whole percentage of those due (nil when none were due).
    public var onTimePercent: Int? {
        actionsDue == 0 ? nil : Int((Double(actionsDoneOnTime) * 100 / Double(actionsDue)).rounded())
    }

    /// Average residents reviewed per held round (nil when none held).
    public var averageReviewed: Double? {
        let held = weeks.compactMap { $0.status == .held ? $0.round : nil }
        return held.isEmpty ? nil : Double(held.reduce(0) { $0 + $1.reviewed }) / Double(held.count)
    }

    /// The figures for the `count` weeks up to and including today's, with the home's round day.
    ///
    /// A week counts as due once its round day has passed (or the week has ended); a closed round
    /// in the week makes it held. Actions count in the period when their due date falls in it and is
    /// before today (an action due today is not yet late).
    public static func compute(rounds: [RoundFact], actions: [ActionFact], today: Day, roundDay: Weekday?, weeks count: Int = 12) -> WeeklyFigures {
        let thisWeek = RoundWeek(containing: today)
        let rows = (0..<max(1, count)).map { offset in
            week(thisWeek.adding(weeks: -offset), rounds: rounds, today: today, roundDay: roundDay)
        }
        let start = thisWeek.adding(weeks: -(max(1, count) - 1)).monday
        let counted = actionCounts(actions, dueFrom: start, through: today, today: today)
        return WeeklyFigures(weeks: rows, roundsHeld: rows.filter { $0.status == .held }.count,
                             weeksDue: rows.filter { isDue($0, today: today) }.count, actionsDue: counted.due,
                             actionsDoneOnTime: counted.onTime, actionsDoneLate: counted.late, actionsOverdue: counted.overdue)
    }

    /// One week as the figures see it: held (a closed round), open, not yet due (its round day is today
    /// or later), or missed; with its round.
    static func week(_ week: RoundWeek, rounds: [RoundFact], today: Day, roundDay: Weekday?) -> Week {
        let inWeek = rounds.filter { week.contains($0.day) }
        let closed = inWeek.filter(\.closed).max { $0.day < $1.day }
        let open = inWeek.first { !$0.closed }
        let status: WeekStatus
        if closed != nil {
            status = .held
        } else if open != nil {
            status = .inProgress
        } else if today <= week.roundDay(roundDay) {
            status = .notYetDue
        } else {
            status = .missed
        }
        return Week(week: week, status: status, round: closed ?? open)
    }

    /// Whether a week counts among those whose round was due: not one still to come, nor this week's
    /// (or a later week's) round while it is open.
    static func isDue(_ row: Week, today: Day) -> Bool {
        row.status != .notYetDue && !(row.status == .inProgress && row.week.monday >= RoundWeek(containing: today).monday)
    }

    /// The actions due from `start` through `end` and before today (an action due today is not yet
    /// late), not entered in error: how many, and how many were done on time, late, or not yet.
    static func actionCounts(_ actions: [ActionFact], dueFrom start: Day, through end: Day, today: Day) -> (due: Int, onTime: Int, late: Int, overdue: Int) {
        let counted = actions.filter { !$0.enteredInError && $0.due >= start && $0.due <= end && $0.due < today }
        let onTime = counted.filter { action in action.doneOn.map { $0 <= action.due } ?? false }.count
        let late = counted.filter { action in action.doneOn.map { $0 > action.due } ?? false }.count
        return (counted.count, onTime, late, counted.filter { $0.doneOn == nil }.count)
    }
}
