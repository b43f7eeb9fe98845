import CareKit
import CareTesting
import Foundation
import Testing
@testable import TransfersPlugin

@Suite("Transfer figures against a home worked by hand")
struct TransferFiguresTests {
    @Test("Q1 2026: occupied bed days with hospital stays, a leaver and a death; admissions, A&E, conveyances, nights in hospital, rates")
    func quarterOne() throws {
        let (h, _) = try TransfersHome.build()
        let f = try h.figures(TransfersHome.q1)
        #expect(TransfersHome.q1.start == day(2026, 1, 1) && TransfersHome.q1.end == day(2026, 3, 31))
        #expect(f.occupiedBedDays == 246)                  // 80 + 30 + 47 + 89
        #expect(f.unplannedTransfers == 4 && f.plannedTransfers == 1)
        #expect(f.emergencyAdmissions == 3)                // A 10 Feb, A 1 Mar (direct), D 31 Mar
        #expect(f.aeAttendances == 3)                      // D 20 Jan (A&E only), A 10 Feb, D 31 Mar (the direct admission is not one)
        #expect(f.conveyances == 3)                        // by ambulance: D 20 Jan, A 10 Feb, A 1 Mar (family took D on 31 Mar)
        #expect(f.hospitalBedDays == 11)                   // 5 + 5 + the night of 31 Mar
        #expect(f.readmissions30Days == 1)                 // A back 15 Feb, in again 1 Mar: 14 days
        #expect(f.reviewed == 2 && f.possiblyAvoidable == 1)
        #expect(f.falls == 2)
        #expect(f.deaths == 1 && f.deathsWithPlan == 1)
        let rows = Dictionary(uniqueKeysWithValues: f.rows.map { ($0.key, $0) })
        let admissions = try #require(rows["emergency_admissions"])
        #expect(Rates.format(admissions.per1000) == "12.2")              // 3 × 1,000 / 246 = 12.195…
        #expect(Rates.format(admissions.perResidentYear, decimals: 2) == "4.45")  // 3 × 365 / 246 = 4.451…
        #expect(admissions.small)                                          // 3 < 10
        #expect(Rates.format(rows["falls"]?.per1000) == "8.1")            // 2 × 1,000 / 246 = 8.13
        #expect(Rates.format(rows["hospital_bed_days"]?.per1000) == "44.7") // 11 × 1,000 / 246 = 44.72
        #expect(rows["transfers_reviewed"]?.note == "2 of 4 (50%)")
        #expect(rows["possibly_avoidable"]?.note == "1 of 2 (50%)")
        #expect(rows["readmissions_30d"]?.note == "1 of 3 (33%)")
    }

    @Test("a transfer on the last day of a quarter counts in that quarter; its nights are split across the two")
    func lastDayOfQuarter() throws {
        let (h, t) = try TransfersHome.build()
        let q2 = try h.figures(TransfersHome.q2)
        #expect(q2.occupiedBedDays == 180)                 // A 91 + D 89 (away the nights of 1 and 2 Apr)
        #expect(q2.emergencyAdmissions == 0)
        #expect(q2.aeAttendances == 1 && q2.conveyances == 1) // A on 10 May
        #expect(q2.hospitalBedDays == 2)
        let march = try h.figures(Period.month(containing: day(2026, 3, 15)))
        #expect(march.occupiedBedDays == 75)               // A 26, C 19, D 30
        #expect(march.emergencyAdmissions == 2)
        // The transfer's own record: left 31 Mar, back 3 Apr (from the registry's movement): 3 nights.
        let page = try h.home.get("/transfers/\(t["D-31"] ?? 0)", as: .nurse).body
        #expect(page.contains("Came back Fri 3 Apr 2026: 3 nights"))
    }

    @Test("the 7-day clock history: on time, late and missing per item, with drill-down to each admission")
    func clockHistory() throws {
        let (h, _) = try TransfersHome.build()
        let clocks = try #require(try h.figures(TransfersHome.q1).clocks)
        #expect(clocks.admissions == 3)                    // C 1 Feb, A 15 Feb, A 6 Mar
        #expect(clocks.assessment == ClockItemCounts(onTime: 0, late: 1, missing: 2, stillDue: 0))
        #expect(clocks.carePlan == ClockItemCounts(onTime: 1, late: 0, missing: 2, stillDue: 0))
        #expect(clocks.medicationReviewFlag == ClockItemCounts(onTime: 1, late: 0, missing: 2, stillDue: 0))
        let page = try h.home.get("/transfers/figures?from=2026-01-01&to=2026-03-31", as: .manager).body
        #expect(page.contains("/residents/\(h.ids["C"] ?? 0)/clock"))
        #expect(page.contains("Done late by 2 working days"))  // C's assessment: 12 Feb against 10 Feb
    }

