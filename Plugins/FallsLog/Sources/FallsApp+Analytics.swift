import Foundation
import CareKit

// MARK: - Figures and the CSV export

extension FallsApp {
    /// How many months the figures cover (6, 12 or 24; 12 unless asked).
    static func months(_ query: FormData) -> Int {
        switch query["months"] {
        case "6": 6
        case "24": 24
        default: 12
        }
    }

    func analytics(_ request: Request) throws -> Response {
        let today = HomeTime.today(now())
        let monthCount = FallsApp.months(request.query)
        let months = CalendarMonth.lastMonths(monthCount, endingOn: today)
        guard let first = months.first else { throw CareError.badRequest("No months to show.") }
        let since = HomeTime.startOf(first.first)
        let sinceISO = first.first.iso
        let falls = try database.read { db in try FallsStore.falls(since: since, in: db) }
        let facts = falls.map(\.fact)
        let directory = try directory()
        let monthly = try FallsAnalytics.monthly(facts, months: months, today: today, occupiedBedDays: directory.occupiedBedDays)
        let sixMonthsAgo = HomeTime.startOf(today.adding(months: -6))
        let repeaters = FallsAnalytics.repeatFallers(try database.read { db in try FallsStore.falls(since: sixMonthsAgo, in: db) }.map(\.fact),
                                                     since: sixMonthsAgo)
        let residents = try residents(for: repeaters.map(\.residentID))
        context.audit.record(request, .view, residentID: nil, detail: "falls figures")

        // Headline numbers.
        let totalOBD = monthly.map(\.occupiedBedDays).reduce(0, +)
        let injurious = facts.filter(\.injured).count
        let headline = UI.summaryList([
            ("Falls", UI.link(String(facts.count), to: "/falls?since=\(sinceISO)")
                + HTML(text: " (\(FallsAnalytics.format(FallsAnalytics.per1000(facts.count, totalOBD))) per 1,000 occupied bed days)")),
            ("Injurious falls", UI.link(String(injurious), to: "/falls?injured=yes&since=\(sinceISO)")
                + HTML(text: " (\(FallsAnalytics.format(FallsAnalytics.per1000(injurious, totalOBD))) per 1,000 occupied bed days)")),
            ("Long lies (1 hour or more)", UI.link(String(facts.filter(\.longLie).count), to: "/falls?long-lie=yes&since=\(sinceISO)")),
            ("Fractures", UI.link(String(facts.filter(\.fracture).count), to: "/falls?fracture=yes&since=\(sinceISO)")),
            ("Occupied bed days", HTML(text: String(totalOBD))),
        ])

        // 1. Rates by month.
        let categories = months.map { $0.month == 1 || $0 == months.first ? $0.display : String($0.display.prefix(3)) }
        let rateChart = FallsCharts.columns(
            id: "falls-rate", title: "Falls and injurious falls per 1,000 occupied bed days, by month",
            description: "Bar chart. The table below gives the same numbers.", categories: categories,
            series: [
                FallsCharts.Series(name: "All falls", fill: "#1d70b8", cssClass: "falls-bar", bars: monthly.map { m in
                    FallsCharts.Bar(value: m.fallsRate ?? 0, valueText: FallsAnalytics.format(m.fallsRate), href: "/falls?month=\(m.month.iso)",
                                    tooltip: "\(m.month.display): \(m.falls) falls, \(FallsAnalytics.format(m.fallsRate)) per 1,000 bed days")
                }),
                FallsCharts.Series(name: "Injurious falls", fill: "#d4351c", cssClass: "falls-bar-injurious", bars: monthly.map { m in
                    FallsCharts.Bar(value: m.injuriousRate ?? 0, valueText: FallsAnalytics.format(m.injuriousRate),
                                    href: "/falls?month=\(m.month.iso)&injured=yes",
                                    tooltip: "\(m.month.display): \(m.injurious) injurious falls, \(FallsAnalytics.format(m.injuriousRate)) per 1,000 bed days")
                }),
            ], unit: "per 1,000 occupied bed days")
        let rateRows = monthly.map { m -> [HTML] in
            [HTML(text: m.month.display), UI.link(String(m.falls), to: "/falls?month=\(m.month.iso)"),
             UI.link(String(m.injurious), to: "/falls?month=\(m.month.iso)&injured=yes"), HTML(text: String(m.occupiedBedDays)),
             HTML(text: FallsAnalytics.format(m.fallsRate)), HTML(text: FallsAnalytics.format(m.injuriousRate))]
        }
        let rateTable = UI.table(caption: "Falls per 1,000 occupied bed days by month (the current month to today)",
                                 headers: ["Month", "Falls", "Injurious falls", "Occupied bed days", "Falls per 1,000", "Injurious per 1,000"],
                                 rows: rateRows)

        // 2. Residents with two or more falls in six months.
        let repeatLabels = repeaters.map { residents[$0.residentID]?.label ?? "Resident \($0.residentID)" }
        let sixISO = HomeTime.day(of: sixMonthsAgo).iso
        let repeatChart: HTML = repeaters.isEmpty ? "<p class=\"empty\">No resident has fallen twice or more in the last six months.</p>" :
            FallsCharts.horizontalBars(
                id: "falls-repeat", title: "Residents with two or more falls in the last six months",
                description: "Bar chart of falls per resident. The table below gives the same numbers.", labels: repeatLabels,
                bars: repeaters.map { r in
                    FallsCharts.Bar(value: Double(r.falls), valueText: String(r.falls), href: "/falls?resident=\(r.residentID)&since=\(sixISO)",
                                    tooltip: "\(residents[r.residentID]?.label ?? ""): \(r.falls) falls")
                }, fill: "#912b88")
        let repeatTable = UI.table(caption: "Residents with two or more falls since \(HomeTime.day(of: sixMonthsAgo).displayShort)",
                                   headers: ["Resident", "Falls", "Last fall"],
                                   rows: repeaters.map { r in
                                       [residentLink(r.residentID, residents), UI.link(String(r.falls), to: "/falls?resident=\(r.residentID)&since=\(sixISO)"),
                                        HTML(text: HomeTime.display(r.lastFall))]
                                   }, emptyMessage: "None.")

        // 3. Where.
        let locations = FallsAnalytics.byLocation(facts)
        let whereChart = FallsCharts.horizontalBars(
            id: "falls-where", title: "Where falls happened", description: "Bar chart of falls by location. The table below gives the same numbers.",
            labels: locations.map(\.location.title),
            bars: locations.map { l in
                FallsCharts.Bar(value: Double(l.falls), valueText: String(l.falls), href: "/falls?location=\(l.location.rawValue)&since=\(sinceISO)",
                                tooltip: "\(l.location.title): \(l.falls) falls")
            })
        let whereTable = UI.table(caption: "Falls by location", headers: ["Where", "Falls"],
                                  rows: locations.filter { $0.falls > 0 }.map { l in
                                      [HTML(text: l.location.title), UI.link(String(l.falls), to: "/falls?location=\(l.location.rawValue)&since=\(sinceISO)")]
                                  }, emptyMessage: "No falls.")

        // 4. When.
        let grid = FallsAnalytics.heatMap(facts)
        let whenChart = FallsCharts.heatMap(
            id: "falls-when", title: "When falls happened: hour of day by day of week",
            description: "Heat map; darker squares mean more falls, and each square shows its number. The table below lists every hour with falls.",
            grid: grid) { weekday, hour in "/falls?weekday=\(weekday.rawValue)&hour=\(hour)&since=\(sinceISO)" }
        var whenRows = [[HTML]]()
        for weekday in Weekday.allCases {
            for hour in 0..<24 where grid[weekday.rawValue - 1][hour] > 0 {
                let count = grid[weekday.rawValue - 1][hour]
                whenRows.append([HTML(text: weekday.name), HTML(text: FallsText.hourRange(hour)),
                                 UI.link(String(count), to: "/falls?weekday=\(weekday.rawValue)&hour=\(hour)&since=\(sinceISO)")])
            }
        }
        var hourTotals = Array(repeating: 0, count: 24)
        for row in grid { for (hour, count) in row.enumerated() { hourTotals[hour] += count } }
        let busiest = hourTotals.enumerated().filter { $0.element > 0 }.sorted { $0.element > $1.element }.prefix(3)
            .map { "\(FallsText.hourRange($0.offset)) (\($0.element))" }
        let whenSummary: HTML = busiest.isEmpty ? .empty : "<p>Busiest hours: \(busiest.joined(separator: ", ")).</p>"
        let whenTable = UI.table(caption: "Falls by day of week and hour", headers: ["Day", "Hour", "Falls"], rows: whenRows, emptyMessage: "No falls.")

        // 5. Long lies and fractures.
        let harmChart = FallsCharts.columns(
            id: "falls-harm", title: "Long lies and fractures, by month", description: "Bar chart of counts. The table below gives the same numbers.",
            categories: categories,
            series: [
                FallsCharts.Series(name: "Long lies", fill: "#f47738", cssClass: "falls-bar-long-lie", bars: monthly.map { m in
                    FallsCharts.Bar(value: Double(m.longLies), valueText: String(m.longLies), href: "/falls?month=\(m.month.iso)&long-lie=yes",
                                    tooltip: "\(m.month.display): \(m.longLies) long lies")
                }),
                FallsCharts.Series(name: "Fractures", fill: "#0b0c0c", cssClass: "falls-bar-fracture", bars: monthly.map { m in
                    FallsCharts.Bar(value: Double(m.fractures), valueText: String(m.fractures), href: "/falls?month=\(m.month.iso)&fracture=yes",
                                    tooltip: "\(m.month.display): \(m.fractures) fractures")
                }),
            ], unit: "count")
        let harmTable = UI.table(caption: "Long lies and fractures by month", headers: ["Month", "Long lies", "Fractures"],
                                 rows: monthly.map { m in
                                     [HTML(text: m.month.display), UI.link(String(m.longLies), to: "/falls?month=\(m.month.iso)&long-lie=yes"),
                                      UI.link(String(m.fractures), to: "/falls?month=\(m.month.iso)&fracture=yes")]
                                 })

        let periodLinks = [6, 12, 24].map { n -> HTML in
            n == monthCount ? "<strong>\(n) months</strong>" : UI.link("\(n) months", to: "/falls/analytics?months=\(n)")
        }
        let body: HTML = """
        <p class="lead">\(first.display) to \(today.displayShort). Falls entered in error are left out. Select a bar or square to see the falls behind it.</p>
        <p class="falls-period">Period: \(periodLinks.map { $0 + " " }) · \(UI.link("Download the falls as CSV", to: "/falls/analytics/falls.csv?months=\(monthCount)"))</p>
        \(headline)
        \(UI.section("Falls per 1,000 occupied bed days", rateChart + rateTable))
        \(UI.section("Repeat falls", repeatChart + repeatTable))
        \(UI.section("Where", whereChart + whereTable))
        \(UI.section("When", whenChart + whenSummary + whenTable))
        \(UI.section("Long lies and fractures", harmChart + harmTable))
        <p class="rule-reason">Rates are falls per 1,000 occupied bed days (residents sleeping in the home, from the resident register). No falls risk score is shown: NICE NG249 advises against risk prediction tools; see each resident's falls assessment. <span class="rule-source">Source: NICE NG249 (2025); NHS falls measurement practice.</span></p>
        """
        return .page(Page(title: "Falls figures", breadcrumbs: FallsApp.breadcrumbs(), body: body))
    }

