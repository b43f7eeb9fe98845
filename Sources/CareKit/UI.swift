import Foundation

/// Shared page components, styled by the appliance's own stylesheet. Class names are part of the
/// contract (see README.md): `banner-danger`, `tag-red`, `data` tables, `summary-list`.
public enum UI {
    /// A banner's meaning.
    @frozen public enum Tone: String, Sendable { case info, success, warning, danger }

    /// A prominent notice. `danger` is for "call 999 — do not lift"; `warning` for things to act on.
    public static func banner(_ tone: Tone, title: String, _ body: HTML = .empty) -> HTML {
        let role: HTML = tone == .danger || tone == .warning ? " role=\"alert\"" : ""
        return "<div class=\"banner banner-\(tone.rawValue)\"\(role)><p class=\"banner-title\">\(title)</p>\(body)</div>"
    }

    /// Content that appears as soon as any question in the element `scopeID` is answered `value`,
    /// before the form is sent (a "Call 999" banner while the carer is still answering). Where the
    /// appliance's script does not run it shows only when `shown` (the server's own judgement after
    /// the form was sent), so the page never depends on the script.
    public static func shownWhenAnswered(_ value: String, in scopeID: String, shown: Bool, _ content: HTML) -> HTML {
        "<div class=\"shown-when-answered\" data-shown-when=\"\(value)\" data-scope=\"\(scopeID)\"\(shown ? HTML.empty : " hidden")>\(content)</div>"
    }

    /// A small coloured label (`Overdue`, `High`). Colours: `grey`, `blue`, `green`, `yellow`, `orange`, `red`.
    public static func tag(_ text: String, colour: String = "grey") -> HTML {
        "<strong class=\"tag tag-\(colour)\">\(text)</strong>"
    }

    /// A list of key/value rows (a record's details).
    public static func summaryList(_ rows: [(key: String, value: HTML)]) -> HTML {
        // dt and dd sit directly in the dl (no grouping div), which every screen reader and checker accepts.
        let items = rows.map { row -> HTML in "<dt>\(row.key)</dt><dd>\(row.value)</dd>" }
        return "<dl class=\"summary-list\">\(items)</dl>"
    }

    /// A data table with a caption and header row; `rows` are cells of HTML. Every header needs a
    /// name: over a column of buttons, use `table(caption:headerCells:…)` with `UI.visuallyHidden`.
    public static func table(caption: String, headers: [String], rows: [[HTML]], emptyMessage: String = "Nothing to show.") -> HTML {
        table(caption: caption, headerCells: headers.map { HTML(text: $0) }, rows: rows, emptyMessage: emptyMessage)
    }

    /// A data table whose header cells are HTML, such as `UI.visuallyHidden("Mark done")` over a
    /// column whose purpose is plain on screen but must still be named for a screen reader.
    public static func table(caption: String, headerCells: [HTML], rows: [[HTML]], emptyMessage: String = "Nothing to show.") -> HTML {
        guard !rows.isEmpty else { return "<p class=\"empty\">\(emptyMessage)</p>" }
        let head = headerCells.map { header -> HTML in "<th scope=\"col\">\(header)</th>" }
        let body = rows.map { row -> HTML in "<tr>\(row.map { cell -> HTML in "<td>\(cell)</td>" })</tr>" }
        // The box scrolls sideways when the table is wider than the screen: it is a named region that
        // a keyboard can reach and scroll with the arrow keys (WCAG 2.1.1; axe: scrollable-region-focusable).
        return """
        <div class="table-wrap" role="region" aria-label="\(caption)" tabindex="0"><table class="data"><caption>\(caption)</caption><thead><tr>\(head)</tr></thead><tbody>\(body)</tbody></table></div>
        """
    }

