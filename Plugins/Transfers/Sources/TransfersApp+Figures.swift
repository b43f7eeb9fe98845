import CareKit
import CareServices
import Foundation

extension TransfersApp {
    /// Everything the figures need from `start` to `end`, read once; `figures(for:)` then works out any
    /// period inside it.
    struct Gathered {
        let app: TransfersApp
        let directory: any ResidentDirectory
        let transfers: [Transfer]
        let reviews: [Int64: TransferReview]
        let falls: [Day]?
        let clocks: [AdmissionClock]?
        let deaths: [DeathRecord]
        let voice: [VoiceRecord]

        func figures(for period: Period) throws -> PeriodFigures {
            let today = app.today
            let through = period.countedThrough(today: today)
            let obd = through < period.start ? 0 : try directory.occupiedBedDays(from: period.start, to: through)
            var figures = PeriodFigures.compute(period: period, today: today, occupiedBedDays: obd, transfers: transfers, reviews: reviews,
                                                falls: falls, clocks: clocks, deaths: deaths, voice: voice)
            let services = app.context.services
            figures.rounds = try services.resolve(Services.roundFigures)?.roundFigures(from: period.start, through: period.end, today: today)
            figures.structuredReviews = try services.resolve(Services.medicationReviewFigures)?.structuredReviews(from: period.start, through: through)
            return figures
        }
    }

    func gather(from start: Day, to end: Day) throws -> Gathered {
        let directory = try directory()
        let (transfers, deaths, voice) = try database.read { db in
            (try TransfersStore.transfers(from: start, to: end, in: db), try TransfersStore.deaths(from: start, to: end, in: db),
             try TransfersStore.voice(from: start, to: end, in: db))
        }
        let reviews = try database.read { db in try TransfersStore.reviews(transferIDs: transfers.map(\.id), in: db) }
        var falls: [Day]?
        if let source = context.services.resolve(Services.falls) {
            do {
                falls = try source.falls(residentID: nil, since: HomeTime.startOf(start)).map { HomeTime.day(of: $0.occurredAt) }.filter { $0 <= end }
            } catch {
                context.log.warning("transfers.figures.falls-failed", ["error": String(describing: error)])
            }
        }
        let clocks = try directory.admissionClocks(startedFrom: start, to: end, today: today)
        return Gathered(app: self, directory: directory, transfers: transfers, reviews: reviews, falls: falls, clocks: clocks, deaths: deaths, voice: voice)
    }

    /// The period a request asks for (`from`, `to`), or `fallback`.
    static func period(_ form: FormData, from: String = "from", to: String = "to", fallback: Period?) -> Period? {
        guard let start = form[from].flatMap({ Day(parsing: $0) }), let end = form[to].flatMap({ Day(parsing: $0) }), start <= end,
              start.days(until: end) <= 3 * 366 else { return fallback }
        return Period(start: start, end: end)
    }

    /// The last complete calendar quarter before `today`.
    static func lastCompleteQuarter(_ today: Day) -> Period {
        Period.quarter(containing: Period.quarter(containing: today).start.adding(days: -1))
    }

    // MARK: Pages

    static func figureTable(_ figures: PeriodFigures, caption: String) -> HTML {
        let rows = figures.rows.map { row -> [HTML] in
            [HTML(text: row.title) + (row.small ? " " + UI.tag("Small numbers", colour: "yellow") : ""),
             HTML(text: row.count.map(String.init) ?? "No data"),
             HTML(text: Rates.format(row.per1000)), HTML(text: Rates.format(row.perResidentYear, decimals: 2)), HTML(text: row.note)]
        }
        return UI.table(caption: caption, headers: ["Figure", "Count", "Per 1,000 occupied bed days", "Per resident-year", "Behind it"], rows: rows)
    }

    static func periodForm(action: String, period: Period, before: Period?) -> HTML {
        """
        <form method="get" action="\(action)" class="transfers-period">\
        \(Form.input("from", label: "From", value: period.start.iso, errors: FormErrors(), type: "date"))\
        \(Form.input("to", label: "To", value: period.end.iso, errors: FormErrors(), type: "date"))\
        <details\(before == nil ? "" : " open")><summary>Compare with an earlier period (before and after)</summary>\
        \(Form.input("before_from", label: "Before: from", value: before?.start.iso, errors: FormErrors(), type: "date"))\
        \(Form.input("before_to", label: "Before: to", value: before?.end.iso, errors: FormErrors(), type: "date"))</details>\
        <button type="submit" class="button button-secondary">Show</button></form>
        """
    }