    func exportCSV(_ request: Request) throws -> Response {
        let today = HomeTime.today(now())
        let months = CalendarMonth.lastMonths(FallsApp.months(request.query), endingOn: today)
        let since = HomeTime.startOf(months.first?.first ?? today)
        let falls = try database.read { db in try FallsStore.falls(since: since, in: db) }.reversed()
        let residents = try residents(for: falls.map(\.residentID))
        context.audit.record(request, .export, residentID: nil, detail: "falls CSV, \(falls.count) falls")
        let rows = falls.map { fall -> [String] in
            let fact = fall.fact
            let resident = residents[fall.residentID]
            return [String(fall.id), fact.day.iso, HomeTime.displayTime(fall.occurredAt), fact.weekday.name, String(fall.residentID),
                    resident?.label ?? "", fall.location.title, fall.locationDetail, fall.activity?.title ?? "",
                    fall.witnessed ? "Yes" : "No", fall.headStrike.title, fall.injured ? "Yes" : "No", fall.injuries, fall.harm?.title ?? "",
                    fall.timeOnFloor.map { String($0.minutes) } ?? "", fall.isLongLie ? "Yes" : "No", FallsText.yesNo(fall.fracture),
                    fall.called.map(\.title).joined(separator: "; "), FallsText.yesNo(fall.conveyed), FallsText.yesNo(fall.admitted),
                    fall.status.title]
        }
        return .csv(filename: "falls-\(today.iso).csv",
                    header: ["Fall", "Date", "Time", "Day", "Resident ID", "Resident", "Where", "Where exactly", "Doing what", "Witnessed",
                             "Head strike", "Injured", "Injuries", "Harm", "Minutes on floor", "Long lie", "Fracture", "Called",
                             "Conveyed", "Admitted", "Record"],
                    rows: rows)
    }
}
