import CareKit

/// `Services.roundFigures`: the round figures for any period, counted as the round figures page
/// counts its weeks (rule HR-FIG): a week is due once its round day has passed, or sooner when its
/// round was held; an action is counted once its due day is before today.
struct RoundFiguresService: RoundFiguresSource {
    let app: RoundApp

    func roundFigures(from start: Day, through end: Day, today: Day) throws -> RoundPeriodFigures {
        let rounds = try app.store.roundFacts(from: RoundWeek(containing: start).monday, through: RoundWeek(containing: end).sunday)
        let weekday = app.homeProfile().roundDay
        var due = 0, held = 0, reviewed = 0
        var week = RoundWeek(containing: start)
        while week.monday <= end {
            let roundDay = week.roundDay(weekday)
            if roundDay >= start && roundDay <= end {
                let closed = rounds.filter { week.contains($0.day) && $0.closed }.max { $0.day < $1.day }
                if closed != nil || roundDay < today { due += 1 }
                if let closed {
                    held += 1
                    reviewed += closed.reviewed
                }
            }
            week = week.adding(weeks: 1)
        }
        let lastCounted = min(end, today.adding(days: -1))
        let actions = lastCounted < start ? [] : try app.store.actions(dueFrom: start, through: lastCounted)
            .filter { !$0.enteredInError && !$0.isClosed }
        let onTime = actions.filter { action in action.doneOn.map { $0 <= action.due } ?? false }.count
        return RoundPeriodFigures(weeksDue: due, roundsHeld: held, residentsReviewed: reviewed, actionsDue: actions.count, actionsDoneOnTime: onTime)
    }
}
