import Testing
import CareKit
import CareServices

/// Boundary tests for CareKit's WorkingCalendar as the registry uses it (rule RES-CLOCK-7WD).
/// Expected dates are from gov.uk/bank-holidays and worked by hand.
@Suite("Working calendar: bank holidays and the 7-working-day deadline")
struct WorkingCalendarBoundaryTests {
    func day(_ y: Int, _ m: Int, _ d: Int) -> Day {
        guard let value = Day(year: y, month: m, day: d) else { Issue.record("bad test date"); return Day(daysSinceEpoch: 0) }
        return value
    }

    func holidays(_ year: Int) -> [Day] { WorkingCalendar.bankHolidays(in: year).map(\.day) }

    @Test("Easter moves Good Friday and Easter Monday each year, early and late Easters included")
    func easter() {
        #expect(WorkingCalendar.easterSunday(2024) == day(2024, 3, 31))
        #expect(WorkingCalendar.easterSunday(2025) == day(2025, 4, 20))
        #expect(WorkingCalendar.easterSunday(2026) == day(2026, 4, 5))
        #expect(WorkingCalendar.easterSunday(2008) == day(2008, 3, 23))   // early
        #expect(WorkingCalendar.easterSunday(2038) == day(2038, 4, 25))   // latest possible
        #expect(WorkingCalendar.easterSunday(2285) == day(2285, 3, 22))   // earliest possible
        #expect(holidays(2024).contains(day(2024, 3, 29)) && holidays(2024).contains(day(2024, 4, 1)))
        #expect(holidays(2026).contains(day(2026, 4, 3)) && holidays(2026).contains(day(2026, 4, 6)))
    }

