import CareKit
import Foundation

extension RoundApp {
    func figures(weeks: Int = 12) throws -> WeeklyFigures {
        // Actions closed because the resident left or died could no longer be done: like those
        // entered in error, they are not counted.
        let actions = try store.actions().filter { !$0.isClosed }.map { WeeklyFigures.ActionFact(due: $0.due, doneOn: $0.doneOn, enteredInError: $0.enteredInError) }
        return WeeklyFigures.compute(rounds: try store.roundFacts(), actions: actions, today: today, roundDay: homeProfile().roundDay, weeks: weeks)
    }

    func figuresPage(_ request: Request) throws -> Response {
        let figures = try figures()
        let rows = figures.weeks.map { week -> [HTML] in
            let round: HTML = week.round.map { UI.link($0.day.display, to: "/rounds/\($0.id)") } ?? HTML(text: "None")
            return [HTML(text: week.week.title), UI.tag(week.status.title, colour: week.status.colour), round,
                    HTML(text: week.round.map { String($0.closed ? $0.agenda : 0) } ?? ""),
                    HTML(text: week.round.map { String($0.reviewed) } ?? ""), HTML(text: week.round.map { String($0.notSeen) } ?? "")]
        }
        let onTime = figures.onTimePercent.map { "\($0)%" } ?? "No actions were due"
        let average = figures.averageReviewed.map { String(format: "%.1f", $0) } ?? "No rounds held"
        let body: HTML = """
        \(UI.summaryList([
            ("Weekly rounds held", HTML(text: "\(figures.roundsHeld) of \(figures.weeksDue) weeks due (last \(figures.weeks.count) weeks)")),
            ("Residents reviewed per round", HTML(text: "\(average) on average")),
            ("Actions closed on time", HTML(text: "\(onTime): \(figures.actionsDoneOnTime) on time, \(figures.actionsDoneLate) late, \(figures.actionsOverdue) still overdue, of \(figures.actionsDue) due")),
        ]))\
        \(UI.table(caption: "Rounds by week, newest first", headers: ["Week", "Round", "Day", "On the agenda", "Reviewed", "Not seen"], rows: rows))\
        \(UI.ruleReason("A week's round counts as held when a round in that week (Monday to Sunday) was closed; the current week is not counted until its round day has passed. Actions count when due before today: on time if marked done on or before the due date; actions entered in error are left out.", source: "EHCH framework v3: rounds held per week and actions closed on time are measured (HR-FIG, own design)"))
        """
        return .page(Page(title: "Round figures", breadcrumbs: [RoundApp.roundsCrumb], containsPersonalData: false, body: body))
    }
}