    func figuresPage(_ request: Request) throws -> Response {
        let fallback = Period(start: Period.months(12, endingWith: today)[0].start, end: today, title: "The last 12 months")
        let period = TransfersApp.period(request.query, fallback: fallback) ?? fallback
        let before = TransfersApp.period(request.query, from: "before_from", to: "before_to", fallback: nil)
        let earliest = min(period.start, before?.start ?? period.start, Period.months(12, endingWith: period.end)[0].start)
        let gathered = try gather(from: earliest, to: max(period.end, before?.end ?? period.end))
        let figures = try gathered.figures(for: period)
        context.audit.record(request, .view, residentID: nil, detail: "transfers figures \(period.start.iso) to \(period.end.iso)")
        var body: HTML = TransfersApp.periodForm(action: "/transfers/figures", period: period, before: before)
        body += "<p>\(UI.buttonLink("Print the EHCH impact pack", to: "/transfers/pack?\(period.query)")) \(UI.buttonLink("Download as CSV", to: "/transfers/figures.csv?\(period.query)\(before.map { "&before_from=\($0.start.iso)&before_to=\($0.end.iso)" } ?? "")", kind: "secondary"))</p>"
        body += UI.ruleReason(TransfersApp.definitions, source: "Own design; occupied bed days as the NHS counts them (a resident here at midnight), from the resident registry")
        body += UI.ruleReason(SmallNumbers.rule, source: "Own design")
        if let before {
            let comparison = Comparison(before: try gathered.figures(for: before), after: figures)
            body += UI.section("Before and after", TransfersApp.comparisonTable(comparison))
        }
        body += TransfersApp.figureTable(figures, caption: "\(period.title)")
        let months = try Period.months(12, endingWith: period.end).map { try gathered.figures(for: $0) }
        body += UI.section("Month by month", ImpactCharts.monthly(months, idPrefix: "fig") + TransfersApp.seriesTable(months, caption: "Month by month"))
        let quarters = try Period.quarters(4, endingWith: period.end).map { try gathered.figures(for: $0) }
        body += UI.section("Quarter by quarter", TransfersApp.seriesTable(quarters, caption: "Quarter by quarter"))
        body += UI.section("7-working-day clocks started in the period", try clockDrillDown(gathered, period: period))
        body += UI.section("Published figures for context (never targets)", TransfersApp.contextList())
        return .page(Page(title: "Hospital transfers: figures", breadcrumbs: TransfersApp.crumbs(), body: body))
    }

    static func comparisonTable(_ comparison: Comparison) -> HTML {
        var html: HTML = comparison.warning.map { UI.banner(.warning, title: "Small numbers", "<p>\($0)</p>") } ?? .empty
        let rows = comparison.lines.map { line -> [HTML] in
            func cell(_ row: PeriodFigures.Row) -> HTML {
                HTML(text: (row.count.map(String.init) ?? "No data") + (row.per1000.map { " (\(Rates.format($0)) per 1,000 OBD)" } ?? "") + (row.note.isEmpty ? "" : "; \(row.note)"))
            }
            return [HTML(text: line.before.title), cell(line.before), cell(line.after),
                    line.tooSmallToCompare ? UI.tag("Too few to compare", colour: "yellow") : HTML(text: line.direction ?? "")]
        }
        html += UI.table(caption: "\(comparison.before.period.title) (before) and \(comparison.after.period.title) (after)",
                         headers: ["Figure", "Before", "After", "Change per 1,000 occupied bed days"], rows: rows)
        return html
    }

