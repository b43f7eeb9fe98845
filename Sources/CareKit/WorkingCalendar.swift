/// Working days in England: Monday to Friday, less the bank holidays of England and Wales and the
/// home's own extra non-working days. It decides the EHCH deadline: the 7th working day after the
/// day of admission or re-admission (day 0). The counting rule is our reading of the EHCH framework,
/// shown to users on every deadline.
///
/// Bank holidays follow the Banking and Financial Dealings Act 1971 as applied by proclamation each
/// year (published at gov.uk/bank-holidays): New Year's Day, Good Friday, Easter Monday, the early May
/// and spring bank holidays, the summer bank holiday, Christmas Day and Boxing Day, with substitute
/// weekdays when those fall at a weekend, and the one-off and moved days proclaimed since 2010.
public struct WorkingCalendar: Sendable, Equatable {
    /// The home's own extra non-working days, with what each is for.
    public var extraNonWorkingDays: [Day: String]

    /// How many working days EHCH allows after admission (NHS England EHCH framework).
    public static let admissionWindowWorkingDays = 7

    /// Creates a calendar with the home's own non-working days.
    public init(extraNonWorkingDays: [Day: String] = [:]) {
        self.extraNonWorkingDays = extraNonWorkingDays
    }

    /// A bank holiday.
    public struct BankHoliday: Sendable, Equatable {
        /// Its name (`Christmas Day (substitute day)`).
        public var name: String
        /// The day off.
        public var day: Day
    }

    /// The bank holidays of England and Wales in `year`, in date order.
    public static func bankHolidays(in year: Int) -> [BankHoliday] {
        guard let jan1 = Day(year: year, month: 1, day: 1) else { return [] }
        var list = [BankHoliday]()
        // New Year's Day, or the next Monday when it falls at a weekend.
        list.append(BankHoliday(name: jan1.weekday.isWeekend ? "New Year's Day (substitute day)" : "New Year's Day",
                                day: nextWeekday(onOrAfter: jan1)))
        let easter = easterSunday(year)
        list.append(BankHoliday(name: "Good Friday", day: easter.adding(days: -2)))
        list.append(BankHoliday(name: "Easter Monday", day: easter.adding(days: 1)))
        // Early May: the first Monday in May, moved in 1995 and 2020 for VE Day anniversaries.
        if let moved = movedEarlyMay[year] {
            list.append(BankHoliday(name: "Early May bank holiday (VE Day)", day: moved))
        } else if let may1 = Day(year: year, month: 5, day: 1) {
            list.append(BankHoliday(name: "Early May bank holiday", day: firstMonday(onOrAfter: may1)))
        }
        // Spring: the last Monday in May, moved in jubilee years.
        if let moved = movedSpring[year] {
            list.append(BankHoliday(name: "Spring bank holiday", day: moved))
        } else if let may31 = Day(year: year, month: 5, day: 31) {
            list.append(BankHoliday(name: "Spring bank holiday", day: lastMonday(onOrBefore: may31)))
        }
        if let aug31 = Day(year: year, month: 8, day: 31) {
            list.append(BankHoliday(name: "Summer bank holiday", day: lastMonday(onOrBefore: aug31)))
        }
        // Christmas and Boxing Day: a day that falls on a weekday keeps its own name and date; one that
        // falls at a weekend takes the next weekday still free. So when Christmas is a Sunday, Monday
        // 26 December is Boxing Day itself and Tuesday 27 is the Christmas Day substitute (as in 2022).
        if let christmas = Day(year: year, month: 12, day: 25), let boxing = Day(year: year, month: 12, day: 26) {
            let days = [("Christmas Day", christmas), ("Boxing Day", boxing)]
            var taken = Set(days.map(\.1).filter { !$0.weekday.isWeekend })
            for (name, day) in days {
                if !day.weekday.isWeekend {
                    list.append(BankHoliday(name: name, day: day))
                    continue
                }
                var actual = day
                while actual.weekday.isWeekend || taken.contains(actual) { actual = actual.adding(days: 1) }
                taken.insert(actual)
                list.append(BankHoliday(name: "\(name) (substitute day)", day: actual))
            }
        }
        for (day, name) in oneOffs where day.year == year { list.append(BankHoliday(name: name, day: day)) }
        return list.sorted { $0.day < $1.day }
    }

