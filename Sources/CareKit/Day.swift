public import Foundation

/// A calendar day in England (no time, no time zone): admission dates, deadlines, dates of birth.
public struct Day: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    /// Year (e.g. 2026).
    public let year: Int
    /// Month, 1–12.
    public let month: Int
    /// Day of the month, 1–31.
    public let day: Int

    /// A valid date, or nil (31 February is nil).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...Day.daysIn(month: month, year: year)).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The day `days` after 1970-01-01 (negative: before).
    public init(daysSinceEpoch days: Int) {
        // Civil-from-days over 400-year eras (proleptic Gregorian calendar).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let d = dayOfYear - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        year = yearOfEra + era * 400 + (m <= 2 ? 1 : 0)
        month = m
        day = d
    }

    /// Days since 1970-01-01.
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * mp + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Parses `YYYY-MM-DD` (what a date input sends) or `DD/MM/YYYY` (what people type). Nil if not a real date.
    public init?(parsing text: String) {
        let trimmed = text.trimmingWhitespace()
        if let iso = Day(iso: trimmed) { self = iso; return }
        let parts = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2].count == 4, let d = Int(parts[0]), let m = Int(parts[1]), let y = Int(parts[2]),
              let value = Day(year: y, month: m, day: d) else { return nil }
        self = value
    }

    /// Parses exactly `YYYY-MM-DD`.
    public init?(iso text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              let value = Day(year: y, month: m, day: d) else { return nil }
        self = value
    }

    /// `2026-11-23`.
    public var iso: String {
        String(year) + "-" + (month < 10 ? "0" : "") + String(month) + "-" + (day < 10 ? "0" : "") + String(day)
    }

    /// `Mon 23 Nov 2026`: how dates are shown to staff.
    public var display: String { "\(weekday.shortName) \(day) \(Day.monthNames[month - 1]) \(year)" }

    /// `23 Nov 2026`.
    public var displayShort: String { "\(day) \(Day.monthNames[month - 1]) \(year)" }

    public var description: String { iso }

    /// The day `n` days later (negative: earlier).
    public func adding(days n: Int) -> Day { Day(daysSinceEpoch: daysSinceEpoch + n) }

    /// Whole days from `self` to `other` (positive when `other` is later).
    public func days(until other: Day) -> Int { other.daysSinceEpoch - daysSinceEpoch }

    /// The same day of the month `n` months later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb).
    public func adding(months n: Int) -> Day {
        let total = year * 12 + (month - 1) + n
        let y = total / 12, m = total % 12 + 1
        return Day(year: y, month: m, day: min(day, Day.daysIn(month: m, year: y))) ?? self
    }

    /// Day of the week.
    public var weekday: Weekday {
        // 1970-01-01 was a Thursday.
        let index = ((daysSinceEpoch % 7) + 7 + 3) % 7   // 0 = Monday
        return Weekday.allCases[index]
    }

    /// Age in whole years on `day`.
    public func age(on day: Day) -> Int {
        var years = day.year - year
        if (day.month, day.day) < (month, self.day) { years -= 1 }
        return years
    }

    public static func < (lhs: Day, rhs: Day) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }

    /// Whether `year` is a leap year.
    public static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    /// Number of days in a month.
    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
}

/// A day of the week, Monday first (as in England).
@frozen public enum Weekday: Int, Sendable, CaseIterable, Codable {
    case monday = 1, tuesday, wednesday, thursday, friday, saturday, sunday

    /// `Mon`.
    public var shortName: String { String(name.prefix(3)) }
    /// `Monday`.
    public var name: String {
        switch self {
        case .monday: "Monday"
        case .tuesday: "Tuesday"
        case .wednesday: "Wednesday"
        case .thursday: "Thursday"
        case .friday: "Friday"
        case .saturday: "Saturday"
        case .sunday: "Sunday"
        }
    }
    /// Saturday or Sunday.
    public var isWeekend: Bool { self == .saturday || self == .sunday }
}

/// The home's local time (Europe/London, with British Summer Time).
public enum HomeTime {
    /// The home's time zone.
    public static let zone: TimeZone = TimeZone(identifier: "Europe/London") ?? TimeZone(secondsFromGMT: 0) ?? .current

    static var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }

    /// Today in the home.
    public static func today(_ now: Date = Date()) -> Day { day(of: now) }

    /// The home's calendar day of an instant.
    public static func day(of date: Date) -> Day {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return Day(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1) ?? Day(daysSinceEpoch: 0)
    }

    /// Hour (0–23) and minute of an instant in the home.
    public static func clock(of date: Date) -> (hour: Int, minute: Int) {
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        return (parts.hour ?? 0, parts.minute ?? 0)
    }

    /// `23 Nov 2026 14:05`: how instants are shown to staff.
    public static func display(_ date: Date) -> String {
        let (h, m) = clock(of: date)
        return day(of: date).displayShort + " " + Timestamp.pad2(h) + ":" + Timestamp.pad2(m)
    }

    /// `14:05`.
    public static func displayTime(_ date: Date) -> String {
        let (h, m) = clock(of: date)
        return Timestamp.pad2(h) + ":" + Timestamp.pad2(m)
    }

    /// The value for an `<input type="datetime-local">`: `2026-11-23T14:05`.
    public static func inputValue(_ date: Date) -> String {
        let (h, m) = clock(of: date)
        return day(of: date).iso + "T" + Timestamp.pad2(h) + ":" + Timestamp.pad2(m)
    }

    /// Parses a local date and time as sent by `datetime-local` (`2026-11-23T14:05`) or typed
    /// (`2026-11-23 14:05`), in the home's time zone. Nil if not a real date and time.
    public static func parse(_ text: String) -> Date? {
        let trimmed = text.trimmingWhitespace()
        let separators: Set<Character> = ["T", " "]
        guard let split = trimmed.firstIndex(where: { separators.contains($0) }),
              let day = Day(parsing: String(trimmed[..<split])) else { return nil }
        return combine(day, time: String(trimmed[trimmed.index(after: split)...]))
    }

    /// The instant of `time` (`HH:MM`) on `day` in the home's time zone. Nil if `time` is not a time.
    public static func combine(_ day: Day, time: String) -> Date? {
        let parts = time.trimmingWhitespace().split(separator: ":")
        guard parts.count >= 2, let h = Int(parts[0]), let m = Int(parts[1]), (0..<24).contains(h), (0..<60).contains(m) else { return nil }
        var components = DateComponents()
        components.year = day.year
        components.month = day.month
        components.day = day.day
        components.hour = h
        components.minute = m
        return calendar.date(from: components)
    }

    /// Midnight at the start of `day` in the home.
    public static func startOf(_ day: Day) -> Date {
        combine(day, time: "00:00") ?? Date(timeIntervalSince1970: TimeInterval(day.daysSinceEpoch * 86_400))
    }
}
