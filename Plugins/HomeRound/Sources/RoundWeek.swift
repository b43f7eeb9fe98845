public import CareKit

/// The week a round belongs to: Monday to Sunday, as staff in England count weeks. One round per week.
public struct RoundWeek: Sendable, Hashable, Comparable {
    /// The Monday that starts the week.
    public let monday: Day

    /// The week containing `day`.
    public init(containing day: Day) {
        monday = day.adding(days: -(day.weekday.rawValue - 1))
    }

    /// The Sunday that ends the week.
    public var sunday: Day { monday.adding(days: 6) }

    /// Whether `day` falls in this week.
    public func contains(_ day: Day) -> Bool { day >= monday && day <= sunday }

    /// The week `n` weeks later (negative: earlier).
    public func adding(weeks n: Int) -> RoundWeek { RoundWeek(containing: monday.adding(days: 7 * n)) }

    /// The home's round day in this week; Monday when the home has not set one.
    public func roundDay(_ weekday: Weekday?) -> Day {
        monday.adding(days: (weekday ?? .monday).rawValue - 1)
    }

    /// `Week of Mon 16 Nov 2026`.
    public var title: String { "Week of \(monday.display)" }

    public static func < (lhs: RoundWeek, rhs: RoundWeek) -> Bool { lhs.monday < rhs.monday }
}
