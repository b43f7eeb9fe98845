public import CareKit

/// Where an action agreed at a round stands (rule HR-ACT-STATE, own design).
///
/// Not done: `open` while the due date is more than `dueSoonDays` away, `due` from then until the
/// due date (inclusive), `overdue` after it. Done: on time when done on or before the due date.
/// Closed: the resident left the home or died before it was done (closed by the system, with the
/// reason; not counted as done or as overdue).
public enum ActionState: Sendable, Equatable {
    /// Not done; due in more than `dueSoonDays` days.
    case open(daysLeft: Int)
    /// Not done; due within `dueSoonDays` days (0: today).
    case due(daysLeft: Int)
    /// Not done and past its due date by this many days.
    case overdue(days: Int)
    /// Done on or before the due date.
    case doneOnTime(Day)
    /// Done after the due date.
    case doneLate(Day, daysLate: Int)
    /// Marked as entered in error (kept, not counted).
    case enteredInError
    /// Closed by the system because the resident left or died (kept, not counted), with the reason.
    case closed(reason: String)

    /// How many days before its due date an open action shows as due.
    public static let dueSoonDays = 2

    /// The state of an action due on `due`, done on `doneOn` (if it was), judged on `today`.
    public static func of(due: Day, doneOn: Day?, enteredInError: Bool = false, closedBecause: String? = nil, today: Day) -> ActionState {
        if enteredInError { return .enteredInError }
        if let reason = closedBecause, doneOn == nil { return .closed(reason: reason) }
        if let done = doneOn {
            return done <= due ? .doneOnTime(done) : .doneLate(done, daysLate: due.days(until: done))
        }
        let left = today.days(until: due)
        if left < 0 { return .overdue(days: -left) }
        return left <= dueSoonDays ? .due(daysLeft: left) : .open(daysLeft: left)
    }

    /// Whether the action still needs doing.
    public var isOutstanding: Bool {
        switch self {
        case .open, .due, .overdue: true
        case .doneOnTime, .doneLate, .enteredInError, .closed: false
        }
    }

    /// Whether the action is overdue.
    public var isOverdue: Bool { if case .overdue = self { true } else { false } }

    /// `Overdue by 3 days`, `Due today`, `Done on time (Mon 23 Nov 2026)`.
    public var summary: String {
        func days(_ n: Int) -> String { n == 1 ? "1 day" : "\(n) days" }
        switch self {
        case .open(let left): return "Open, due in \(days(left))"
        case .due(0): return "Due today"
        case .due(let left): return "Due in \(days(left))"
        case .overdue(let n): return "Overdue by \(days(n))"
        case .doneOnTime(let day): return "Done on time (\(day.display))"
        case .doneLate(let day, let late): return "Done \(days(late)) late (\(day.display))"
        case .enteredInError: return "Entered in error"
        case .closed(let reason): return "Closed: \(reason)"
        }
    }

    /// A short label for a tag.
    public var tagText: String {
        switch self {
        case .open: "Open"
        case .due: "Due"
        case .overdue: "Overdue"
        case .doneOnTime: "Done"
        case .doneLate: "Done late"
        case .enteredInError: "Entered in error"
        case .closed: "Closed"
        }
    }

    /// The tag colour (UI.tag).
    public var colour: String {
        switch self {
        case .open: "blue"
        case .due: "yellow"
        case .overdue: "red"
        case .doneOnTime: "green"
        case .doneLate: "orange"
        case .enteredInError, .closed: "grey"
        }
    }
}