    static func seriesTable(_ list: [PeriodFigures], caption: String) -> HTML {
        let rows = list.map { f -> [HTML] in
            [HTML(text: f.period.title), HTML(text: String(f.occupiedBedDays)),
             HTML(text: "\(f.emergencyAdmissions) (\(Rates.format(Rates.per1000(f.emergencyAdmissions, f.occupiedBedDays))))"),
             HTML(text: "\(f.aeAttendances) (\(Rates.format(Rates.per1000(f.aeAttendances, f.occupiedBedDays))))"),
             HTML(text: String(f.conveyances)), HTML(text: String(f.hospitalBedDays)),
             HTML(text: f.falls.map { f.occupiedBedDays == 0 ? "\($0)" : "\($0) (\(Rates.format(Rates.per1000($0, f.occupiedBedDays))))" } ?? "No data")]
        }
        return UI.table(caption: caption, headers: ["Period", "Occupied bed days", "Emergency admissions (per 1,000)", "A&E attendances (per 1,000)",
                                                    "Conveyances", "Nights in hospital", "Falls (per 1,000)"], rows: rows)
    }

    /// Each clock started in the period, with its items, linked to the registry's clock page.
    func clockDrillDown(_ gathered: Gathered, period: Period) throws -> HTML {
        guard let clocks = gathered.clocks else { return "<p>No data: the resident registry cannot give the clock history.</p>" }
        let started = clocks.filter { period.contains($0.startedOn) }.sorted { $0.startedOn < $1.startedOn }
        let rows = try started.map { c -> [HTML] in
            let name = try gathered.directory.resident(id: c.residentID)?.label ?? "Resident \(c.residentID)"
            return [UI.link(name, to: "/residents/\(c.residentID)/clock"), HTML(text: "\(c.startedOn.displayShort)\(c.isReadmission ? " (re-admission)" : "")"),
                    HTML(text: c.deadline.displayShort), HTML(text: c.assessment.summary), HTML(text: c.carePlan.summary), HTML(text: c.medicationReviewFlag.summary)]
        }
        return UI.table(caption: "Admissions and re-admissions", headers: ["Resident", "Started", "Deadline", "Assessment", "Care plan", "SMR flag"],
                        rows: rows, emptyMessage: "No admissions or re-admissions in this period.")
    }

    static func contextList() -> HTML {
        let rows = PublishedContext.figures.map { [HTML(text: $0.what), HTML(text: $0.value), HTML(text: $0.source)] }
        return "<p>\(PublishedContext.caution)</p>" + UI.table(caption: "Published figures", headers: ["What", "Figure", "Source"], rows: rows)
    }

    static let definitions = "Emergency admission: an unplanned transfer (a fall, a deterioration or something else) admitted to a hospital bed, through A&E or directly. A&E attendance: an unplanned transfer seen in A&E, admitted or not. Conveyance: an unplanned transfer by ambulance. Nights in hospital: nights away from the day they left to the day they came back, died or left, within the period. A transfer counts in the period of the day they left (a transfer on the last day of a quarter belongs to that quarter). Rates: per 1,000 occupied bed days, and per resident-year (365 occupied bed days). Readmission: an emergency admission within 30 days of coming back from an earlier admission. Possibly avoidable: the MDT's review said yes or possibly."

    // MARK: CSV

    func csv(_ request: Request) throws -> Response {
        let period = TransfersApp.period(request.query, fallback: TransfersApp.lastCompleteQuarter(today)) ?? TransfersApp.lastCompleteQuarter(today)
        let before = TransfersApp.period(request.query, from: "before_from", to: "before_to", fallback: nil)
        let gathered = try gather(from: min(period.start, before?.start ?? period.start), to: max(period.end, before?.end ?? period.end))
        var list = [try gathered.figures(for: period)]
        if let before { list.insert(try gathered.figures(for: before), at: 0) }
        var rows = [[String]]()
        for f in list {
            for row in f.rows {
                rows.append([f.period.start.iso, f.period.end.iso, row.key, row.title, row.count.map(String.init) ?? "no data",
                             row.per1000.map { Rates.format($0, decimals: 2) } ?? "", row.perResidentYear.map { Rates.format($0, decimals: 3) } ?? "",
                             row.small ? "yes" : "no", row.note])
            }
        }
        context.audit.record(request, .export, residentID: nil, detail: "transfers figures CSV \(period.start.iso) to \(period.end.iso)")
        return .csv(filename: "ehch-impact-\(period.start.iso)-\(period.end.iso).csv",
                    header: ["from", "to", "figure", "title", "count", "per_1000_occupied_bed_days", "per_resident_year", "small_numbers", "behind_it"], rows: rows)
    }
}