    @Test("deaths: where, whether in the preferred place, and whether a plan existed")
    func deaths() throws {
        let (h, _) = try TransfersHome.build()
        let record = try #require(try h.home.context.database.read { db in try db.queryOne("SELECT id, place, plan_existed FROM transfers_deaths") })
        #expect(record.string("place") == "here")         // from the registry's movement
        #expect(record.bool("plan_existed") == true)
        var f = try h.figures(TransfersHome.q1)
        #expect(f.deathsPreferredKnown == 0)               // nobody has said where they wanted to die yet
        #expect(try h.home.post("/transfers/deaths/\(record.int64("id") ?? 0)", as: .carer, form: [:]).status == 403)
        let saved = try h.home.post("/transfers/deaths/\(record.int64("id") ?? 0)", as: .nurse, form: ["place": "here", "preferred": "here", "plan_existed": "yes"])
        #expect(saved.status == 303)
        f = try h.figures(TransfersHome.q1)
        #expect(f.deathsInPreferredPlace == 1 && f.deathsPreferredKnown == 1)
    }

    @Test("falls: no data (falls log not loaded) is shown apart from zero")
    func fallsNoData() throws {
        let (without, _) = try TransfersHome.build(falls: false)
        let f = try without.figures(TransfersHome.q1)
        #expect(f.falls == nil)
        #expect(f.rows.first { $0.key == "falls" }?.note.contains("No data") == true)
        let chart = ImpactCharts.monthly(try Period.months(3, endingWith: day(2026, 3, 1)).map { try without.figures($0) }, idPrefix: "t")
        #expect(chart.rendered.contains("Mar no data"))
        let (with, _) = try TransfersHome.build()
        let may = try with.figures(Period.month(containing: day(2026, 5, 1)))
        #expect(may.falls == 0)                            // the log was in use: none is a real zero
        let withChart = ImpactCharts.monthly([may], idPrefix: "t")
        #expect(withChart.rendered.contains("May 0.0") && !withChart.rendered.contains("May no data"))
    }

    @Test("before and after: the counts behind every rate, and a plain warning under 10 events")
    func beforeAndAfter() throws {
        let (h, _) = try TransfersHome.build()
        let comparison = Comparison(before: try h.figures(TransfersHome.q1), after: try h.figures(TransfersHome.q2))
        let admissions = try #require(comparison.lines.first { $0.before.key == "emergency_admissions" })
        #expect(admissions.before.count == 3 && admissions.after.count == 0)
        #expect(admissions.tooSmallToCompare)
        let warning = try #require(comparison.warning)
        #expect(warning.contains("Too few events to compare: emergency admissions"))
        #expect(warning.contains("Fewer than 10 events"))
        let page = try h.home.get("/transfers/figures?from=2026-04-01&to=2026-06-30&before_from=2026-01-01&before_to=2026-03-31", as: .manager).body
        #expect(page.contains("Too few to compare"))
        #expect(page.contains("3 (12.2 per 1,000 OBD)"))
    }

    @Test("with 10 or more events in both periods the comparison is made, and says which way it went")
    func enoughToCompare() {
        func transfers(_ n: Int, from start: Day) -> [Transfer] {
            (0..<n).map { i in
                var t = Transfer(residentID: Int64(i), leftAt: HomeTime.combine(start.adding(days: i), time: "10:00") ?? Date(), reason: .deterioration,
                                 route: .ambulance999, byAmbulance: true, outcome: .admitted)
                t.id = Int64(i + 1)
                t.stayEndedOn = start.adding(days: i + 2)
                t.stayEnd = .returned
                return t
            }
        }
        let before = Period(start: day(2025, 1, 1), end: day(2025, 12, 31)), after = Period(start: day(2026, 1, 1), end: day(2026, 12, 31))
        let b = PeriodFigures.compute(period: before, today: day(2027, 1, 1), occupiedBedDays: 10_000, transfers: transfers(12, from: day(2025, 2, 1)),
                                      reviews: [:], falls: nil, clocks: nil, deaths: [], voice: [])
        let a = PeriodFigures.compute(period: after, today: day(2027, 1, 1), occupiedBedDays: 10_000, transfers: transfers(10, from: day(2026, 2, 1)),
                                      reviews: [:], falls: nil, clocks: nil, deaths: [], voice: [])
        let line = Comparison(before: b, after: a).lines.first { $0.before.key == "emergency_admissions" }
        #expect(line?.tooSmallToCompare == false)
        #expect(line?.direction == "Fewer")                // 1.2 → 1.0 per 1,000 occupied bed days
        #expect(line?.before.per1000 == 1.2 && line?.after.per1000 == 1.0)
    }

    @Test("quarters and months: boundaries and titles")
    func periods() {
        #expect(Period.quarter(containing: day(2026, 3, 31)).end == day(2026, 3, 31))
        #expect(Period.quarter(containing: day(2026, 4, 1)).start == day(2026, 4, 1))
        #expect(Period.quarter(containing: day(2026, 12, 31)).title == "Oct–Dec 2026")
        #expect(Period.month(containing: day(2024, 2, 10)).end == day(2024, 2, 29))
        #expect(Period.months(3, endingWith: day(2026, 1, 15)).map(\.title) == ["Nov 2025", "Dec 2025", "Jan 2026"])
        #expect(TransfersApp.lastCompleteQuarter(day(2026, 7, 15)) == Period.quarter(containing: day(2026, 6, 1)))
    }
}