    /// Why `day` is not a working day (`Saturday`, `Good Friday`, the home's reason), or nil when it is one.
    public func nonWorkingReason(_ day: Day) -> String? {
        if day.weekday.isWeekend { return day.weekday.name }
        if let holiday = WorkingCalendar.bankHolidays(in: day.year).first(where: { $0.day == day }) {
            return "\(holiday.name) (bank holiday)"
        }
        if let reason = extraNonWorkingDays[day] { return reason.isEmpty ? "The home's non-working day" : reason }
        return nil
    }

    /// Whether `day` is a working day.
    public func isWorkingDay(_ day: Day) -> Bool { nonWorkingReason(day) == nil }

    /// The `n`th working day after `day` (day itself is day 0 and never counts).
    public func addingWorkingDays(_ n: Int, to day: Day) -> Day {
        var current = day
        var counted = 0
        while counted < n {
            current = current.adding(days: 1)
            if isWorkingDay(current) { counted += 1 }
        }
        return current
    }

    /// Working days after `start` up to and including `end` (0 when `end` is not after `start`).
    public func workingDays(after start: Day, through end: Day) -> Int {
        guard end > start else { return 0 }
        var count = 0
        var current = start.adding(days: 1)
        while current <= end {
            if isWorkingDay(current) { count += 1 }
            current = current.adding(days: 1)
        }
        return count
    }

    /// The EHCH deadline: the 7th working day after the day of admission or re-admission.
    public func admissionDeadline(admittedOn day: Day) -> Day {
        addingWorkingDays(WorkingCalendar.admissionWindowWorkingDays, to: day)
    }

    /// Days between `start` (exclusive) and `end` (inclusive) that were not counted, with the reason:
    /// shown beside a deadline so staff can see how it was worked out.
    public func skippedDays(after start: Day, through end: Day) -> [(day: Day, reason: String)] {
        guard end > start else { return [] }
        var skipped = [(day: Day, reason: String)]()
        var current = start.adding(days: 1)
        while current <= end {
            if let reason = nonWorkingReason(current) { skipped.append((current, reason)) }
            current = current.adding(days: 1)
        }
        return skipped
    }

    // MARK: - Rules for single years

    /// Early May bank holidays moved to Friday 8 May (VE Day 50th and 75th anniversaries).
    static let movedEarlyMay: [Int: Day] = [
        1995: Day(year: 1995, month: 5, day: 8)!,
        2020: Day(year: 2020, month: 5, day: 8)!,
    ]
    /// Spring bank holidays moved for jubilees (2002, 2012: Tuesday 4 June; 2022: Thursday 2 June).
    static let movedSpring: [Int: Day] = [
        2002: Day(year: 2002, month: 6, day: 4)!,
        2012: Day(year: 2012, month: 6, day: 4)!,
        2022: Day(year: 2022, month: 6, day: 2)!,
    ]
    /// One-off bank holidays proclaimed for a single year.
    static let oneOffs: [(Day, String)] = [
        (Day(year: 1999, month: 12, day: 31)!, "Millennium Celebrations"),
        (Day(year: 2002, month: 6, day: 3)!, "Golden Jubilee"),
        (Day(year: 2011, month: 4, day: 29)!, "Royal wedding"),
        (Day(year: 2012, month: 6, day: 5)!, "Diamond Jubilee"),
        (Day(year: 2022, month: 6, day: 3)!, "Platinum Jubilee"),
        (Day(year: 2022, month: 9, day: 19)!, "State Funeral of Queen Elizabeth II"),
        (Day(year: 2023, month: 5, day: 8)!, "Coronation of King Charles III"),
    ]

    /// Easter Sunday by the Gregorian computus (the anonymous "Meeus/Jones/Butcher" method).
    public static func easterSunday(_ year: Int) -> Day {
        let a = year % 19, b = year / 100, c = year % 100
        let d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4, k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return Day(year: year, month: month, day: day) ?? Day(daysSinceEpoch: 0)
    }

    static func nextWeekday(onOrAfter day: Day) -> Day {
        var current = day
        while current.weekday.isWeekend { current = current.adding(days: 1) }
        return current
    }

    static func firstMonday(onOrAfter day: Day) -> Day {
        var current = day
        while current.weekday != .monday { current = current.adding(days: 1) }
        return current
    }

    static func lastMonday(onOrBefore day: Day) -> Day {
        var current = day
        while current.weekday != .monday { current = current.adding(days: -1) }
        return current
    }
}
