import CareKit

/// Server-rendered SVG charts: no JavaScript, no external assets, readable in black and white on
/// paper (every bar carries its number as text). Each bar or cell links to the falls behind it.
/// Every chart sits in a `<figure>` whose caption names it; the page puts a data table beside it.
/// The SVG is a labelled group, not an image, because its bars are links (each named for screen readers).
enum FallsCharts {
    struct Bar {
        let value: Double
        let valueText: String
        let href: String
        /// Read out and shown on hover: `Nov 2026: 3 falls`.
        let tooltip: String
    }

    struct Series {
        let name: String
        let fill: String
        let cssClass: String
        /// One bar per category, in category order.
        let bars: [Bar]
    }

    static func number(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return tenths % 10 == 0 ? String(tenths / 10) : "\(tenths / 10).\(tenths % 10)"
    }

    /// A round upper limit for an axis (1, 2, 5, 10, 20, 50…).
    static func niceMaximum(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        var step = 1.0
        while step * 10 <= value { step *= 10 }
        while step > value * 10 { step /= 10 }
        for factor in [1.0, 2.0, 5.0, 10.0] where step * factor >= value { return step * factor }
        return step * 10
    }

    /// The power of ten at or below `value` (1 for 1–9.9, 10 for 10–99…).
    static func pow10(below value: Double) -> Double {
        var power = 1.0
        while power * 10 <= value { power *= 10 }
        while power > value && power > 1e-6 { power /= 10 }
        return power
    }

    private static func frame(id: String, title: String, description: String, width: Int, height: Int, _ content: HTML) -> HTML {
        """
        <figure class="falls-figure" id="\(id)"><figcaption>\(title)</figcaption>\
        <svg class="falls-chart" viewBox="0 0 \(width) \(height)" width="\(width)" height="\(height)" role="group" aria-labelledby="\(id)-title \(id)-desc" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif">\
        <title id="\(id)-title">\(title)</title><desc id="\(id)-desc">\(description)</desc>\(content)</svg></figure>
        """
    }

    /// Vertical bars, grouped by category (e.g. months), one bar per series in each group.
    static func columns(id: String, title: String, description: String, categories: [String], series: [Series], unit: String) -> HTML {
        let width = 760, height = 320, left = 48, right = 28, top = 36, bottom = 44
        let plotWidth = Double(width - left - right), plotHeight = Double(height - top - bottom)
        let maxValue = niceMaximum(series.flatMap(\.bars).map(\.value).max() ?? 0)
        var svg: HTML = ""
        // Grid lines and axis labels.
        // Round tick values: 50 → 0, 10 … 50; 20 → 0, 5 … 20.
        let leading = maxValue / pow10(below: maxValue)
        let steps = leading == 2 ? 4 : 5
        for step in 0...steps {
            let value = maxValue * Double(step) / Double(steps)
            let y = Double(top) + plotHeight - plotHeight * Double(step) / Double(steps)
            svg += "<line x1=\"\(left)\" x2=\"\(width - right)\" y1=\"\(number(y))\" y2=\"\(number(y))\" stroke=\"#b1b4b6\" stroke-width=\"1\"/>"
            svg += "<text x=\"\(left - 6)\" y=\"\(number(y + 4))\" text-anchor=\"end\" font-size=\"11\" fill=\"#0b0c0c\">\(number(value))</text>"
        }
        svg += "<text x=\"4\" y=\"14\" font-size=\"11\" fill=\"#0b0c0c\">\(unit)</text>"
        // Legend.
        var legendX = Double(width - right) - Double(series.count) * 170
        for s in series {
            svg += "<rect x=\"\(number(legendX))\" y=\"6\" width=\"12\" height=\"12\" fill=\"\(s.fill)\" class=\"\(s.cssClass)\"/>"
            svg += "<text x=\"\(number(legendX + 16))\" y=\"16\" font-size=\"12\" fill=\"#0b0c0c\">\(s.name)</text>"
            legendX += 170
        }
        let groupWidth = plotWidth / Double(max(categories.count, 1))
        let barWidth = groupWidth * 0.8 / Double(max(series.count, 1))
        for (index, category) in categories.enumerated() {
            let groupX = Double(left) + groupWidth * Double(index) + groupWidth * 0.1
            for (seriesIndex, s) in series.enumerated() where index < s.bars.count {
                let bar = s.bars[index]
                let barHeight = plotHeight * bar.value / maxValue
                let x = groupX + barWidth * Double(seriesIndex)
                let y = Double(top) + plotHeight - barHeight
                svg += """
                <a href="\(bar.href)" aria-label="\(bar.tooltip)"><rect x="\(number(x))" y="\(number(y))" width="\(number(barWidth - 2))" height="\(number(max(barHeight, 0.5)))" fill="\(s.fill)" class="\(s.cssClass)"><title>\(bar.tooltip)</title></rect>\
                <text x="\(number(x + (barWidth - 2) / 2))" y="\(number(y - 3))" text-anchor="middle" font-size="10" fill="#0b0c0c">\(bar.valueText)</text></a>
                """
            }
            svg += "<text x=\"\(number(groupX + groupWidth * 0.4))\" y=\"\(height - bottom + 16)\" text-anchor=\"middle\" font-size=\"11\" fill=\"#0b0c0c\">\(category)</text>"
        }
        svg += "<line x1=\"\(left)\" x2=\"\(width - right)\" y1=\"\(top + Int(plotHeight))\" y2=\"\(top + Int(plotHeight))\" stroke=\"#0b0c0c\" stroke-width=\"1\"/>"
        return frame(id: id, title: title, description: description, width: width, height: height, svg)
    }

