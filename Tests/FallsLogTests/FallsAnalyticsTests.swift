import Foundation
import Testing
import CareKit
@testable import FallsLogPlugin

private func at(_ day: Day, _ time: String) throws -> Date { try #require(HomeTime.combine(day, time: time)) }
private func day(_ y: Int, _ m: Int, _ d: Int) throws -> Day { try #require(Day(year: y, month: m, day: d)) }

private func fact(_ id: Int64, resident: Int64, _ date: Date, location: FallLocation = .bedroom,
                  injured: Bool = false, longLie: Bool = false, fracture: Bool = false) -> FallFact {
    FallFact(id: id, residentID: resident, occurredAt: date, location: location, injured: injured, longLie: longLie, fracture: fracture)
}

@Test("falls per 1,000 occupied bed days: 3 falls in 600 bed days is 5.0")
func ratePer1000() {
    #expect(FallsAnalytics.per1000(3, 600) == 5.0)
    #expect(FallsAnalytics.format(FallsAnalytics.per1000(3, 600)) == "5.0")
    #expect(FallsAnalytics.format(FallsAnalytics.per1000(1, 930)) == "1.1")
    #expect(FallsAnalytics.per1000(2, 0) == nil)
    #expect(FallsAnalytics.format(nil) == "–")
}

@Test("monthly rates count falls by the home's calendar month and bed days to today in the current month")
func monthlyRates() throws {
    let today = try day(2026, 11, 23)
    // 00:30 on 1 Nov in London is still 1 Nov (GMT); 23:30 on 31 Oct BST-free is 31 Oct.
    let facts = [
        fact(1, resident: 1, try at(day(2026, 10, 31), "23:30"), injured: true),
        fact(2, resident: 1, try at(day(2026, 11, 1), "00:30")),
        fact(3, resident: 2, try at(day(2026, 11, 20), "14:00"), injured: true, fracture: true),
    ]
    var asked = [(Day, Day)]()
    let months = CalendarMonth.lastMonths(2, endingOn: today)
    let rates = FallsAnalytics.monthly(facts, months: months, today: today) { start, end in
        asked.append((start, end))
        return start.days(until: end) * 10 + 10   // ten residents every night
    }
    #expect(rates.map(\.month.iso) == ["2026-10", "2026-11"])
    #expect(rates[0].falls == 1 && rates[0].injurious == 1 && rates[0].occupiedBedDays == 310)
    #expect(rates[1].falls == 2 && rates[1].injurious == 1 && rates[1].fractures == 1)
    #expect(asked[1].0 == (try day(2026, 11, 1)) && asked[1].1 == today)
    #expect(rates[1].occupiedBedDays == 230)
    #expect(FallsAnalytics.format(rates[1].fallsRate) == "8.7")
}

@Test("two falls in six months makes a repeat faller; one fall, or a fall before the window, does not")
func repeatFallers() throws {
    let since = try at(day(2026, 5, 23), "00:00")
    let facts = [
        fact(1, resident: 7, try at(day(2026, 5, 22), "23:59")),   // just before the window
        fact(2, resident: 7, try at(day(2026, 9, 1), "10:00")),
        fact(3, resident: 8, try at(day(2026, 6, 1), "10:00")),
        fact(4, resident: 8, try at(day(2026, 11, 1), "10:00")),
        fact(5, resident: 8, try at(day(2026, 11, 2), "10:00")),
        fact(6, resident: 9, try at(day(2026, 5, 23), "00:00")),    // exactly at the start counts
        fact(7, resident: 9, try at(day(2026, 7, 23), "00:00")),
    ]
    let repeaters = FallsAnalytics.repeatFallers(facts, since: since)
    #expect(repeaters.map(\.residentID) == [8, 9])
    #expect(repeaters.first?.falls == 3)
}

@Test("the heat map bins by the home's local weekday and hour, across the clock change")
func heatMapBinning() throws {
    // Mon 23 Nov 2026 is GMT; Mon 6 Jul 2026 is BST (UTC+1): 14:10 local is 13:10 UTC.
    let facts = [
        fact(1, resident: 1, try at(day(2026, 11, 23), "14:10")),
        fact(2, resident: 1, try at(day(2026, 7, 6), "14:59")),
        fact(3, resident: 2, try at(day(2026, 11, 29), "00:00")),   // Sunday midnight
        fact(4, resident: 2, try at(day(2026, 11, 28), "23:59")),   // Saturday last minute
    ]
    let grid = FallsAnalytics.heatMap(facts)
    #expect(grid.count == 7 && grid.allSatisfy { $0.count == 24 })
    #expect(grid[0][14] == 2)
    #expect(grid[6][0] == 1)
    #expect(grid[5][23] == 1)
    #expect(grid.joined().reduce(0, +) == 4)
}

@Test("falls by location list every place, including those with none")
func byLocation() throws {
    let facts = [fact(1, resident: 1, try at(day(2026, 11, 1), "10:00"), location: .lounge),
                 fact(2, resident: 1, try at(day(2026, 11, 2), "10:00"), location: .lounge),
                 fact(3, resident: 1, try at(day(2026, 11, 3), "10:00"), location: .toilet)]
    let counts = FallsAnalytics.byLocation(facts)
    #expect(counts.count == FallLocation.allCases.count)
    #expect(counts.first { $0.location == .lounge }?.falls == 2)
    #expect(counts.first { $0.location == .stairs }?.falls == 0)
}

@Test("the last six months end with the current month and cross the year boundary")
func lastMonths() throws {
    let months = CalendarMonth.lastMonths(6, endingOn: try day(2027, 2, 10))
    #expect(months.map(\.iso) == ["2026-09", "2026-10", "2026-11", "2026-12", "2027-01", "2027-02"])
    #expect(months[0].display == "Sep 2026")
    #expect(months[5].last == (try day(2027, 2, 28)))
}
