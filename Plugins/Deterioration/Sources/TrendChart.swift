import CareKit
import Foundation

/// Server-rendered SVG trends: NEWS2 and each parameter over a period, the resident's usual drawn
/// as a band, every point labelled with its value (readable printed in black and white and on a
/// phone). The page puts the same numbers in a table beside the charts.
enum TrendChart {
    /// One plotted series.
    struct Series {
        let id: String
        let title: String
        let unit: String
        /// (time, value) oldest first.
        let points: [(Date, Double)]
        /// The usual range, if agreed.
        let usual: ClosedRange<Double>?
        /// The y axis range shown.
        let range: ClosedRange<Double>
        let decimals: Bool
    }

    static let width = 640, height = 170, left = 44, right = 12, top = 14, bottom = 26

    static func number(_ value: Double, _ decimals: Bool) -> String { decimals ? String(format: "%.1f", value) : String(Int(value.rounded())) }

    /// A chart of one series between `from` and `to`.
    static func chart(_ series: Series, from: Date, to: Date) -> HTML {
        let plotWidth = Double(width - left - right), plotHeight = Double(height - top - bottom)
        let span = max(to.timeIntervalSince(from), 1)
        let low = series.range.lowerBound, high = series.range.upperBound
        func x(_ date: Date) -> Double { Double(left) + plotWidth * min(max(date.timeIntervalSince(from) / span, 0), 1) }
        func y(_ value: Double) -> Double { Double(top) + plotHeight * (1 - (min(max(value, low), high) - low) / max(high - low, 0.0001)) }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        var content = ""
        // The usual, as a band.
        if let usual = series.usual {
            let y1 = y(usual.upperBound), y2 = y(usual.lowerBound)
            content += "<rect class=\"det-usual\" x=\"\(left)\" y=\"\(f(y1))\" width=\"\(Int(plotWidth))\" height=\"\(f(max(y2 - y1, 2)))\" fill=\"#cce2d8\"><title>Usual: \(number(usual.lowerBound, series.decimals))–\(number(usual.upperBound, series.decimals)) \(HTML.escape(series.unit))</title></rect>"
        }
        // Axes: the range's ends and the middle.
        for value in [low, (low + high) / 2, high] {
            content += "<line x1=\"\(left)\" x2=\"\(width - right)\" y1=\"\(f(y(value)))\" y2=\"\(f(y(value)))\" stroke=\"#b1b4b6\" stroke-width=\"1\"/>"
            content += "<text x=\"\(left - 4)\" y=\"\(f(y(value) + 4))\" text-anchor=\"end\" font-size=\"11\">\(number(value, series.decimals))</text>"
        }
        content += "<text x=\"\(left)\" y=\"\(height - 6)\" font-size=\"11\">\(HTML.escape(HomeTime.display(from)))</text>"
        content += "<text x=\"\(width - right)\" y=\"\(height - 6)\" font-size=\"11\" text-anchor=\"end\">\(HTML.escape(HomeTime.display(to)))</text>"
        if series.points.count > 1 {
            let path = series.points.map { "\(f(x($0.0))),\(f(y($0.1)))" }.joined(separator: " ")
            content += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"#1d70b8\" stroke-width=\"2\"/>"
        }
        // Label at most ~24 points so the text stays readable; every point keeps its tooltip.
        let labelEvery = max(1, series.points.count / 24)
        for (index, point) in series.points.enumerated() {
            let label = "\(HomeTime.display(point.0)): \(number(point.1, series.decimals)) \(series.unit)"
            content += "<circle cx=\"\(f(x(point.0)))\" cy=\"\(f(y(point.1)))\" r=\"3.5\" fill=\"#0b0c0c\"><title>\(HTML.escape(label))</title></circle>"
            if index % labelEvery == 0 || index == series.points.count - 1 {
                content += "<text x=\"\(f(x(point.0)))\" y=\"\(f(y(point.1) - 7))\" text-anchor=\"middle\" font-size=\"11\">\(number(point.1, series.decimals))</text>"
            }
        }
        let description = series.points.isEmpty ? "No readings in this period." :
            "\(series.points.count) readings; latest \(number(series.points.last?.1 ?? 0, series.decimals)) \(series.unit)"
            + (series.usual.map { "; usual \(number($0.lowerBound, series.decimals))–\(number($0.upperBound, series.decimals))" } ?? "")
        return HTML(trusted: """
        <figure class="det-figure" id="\(series.id)"><figcaption>\(HTML.escape(series.title))</figcaption>\
        <svg class="det-chart" viewBox="0 0 \(width) \(height)" role="img" aria-labelledby="\(series.id)-t \(series.id)-d" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif">\
        <title id="\(series.id)-t">\(HTML.escape(series.title))</title><desc id="\(series.id)-d">\(HTML.escape(description))</desc>\(content)</svg></figure>
        """)
    }

    /// NEWS2 and each measured parameter for a resident's sets.
    static func charts(sets: [ObservationSet], baseline: Baseline?, from: Date, to: Date, idPrefix: String) -> HTML {
        let usual = baseline?.usual
        func band(_ value: Double?, _ tolerance: Double) -> ClosedRange<Double>? { value.map { ($0 - tolerance)...($0 + tolerance) } }
        var list = [Series]()
        let totals = sets.compactMap { set in set.score.total.map { (set.takenAt, Double($0)) } }
        list.append(Series(id: "\(idPrefix)-news2", title: "NEWS2 total", unit: "", points: totals,
                           usual: baseline.map { 0...Double($0.usualNEWS2) }, range: 0...Double(max(8, (totals.map(\.1).max() ?? 0) + 1)), decimals: false))
        func add(_ id: String, _ title: String, _ unit: String, _ value: (ObservationSet) -> Double?, usual: ClosedRange<Double>?, range: ClosedRange<Double>, decimals: Bool = false) {
            let points = sets.compactMap { set in value(set).map { (set.takenAt, $0) } }
            guard !points.isEmpty else { return }
            let lowest = min(range.lowerBound, points.map(\.1).min() ?? range.lowerBound), highest = max(range.upperBound, points.map(\.1).max() ?? range.upperBound)
            list.append(Series(id: "\(idPrefix)-\(id)", title: title, unit: unit, points: points, usual: usual, range: lowest...highest, decimals: decimals))
        }
        add("resp", "Breathing rate", "/min", { $0.respirationRate.map(Double.init) }, usual: band(usual?.respirationRate.map(Double.init), 2), range: 8...30)
        add("spo2", "Oxygen saturation", "%", { $0.oxygenSaturation.map(Double.init) }, usual: band(usual?.oxygenSaturation.map(Double.init), 2), range: 85...100)
        add("sys", "Systolic blood pressure", "mmHg", { $0.systolic.map(Double.init) }, usual: band(usual?.systolic.map(Double.init), 10), range: 90...180)
        add("pulse", "Pulse", "/min", { $0.pulse.map(Double.init) }, usual: band(usual?.pulse.map(Double.init), 10), range: 50...120)
        add("temp", "Temperature", "°C", { $0.temperature }, usual: band(usual?.temperature, 0.3), range: 35.5...38.5, decimals: true)
        return list.map { chart($0, from: from, to: to) }.reduce(HTML.empty, +)
    }
}