    /// Horizontal bars with a label each (locations, residents).
    static func horizontalBars(id: String, title: String, description: String, labels: [String], bars: [Bar], fill: String = "#1d70b8") -> HTML {
        let rowHeight = 26, left = 190, right = 40, top = 8
        let width = 760, height = top * 2 + rowHeight * max(labels.count, 1)
        let plotWidth = Double(width - left - right)
        let maxValue = niceMaximum(bars.map(\.value).max() ?? 0)
        var svg: HTML = ""
        for (index, label) in labels.enumerated() where index < bars.count {
            let bar = bars[index]
            let y = top + rowHeight * index
            let barWidth = plotWidth * bar.value / maxValue
            svg += "<text x=\"\(left - 8)\" y=\"\(y + 17)\" text-anchor=\"end\" font-size=\"12\" fill=\"#0b0c0c\">\(label)</text>"
            svg += """
            <a href="\(bar.href)" aria-label="\(bar.tooltip)"><rect x="\(left)" y="\(y + 4)" width="\(number(max(barWidth, 0.5)))" height="\(rowHeight - 8)" fill="\(fill)" class="falls-bar"><title>\(bar.tooltip)</title></rect>\
            <text x="\(number(Double(left) + barWidth + 6))" y="\(y + 17)" font-size="12" fill="#0b0c0c">\(bar.valueText)</text></a>
            """
        }
        return frame(id: id, title: title, description: description, width: width, height: height, svg)
    }

    /// Hour of day (columns) by day of week (rows, Monday first). Darker is more falls; each cell
    /// with falls shows its number and links to them.
    static func heatMap(id: String, title: String, description: String, grid: [[Int]], href: (Weekday, Int) -> String) -> HTML {
        let cell = 28, left = 44, top = 22
        let width = left + cell * 24 + 4, height = top + cell * 7 + 4
        let maxCount = max(grid.joined().max() ?? 0, 1)
        var svg: HTML = ""
        for hour in stride(from: 0, to: 24, by: 3) {
            svg += "<text x=\"\(left + cell * hour + cell / 2)\" y=\"\(top - 6)\" text-anchor=\"middle\" font-size=\"11\" fill=\"#0b0c0c\">\(FallsText.pad2(hour)):00</text>"
        }
        for weekday in Weekday.allCases {
            let row = weekday.rawValue - 1
            let y = top + cell * row
            svg += "<text x=\"\(left - 6)\" y=\"\(y + cell / 2 + 4)\" text-anchor=\"end\" font-size=\"11\" fill=\"#0b0c0c\">\(weekday.shortName)</text>"
            for hour in 0..<24 {
                let count = row < grid.count && hour < grid[row].count ? grid[row][hour] : 0
                let x = left + cell * hour
                if count == 0 {
                    svg += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(cell - 2)\" height=\"\(cell - 2)\" fill=\"#f3f2f1\" class=\"falls-cell-empty\"/>"
                    continue
                }
                let intensity = 0.2 + 0.8 * Double(count) / Double(maxCount)
                let textFill = intensity > 0.55 ? "#ffffff" : "#0b0c0c"
                let tip = "\(weekday.name) \(FallsText.hourRange(hour)): \(count) \(count == 1 ? "fall" : "falls")"
                svg += """
                <a href="\(href(weekday, hour))" aria-label="\(tip)"><rect x="\(x)" y="\(y)" width="\(cell - 2)" height="\(cell - 2)" fill="#003078" fill-opacity="\(number(intensity))" stroke="#0b0c0c" stroke-width="0.5" class="falls-cell"><title>\(tip)</title></rect>\
                <text x="\(x + (cell - 2) / 2)" y="\(y + cell / 2 + 3)" text-anchor="middle" font-size="11" font-weight="bold" fill="\(textFill)">\(count)</text></a>
                """
            }
        }
        return frame(id: id, title: title, description: description, width: width, height: height, svg)
    }
}