    /// A table of things to act on (checks due, actions): on a tablet or a desktop a table; on a phone
    /// each row becomes a card with its action button first and every cell labelled with its column, so
    /// nothing sits cut off in a column that scrolls sideways. The last column is the action.
    public static func actionTable(caption: String, headerCells: [HTML], rows: [[HTML]], emptyMessage: String = "Nothing to show.") -> HTML {
        guard !rows.isEmpty else { return "<p class=\"empty\">\(emptyMessage)</p>" }
        let head = headerCells.map { header -> HTML in "<th scope=\"col\">\(header)</th>" }
        // A column's name without its markup, for the card's label (`data-label`).
        let labels = headerCells.map { HTML(text: $0.rendered.replacing(#/<[^>]*>/#, with: "")) }
        let body = rows.map { row -> HTML in
            let cells = row.enumerated().map { index, cell -> HTML in
                let label = index < labels.count ? labels[index] : .empty
                let action: HTML = index == row.count - 1 ? " class=\"card-action\"" : .empty
                return "<td data-label=\"\(label)\"\(action)>\(cell)</td>"
            }
            return "<tr>\(cells)</tr>"
        }
        return """
        <div class="table-wrap" role="region" aria-label="\(caption)" tabindex="0"><table class="data data-cards"><caption>\(caption)</caption><thead><tr>\(head)</tr></thead><tbody>\(body)</tbody></table></div>
        """
    }

    /// Text for screen readers only (the stylesheet's `visually-hidden` class).
    public static func visuallyHidden(_ text: String) -> HTML {
        "<span class=\"visually-hidden\">\(text)</span>"
    }

    /// A person as pages show them: `Dr Asha Patel (GP, Riverside Surgery)`. Empty details are left
    /// out, and a detail the name already carries in brackets is not repeated: an account named
    /// `Dr Asha Patel (GP)` recorded with the role `GP` still reads `Dr Asha Patel (GP, Riverside Surgery)`.
    public static func person(_ name: String, _ details: String...) -> String {
        var name = name.trimmingCharacters(in: .whitespaces)
        let details = details.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if name.hasSuffix(")"), let open = name.lastIndex(of: "(") {
            let inName = name[name.index(after: open)..<name.index(before: name.endIndex)].trimmingCharacters(in: .whitespaces)
            if details.contains(where: { $0.caseInsensitiveCompare(inName) == .orderedSame }) {
                name = name[..<open].trimmingCharacters(in: .whitespaces)
            }
        }
        return details.isEmpty ? name : "\(name) (\(details.joined(separator: ", ")))"
    }

    /// A link styled as a button.
    public static func buttonLink(_ title: String, to path: String, kind: String = "primary") -> HTML {
        "<a class=\"button button-\(kind)\" href=\"\(path)\">\(title)</a>"
    }

    /// A link.
    public static func link(_ title: String, to path: String) -> HTML { "<a href=\"\(path)\">\(title)</a>" }

    /// The reason and source of a clinical rule, shown wherever the rule speaks to a person.
    public static func ruleReason(_ reason: String, source: String) -> HTML {
        "<p class=\"rule-reason\">\(reason) <span class=\"rule-source\">Source: \(source)</span></p>"
    }

    /// A clinical rule's reason in plain words, with its id and source one tap away behind "Why?": staff
    /// read the reason; those who want the rule and its source open it.
    public static func ruleReason(_ reason: String, ruleID: String, source: String) -> HTML {
        "<p class=\"rule-reason\">\(reason)</p>\(why(ruleID: ruleID, source: source))"
    }

    /// A "Why?" disclosure naming a rule and its source.
    public static func why(ruleID: String, source: String) -> HTML {
        "<details class=\"why\"><summary>Why?</summary><p class=\"rule-source\">Rule \(ruleID). Source: \(source)</p></details>"
    }

    /// A section with a heading (level 2).
    public static func section(_ title: String, _ body: HTML) -> HTML {
        "<section class=\"section\"><h2>\(title)</h2>\(body)</section>"
    }
}
