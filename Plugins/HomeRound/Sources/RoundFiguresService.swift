import CareKit
import CareServices

/// `Services.roundFigures`: the round figures for any period, by the same rules as the round figures
/// page (rule HR-FIG, `WeeklyFigures`): the weeks whose round day falls in the period, and the actions
/// due in it.
struct RoundFiguresService: RoundFiguresSource {
    let app: RoundApp

    func roundFigures(from start: Day, through end: Day, today: Day) throws -> RoundPeriodFigures {
        let rounds = try app.store.roundFacts(from: RoundWeek(containing: start).monday, through: RoundWeek(containing: end).sunday)
        let weekday = app.homeProfile().roundDay
        var rows: [WeeklyFigures.Week] = []
        var week = RoundWeek(containing: start)
        while week.monday <= end {
            let roundDay = week.roundDay(weekday)
            if roundDay >= start && roundDay <= end { rows.append(WeeklyFigures.week(week, rounds: rounds, today: today, roundDay: weekday)) }
            week = week.adding(weeks: 1)
        }
        let held = rows.filter { $0.status == .held }
        // Actions closed because the resident left or died could no longer be done: not counted (as on the figures page).
        let actions = try app.store.actions(dueFrom: start, through: end).filter { !$0.isClosed }
            .map { WeeklyFigures.ActionFact(due: $0.due, doneOn: $0.doneOn, enteredInError: $0.enteredInError) }
        let counted = WeeklyFigures.actionCounts(actions, dueFrom: start, through: end, today: today)
        return RoundPeriodFigures(weeksDue: rows.filter { WeeklyFigures.isDue($0, today: today) }.count, roundsHeld: held.count,
                                  residentsReviewed: held.reduce(0) { $0 + ($1.round?.reviewed ?? 0) },
                                  actionsDue: counted.due, actionsDoneOnTime: counted.onTime)
    }
}
