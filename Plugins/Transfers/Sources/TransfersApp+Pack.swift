import CareKit
import Foundation

extension TransfersApp {
    /// The one-page EHCH impact pack for the home's meeting with its PCN and ICB: A4, black and white,
    /// the home's name, the period and who printed it; counts only, no resident named.
    func pack(_ request: Request) throws -> Response {
        let fallback = TransfersApp.lastCompleteQuarter(today)
        let period = TransfersApp.period(request.query, fallback: fallback) ?? fallback
        let months = Period.months(12, endingWith: period.end)
        let gathered = try gather(from: min(months[0].start, period.start), to: period.end)
        let figures = try gathered.figures(for: period)
        let series = try months.map { try gathered.figures(for: $0) }
        context.audit.record(request, .print, residentID: nil, detail: "EHCH impact pack \(period.start.iso) to \(period.end.iso)")
        let home = homeName()
        let plans = try planSnapshot()
        let processKeys = Set(figures.processRows.map(\.key))
        let key = figures.rows.filter { !$0.key.hasPrefix("clock_") && $0.key != "admission_clocks" && !processKeys.contains($0.key) }.map { row -> [HTML] in
            [HTML(text: row.title) + (row.small ? " <span class=\"transfers-small\">(small numbers)</span>" : ""), HTML(text: row.count.map(String.init) ?? "No data"),
             HTML(text: Rates.format(row.per1000)), HTML(text: Rates.format(row.perResidentYear, decimals: 2)), HTML(text: row.note)]
        }
        var clockTable: HTML = "<p>7-day clock history: no data from the registry.</p>"
        if let clocks = figures.clocks {
            let items: [(String, ClockItemCounts)] = [("Comprehensive assessment", clocks.assessment), ("Care and support plan", clocks.carePlan),
                                                      ("SMR flag", clocks.medicationReviewFlag)]
            let rows: [[HTML]] = items.map { item in
                let c = item.1
                let cells: [String] = [item.0, String(c.onTime), String(c.late), String(c.missing), String(c.stillDue)]
                return cells.map { HTML(text: $0) }
            }
            clockTable = UI.table(caption: "EHCH 7-working-day clock: \(clocks.admissions) admissions and re-admissions", headers: ["Item", "On time", "Late", "Missing", "Still in window"], rows: rows)
        }
        let processRows = figures.processRows.map { row -> [HTML] in
            [HTML(text: row.title) + (row.small ? " <span class=\"transfers-small\">(small numbers)</span>" : ""),
             HTML(text: row.count.map(String.init) ?? "No data"), HTML(text: row.note)]
        }
        let process = UI.table(caption: "EHCH weekly round and medication reviews", headers: ["Figure", "Count", "Behind it"], rows: processRows)
        let reviewedToday = plans.withReviewInYear.map { " \($0) of \(plans.residents) have had a structured medication review in the last 12 months." } ?? ""
        let voiceRows = VoiceQuestion.allCases.map { q -> [HTML] in
            [HTML(text: q.short)] + VoiceAnswer.allCases.map { HTML(text: String(figures.voice[q]?[$0] ?? 0)) }
        }
        let voice = UI.table(caption: "Resident and family voice: \(figures.voiceRecords) asked", headers: ["Question"] + VoiceAnswer.allCases.map(\.title), rows: voiceRows)
        // A figure from another source than the briefing carries its own note (how far it was checked).
        let context = PublishedContext.figures.map { figure in
            "\(figure.what): \(figure.value)" + (figure.source == PublishedContext.healthFoundation ? "." : " (\(figure.source))")
        }.joined(separator: " ")
        let body: HTML = """
        <div class="transfers-pack">\
        <header class="transfers-pack-head"><p class="transfers-pack-home">\(home.isEmpty ? "The home" : home)</p>\
        <p>EHCH impact pack: \(period.title) (\(period.start.displayShort) to \(period.end.displayShort)). \
        Printed \(HomeTime.display(now())) by \(request.principal.displayName). Counts only: no resident is named.</p>\
        <p class="no-print">\(UI.link("Back to the figures", to: "/transfers/figures?\(period.query)")) · \(UI.link("CSV", to: "/transfers/figures.csv?\(period.query)")). Use your browser's Print command (A4).</p></header>\
        \(UI.table(caption: "Hospital use, deaths and falls", headers: ["Figure", "Count", "Per 1,000 OBD", "Per resident-year", "Behind it"], rows: key))\
        \(ImpactCharts.monthly(series, idPrefix: "pack"))\
        <div class="transfers-pack-pair">\(clockTable)\(process)</div>\
        \(voice)\
        <p>Today, \(plans.withPlan) of \(plans.residents) current residents have a ReSPECT form or advance care plan recorded.\(reviewedToday)</p>\
        <p class="transfers-pack-notes"><strong>How these are counted.</strong> \(TransfersApp.definitions) \(SmallNumbers.rule)</p>\
        <p class="transfers-pack-notes"><strong>Context, not targets.</strong> \(context) \(PublishedContext.healthFoundation) \(PublishedContext.caution)</p>\
        </div>
        """
        return .page(Page(title: "EHCH impact pack", breadcrumbs: TransfersApp.crumbs(("Figures", "/transfers/figures")), containsPersonalData: false, body: body))
    }
}
