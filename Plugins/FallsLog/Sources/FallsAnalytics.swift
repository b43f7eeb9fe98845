import Foundation
import CareKit

/// What the figures need to know about one fall (never an entered-in-error one).
struct FallFact: Equatable, Sendable {
    let id: Int64
    let residentID: Int64
    let occurredAt: Date
    let location: FallLocation
    let injured: Bool
    let longLie: Bool
    let fracture: Bool

    /// The home's calendar day, weekday and hour of the fall (Europe/London).
    var day: Day { HomeTime.day(of: occurredAt) }
    var weekday: Weekday { day.weekday }
    var hour: Int { HomeTime.clock(of: occurredAt).hour }
    var month: CalendarMonth { CalendarMonth(day) }
}

/// A calendar month (`2026-11`).
struct CalendarMonth: Hashable, Comparable, Sendable {
    let year: Int
    let month: Int

    init(_ day: Day) {
        year = day.year
        month = day.month
    }

    init?(iso text: String) {
        guard let day = Day(iso: text + "-01") else { return nil }
        self.init(day)
    }

    var first: Day { Day(year: year, month: month, day: 1) ?? Day(daysSinceEpoch: 0) }
    var last: Day { Day(year: year, month: month, day: Day.daysIn(month: month, year: year)) ?? first }
    var iso: String { String(first.iso.prefix(7)) }
    /// `Nov 2026`.
    var display: String { String(first.displayShort.drop { $0 != " " }.dropFirst()) }
    func adding(months n: Int) -> CalendarMonth { CalendarMonth(first.adding(months: n)) }

    static func < (lhs: CalendarMonth, rhs: CalendarMonth) -> Bool { (lhs.year, lhs.month) < (rhs.year, rhs.month) }

    /// The `count` months ending with the month of `today`, oldest first.
    static func lastMonths(_ count: Int, endingOn today: Day) -> [CalendarMonth] {
        let current = CalendarMonth(today)
        return (0..<max(count, 0)).reversed().map { current.adding(months: -$0) }
    }
}

/// One month's falls and its rates per 1,000 occupied bed days.
struct MonthlyRate: Equatable {
    let month: CalendarMonth
    let falls: Int
    let injurious: Int
    let longLies: Int
    let fractures: Int
    let occupiedBedDays: Int
    /// Falls per 1,000 occupied bed days; nil when there were no occupied bed days.
    var fallsRate: Double? { FallsAnalytics.per1000(falls, occupiedBedDays) }
    var injuriousRate: Double? { FallsAnalytics.per1000(injurious, occupiedBedDays) }
}

/// A resident with repeated falls.
struct RepeatFaller: Equatable {
    let residentID: Int64
    let falls: Int
    let lastFall: Date
}

/// Calculations behind the falls figures. Pure: the page gathers the facts and the bed days.
enum FallsAnalytics {
    /// `count` per 1,000 occupied bed days; nil when there were no bed days (a rate would be meaningless).
    static func per1000(_ count: Int, _ occupiedBedDays: Int) -> Double? {
        guard occupiedBedDays > 0 else { return nil }
        return Double(count) * 1000 / Double(occupiedBedDays)
    }

    /// Rates by month. Bed days are counted from the 1st to the month's end, or to `today` for the current month.
    static func monthly(_ facts: [FallFact], months: [CalendarMonth], today: Day,
                        occupiedBedDays: (Day, Day) throws -> Int) rethrows -> [MonthlyRate] {
        let byMonth = Dictionary(grouping: facts, by: \.month)
        return try months.map { month in
            let inMonth = byMonth[month] ?? []
            let end = min(month.last, today)
            let obd = end < month.first ? 0 : try occupiedBedDays(month.first, end)
            return MonthlyRate(month: month, falls: inMonth.count, injurious: inMonth.filter(\.injured).count,
                               longLies: inMonth.filter(\.longLie).count, fractures: inMonth.filter(\.fracture).count,
                               occupiedBedDays: obd)
        }
    }

    /// Residents with at least `minimum` falls at or after `since`, most falls first.
    static func repeatFallers(_ facts: [FallFact], since: Date, minimum: Int = 2) -> [RepeatFaller] {
        let recent = facts.filter { $0.occurredAt >= since }
        return Dictionary(grouping: recent, by: \.residentID)
            .filter { $0.value.count >= minimum }
            .map { RepeatFaller(residentID: $0.key, falls: $0.value.count, lastFall: $0.value.map(\.occurredAt).max() ?? since) }
            .sorted { ($0.falls, $0.lastFall) > ($1.falls, $1.lastFall) }
    }

    /// Falls by location, every location listed (zero included), in the order of `FallLocation`.
    static func byLocation(_ facts: [FallFact]) -> [(location: FallLocation, falls: Int)] {
        let counts = Dictionary(grouping: facts, by: \.location).mapValues(\.count)
        return FallLocation.allCases.map { ($0, counts[$0] ?? 0) }
    }

    /// A 7 × 24 grid: `grid[weekday.rawValue - 1][hour]` falls, Monday first, hours in the home's local time.
    static func heatMap(_ facts: [FallFact]) -> [[Int]] {
        var grid = Array(repeating: Array(repeating: 0, count: 24), count: 7)
        for fact in facts {
            grid[fact.weekday.rawValue - 1][fact.hour] += 1
        }
        return grid
    }

    /// `4.2`: one decimal place, for rates.
    static func format(_ rate: Double?) -> String {
        guard let rate else { return "–" }
        let tenths = Int((rate * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}

/// Small text helpers shared by pages, charts and the CSV.
enum FallsText {
    static func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    /// `14:00–14:59`.
    static func hourRange(_ hour: Int) -> String { "\(pad2(hour)):00–\(pad2(hour)):59" }
    /// `Bruise on the hip` → `bruise on the hip` for use inside a sentence; `GP` and `X-ray` stay as typed.
    static func midSentence(_ text: String) -> String { Wording.midSentence(text) }

    static func yesNo(_ value: Bool?) -> String {
        switch value {
        case true?: "Yes"
        case false?: "No"
        case nil: "Not recorded"
        }
    }
}
