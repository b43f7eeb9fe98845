import CareKit

/// A stretch of days the figures are worked out for: a month, a calendar quarter, or any chosen dates.
struct Period: Sendable, Hashable {
    var start: Day
    var end: Day
    var title: String

    init(start: Day, end: Day, title: String? = nil) {
        self.start = start
        self.end = max(start, end)
        self.title = title ?? "\(start.displayShort) to \(max(start, end).displayShort)"
    }

    /// The calendar month that contains `day` (`Nov 2026`).
    static func month(containing day: Day) -> Period {
        let first = Day(year: day.year, month: day.month, day: 1) ?? day
        let last = Day(year: day.year, month: day.month, day: Day.daysIn(month: day.month, year: day.year)) ?? day
        return Period(start: first, end: last, title: String(first.displayShort.drop { $0 != " " }.dropFirst()))
    }

    /// The calendar quarter that contains `day` (`Oct–Dec 2026`).
    static func quarter(containing day: Day) -> Period {
        let firstMonth = (day.month - 1) / 3 * 3 + 1
        let first = Day(year: day.year, month: firstMonth, day: 1) ?? day
        let last = Day(year: day.year, month: firstMonth + 2, day: Day.daysIn(month: firstMonth + 2, year: day.year)) ?? day
        let names = ["Jan–Mar", "Apr–Jun", "Jul–Sep", "Oct–Dec"]
        return Period(start: first, end: last, title: "\(names[(firstMonth - 1) / 3]) \(day.year)")
    }

    /// The `count` months ending with the month of `day`, oldest first.
    static func months(_ count: Int, endingWith day: Day) -> [Period] {
        (0..<max(count, 0)).reversed().map { month(containing: day.adding(months: -$0)) }
    }

    /// The `count` quarters ending with the quarter of `day`, oldest first.
    static func quarters(_ count: Int, endingWith day: Day) -> [Period] {
        (0..<max(count, 0)).reversed().map { quarter(containing: day.adding(months: -3 * $0)) }
    }

    func contains(_ day: Day) -> Bool { day >= start && day <= end }

    /// The last day whose nights have been counted: the end, or `today` for a period still going on.
    func countedThrough(today: Day) -> Day { min(end, today) }

    /// `from=2026-01-01&to=2026-03-31`.
    var query: String { "from=\(start.iso)&to=\(end.iso)" }
}
