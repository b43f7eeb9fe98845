import CareKit

/// Server-rendered SVG bar charts for the figures page and the pack: every bar carries its number as
/// text (readable printed in black and white), and a month with no data is drawn as a dashed empty box
/// marked "no data", never as a bar of zero.
enum ImpactCharts {
    struct Bar {
        let label: String
        /// nil: no data.
        let value: Double?
        let small: Bool
    }

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    static func bars(id: String, title: String, unit: String, bars: [Bar]) -> HTML {
        let width = 380.0, height = 170.0, left = 8.0, right = 8.0, top = 26.0, bottom = 30.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let maximum = max(bars.compactMap(\.value).max() ?? 0, 1)
        let slot = plotWidth / Double(max(bars.count, 1))
        var svg = "<text x=\"\(f(left))\" y=\"14\" font-size=\"11\">\(HTML.escape(unit))</text>"
        svg += "<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(top + plotHeight))\" y2=\"\(f(top + plotHeight))\" stroke=\"#0b0c0c\" stroke-width=\"1\"/>"
        var described = [String]()
        for (index, bar) in bars.enumerated() {
            let x = left + slot * Double(index) + slot * 0.15, w = slot * 0.7, cx = x + w / 2
            if let value = bar.value {
                let h = plotHeight * value / maximum
                svg += "<rect x=\"\(f(x))\" y=\"\(f(top + plotHeight - h))\" width=\"\(f(w))\" height=\"\(f(max(h, 0)))\" fill=\"\(bar.small ? "#8eb8dc" : "#1d70b8")\"><title>\(HTML.escape("\(bar.label): \(f(value))"))</title></rect>"
                svg += "<text x=\"\(f(cx))\" y=\"\(f(top + plotHeight - h - 3))\" text-anchor=\"middle\" font-size=\"9\">\(f(value))</text>"
                described.append("\(bar.label) \(f(value))")
            } else {
                svg += "<rect x=\"\(f(x))\" y=\"\(f(top))\" width=\"\(f(w))\" height=\"\(f(plotHeight))\" fill=\"none\" stroke=\"#505a5f\" stroke-dasharray=\"3 2\"><title>\(HTML.escape("\(bar.label): no data"))</title></rect>"
                svg += "<text x=\"\(f(cx))\" y=\"\(f(top + plotHeight / 2))\" text-anchor=\"middle\" font-size=\"8\" transform=\"rotate(-90 \(f(cx)) \(f(top + plotHeight / 2)))\">no data</text>"
                described.append("\(bar.label) no data")
            }
            svg += "<text x=\"\(f(cx))\" y=\"\(f(height - 16))\" text-anchor=\"middle\" font-size=\"9\">\(HTML.escape(bar.label))</text>"
        }
        let description = described.joined(separator: "; ") + ". Paler bars: fewer than 10 events."
        return HTML(trusted: """
        <figure class="transfers-figure" id="\(id)"><figcaption>\(HTML.escape(title))</figcaption>\
        <svg class="transfers-chart" viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-labelledby="\(id)-t \(id)-d" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif">\
        <title id="\(id)-t">\(HTML.escape(title))</title><desc id="\(id)-d">\(HTML.escape(description))</desc>\(svg)</svg></figure>
        """)
    }

    /// `Nov` from a month's period title (`Nov 2026`).
    static func shortMonth(_ p: Period) -> String { String(p.title.prefix(3)) }

    /// Emergency admissions and falls per 1,000 occupied bed days, month by month.
    static func monthly(_ months: [PeriodFigures], idPrefix: String) -> HTML {
        let admissions = months.map { m in
            Bar(label: shortMonth(m.period), value: Rates.per1000(m.emergencyAdmissions, m.occupiedBedDays), small: SmallNumbers.isSmall(m.emergencyAdmissions))
        }
        let falls = months.map { m in
            Bar(label: shortMonth(m.period), value: m.falls.flatMap { Rates.per1000($0, m.occupiedBedDays) }, small: SmallNumbers.isSmall(m.falls ?? 0))
        }
        return "<div class=\"transfers-charts\">"
            + bars(id: "\(idPrefix)-admissions", title: "Emergency admissions per 1,000 occupied bed days", unit: "per 1,000 OBD", bars: admissions)
            + bars(id: "\(idPrefix)-falls", title: "Falls per 1,000 occupied bed days", unit: "per 1,000 OBD (dashed: no data)", bars: falls)
            + "</div>"
    }
}