    @Test("a full year matches the published list (2026)")
    func year2026() {
        #expect(holidays(2026) == [day(2026, 1, 1), day(2026, 4, 3), day(2026, 4, 6), day(2026, 5, 4), day(2026, 5, 25),
                                   day(2026, 8, 31), day(2026, 12, 25), day(2026, 12, 28)])
    }

    @Test("Christmas and Boxing Day at a weekend move to the next weekdays")
    func christmasAtWeekend() {
        // 2021: Christmas Saturday, Boxing Day Sunday → Mon 27 and Tue 28.
        #expect(holidays(2021).suffix(2) == [day(2021, 12, 27), day(2021, 12, 28)])
        // 2022: Christmas Sunday → Boxing Day Mon 26, Christmas substitute Tue 27.
        #expect(holidays(2022).suffix(2) == [day(2022, 12, 26), day(2022, 12, 27)])
        // 2026: Boxing Day Saturday → Mon 28.
        #expect(holidays(2026).suffix(2) == [day(2026, 12, 25), day(2026, 12, 28)])
        // New Year's Day at a weekend: 2022 (Saturday) → Mon 3 Jan; 2023 (Sunday) → Mon 2 Jan.
        #expect(holidays(2022).first == day(2022, 1, 3))
        #expect(holidays(2023).first == day(2023, 1, 2))
    }

    @Test("Christmas and Boxing Day carry the right names for every weekday Christmas can fall on")
    func christmasNames() {
        func named(_ year: Int) -> [String] {
            WorkingCalendar.bankHolidays(in: year).filter { $0.day.month == 12 }.map { "\($0.day.day) \($0.name)" }
        }
        // Published lists (GOV.UK, UK bank holidays): Christmas on a Friday (2020), Saturday (2021),
        // Sunday (2022), Monday (2023), Thursday (2025).
        #expect(named(2020) == ["25 Christmas Day", "28 Boxing Day (substitute day)"])
        #expect(named(2021) == ["27 Christmas Day (substitute day)", "28 Boxing Day (substitute day)"])
        #expect(named(2022) == ["26 Boxing Day", "27 Christmas Day (substitute day)"])
        #expect(named(2023) == ["25 Christmas Day", "26 Boxing Day"])
        #expect(named(2025) == ["25 Christmas Day", "26 Boxing Day"])
        // The explanation staff read names the day off as it is.
        let calendar = WorkingCalendar()
        #expect(calendar.nonWorkingReason(day(2022, 12, 26)) == "Boxing Day (bank holiday)")
        #expect(calendar.nonWorkingReason(day(2022, 12, 27)) == "Christmas Day (substitute day) (bank holiday)")
    }

    @Test("the 2022 and 2023 one-off days are not working days")
    func oneOffs() {
        let calendar = WorkingCalendar()
        #expect(calendar.nonWorkingReason(day(2022, 6, 2))?.contains("Spring") == true)        // moved spring holiday
        #expect(calendar.nonWorkingReason(day(2022, 6, 3))?.contains("Platinum Jubilee") == true)
        #expect(calendar.nonWorkingReason(day(2022, 9, 19))?.contains("State Funeral") == true)
        #expect(calendar.nonWorkingReason(day(2023, 5, 8))?.contains("Coronation") == true)
        #expect(calendar.isWorkingDay(day(2022, 5, 30)))     // the usual last Monday of May was worked in 2022
        #expect(calendar.isWorkingDay(day(2024, 5, 8)))      // the coronation day was a single year
    }

    @Test("admission on a Friday: the deadline is the Tuesday of the week after next")
    func fridayAdmission() {
        let calendar = WorkingCalendar()
        let friday = day(2026, 11, 20)
        #expect(calendar.admissionDeadline(admittedOn: friday) == day(2026, 12, 1))
        let skipped = calendar.skippedDays(after: friday, through: day(2026, 12, 1)).map(\.day)
        #expect(skipped == [day(2026, 11, 21), day(2026, 11, 22), day(2026, 11, 28), day(2026, 11, 29)])
    }

    @Test("admission just before Christmas skips Christmas, the Boxing Day substitute and New Year's Day")
    func christmasAdmission() {
        let calendar = WorkingCalendar()
        #expect(calendar.admissionDeadline(admittedOn: day(2026, 12, 21)) == day(2027, 1, 4))
        let reasons = calendar.skippedDays(after: day(2026, 12, 21), through: day(2027, 1, 4)).map(\.reason)
        #expect(reasons.contains { $0.contains("Boxing Day (substitute day)") })
        #expect(reasons.contains { $0.contains("New Year's Day") })
    }

    @Test("admission before Easter, the Jubilee, the State Funeral and the Coronation")
    func deadlinesAroundHolidays() {
        let calendar = WorkingCalendar()
        #expect(calendar.admissionDeadline(admittedOn: day(2026, 4, 2)) == day(2026, 4, 15))
        #expect(calendar.admissionDeadline(admittedOn: day(2022, 6, 1)) == day(2022, 6, 14))
        #expect(calendar.admissionDeadline(admittedOn: day(2022, 9, 16)) == day(2022, 9, 28))
        #expect(calendar.admissionDeadline(admittedOn: day(2023, 4, 28)) == day(2023, 5, 11))
        // Day 0 never counts, even when it is a weekend day.
        #expect(calendar.admissionDeadline(admittedOn: day(2026, 11, 22)) == day(2026, 12, 1))
    }

    @Test("the home's own non-working day moves the deadline and is explained")
    func homeDays() {
        let calendar = WorkingCalendar(extraNonWorkingDays: [day(2026, 11, 25): "Staff training day"])
        #expect(calendar.admissionDeadline(admittedOn: day(2026, 11, 20)) == day(2026, 12, 2))
        #expect(calendar.skippedDays(after: day(2026, 11, 20), through: day(2026, 12, 2)).contains { $0.reason == "Staff training day" })
    }

    @Test("item states at the deadline's boundaries")
    func itemStates() {
        let calendar = WorkingCalendar()
        let deadline = day(2026, 12, 1)   // a Tuesday
        #expect(calendar.itemState(doneOn: deadline, deadline: deadline, today: day(2026, 12, 5)) == .doneOnTime(deadline))
        #expect(calendar.itemState(doneOn: day(2026, 12, 2), deadline: deadline, today: day(2026, 12, 5)) == .doneLate(day(2026, 12, 2), workingDaysLate: 1))
        #expect(calendar.itemState(doneOn: nil, deadline: deadline, today: deadline) == .due(workingDaysLeft: 0))
        #expect(calendar.itemState(doneOn: nil, deadline: deadline, today: deadline).summary == "Due today")
        #expect(calendar.itemState(doneOn: nil, deadline: deadline, today: day(2026, 11, 27)) == .due(workingDaysLeft: 2))
        #expect(calendar.itemState(doneOn: nil, deadline: deadline, today: day(2026, 12, 2)) == .overdue(workingDays: 1))
        // Deadline on a Friday, today the Monday after: one working day overdue, not three.
        #expect(calendar.itemState(doneOn: nil, deadline: day(2026, 11, 27), today: day(2026, 11, 30)) == .overdue(workingDays: 1))
        #expect(calendar.itemState(doneOn: nil, deadline: day(2026, 11, 27), today: day(2026, 11, 30)).summary == "Overdue by 1 working day")
    }
}
