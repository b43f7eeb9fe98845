import Testing
import CareKit
@testable import HomeRoundPlugin

@Test("each week shows whether its round was held; this week is not yet due before the round day")
func weeksHeld() {
    // Round day Thursday; today Monday 23 Nov 2026.
    let rounds = [
        WeeklyFigures.RoundFact(id: 1, day: day("2026-11-19"), closed: true, agenda: 6, reviewed: 5, notSeen: 1),
        WeeklyFigures.RoundFact(id: 2, day: day("2026-11-05"), closed: true, agenda: 4, reviewed: 3, notSeen: 1),
    ]
    let figures = WeeklyFigures.compute(rounds: rounds, actions: [], today: day("2026-11-23"), roundDay: .thursday, weeks: 4)
    #expect(figures.weeks.map(\.status) == [.notYetDue, .held, .missed, .held])
    #expect(figures.weeks.map(\.week.monday) == [day("2026-11-23"), day("2026-11-16"), day("2026-11-09"), day("2026-11-02")])
    #expect(figures.roundsHeld == 2)
    #expect(figures.weeksDue == 3)
    #expect(figures.averageReviewed == 4)
}

@Test("this week's round counts as missed once the round day has passed without a round")
func weekMissedAfterRoundDay() {
    let onDay = WeeklyFigures.compute(rounds: [], actions: [], today: day("2026-11-26"), roundDay: .thursday, weeks: 1)
    #expect(onDay.weeks.first?.status == .notYetDue)
    let after = WeeklyFigures.compute(rounds: [], actions: [], today: day("2026-11-27"), roundDay: .thursday, weeks: 1)
    #expect(after.weeks.first?.status == .missed)
    #expect(after.weeksDue == 1)
    let open = WeeklyFigures.compute(rounds: [WeeklyFigures.RoundFact(id: 3, day: day("2026-11-26"), closed: false, agenda: 5, reviewed: 2, notSeen: 0)],
                                     actions: [], today: day("2026-11-26"), roundDay: .thursday, weeks: 1)
    #expect(open.weeks.first?.status == .inProgress)
    #expect(open.weeksDue == 0)
}

@Test("actions closed on time count those due before today: on time, late, still overdue; errors and future ones left out")
func actionsOnTime() {
    let today = day("2026-11-23")
    let actions = [
        WeeklyFigures.ActionFact(due: day("2026-11-20"), doneOn: day("2026-11-20")),           // on time (on the day)
        WeeklyFigures.ActionFact(due: day("2026-11-18"), doneOn: day("2026-11-17")),           // on time
        WeeklyFigures.ActionFact(due: day("2026-11-18"), doneOn: day("2026-11-21")),           // late
        WeeklyFigures.ActionFact(due: day("2026-11-19"), doneOn: nil),                          // overdue
        WeeklyFigures.ActionFact(due: day("2026-11-19"), doneOn: nil, enteredInError: true),    // not counted
        WeeklyFigures.ActionFact(due: today, doneOn: nil),                                      // due today: not yet late
        WeeklyFigures.ActionFact(due: day("2026-08-01"), doneOn: nil),                          // before the period
    ]
    let figures = WeeklyFigures.compute(rounds: [], actions: actions, today: today, roundDay: .thursday, weeks: 12)
    #expect(figures.actionsDue == 4)
    #expect(figures.actionsDoneOnTime == 2)
    #expect(figures.actionsDoneLate == 1)
    #expect(figures.actionsOverdue == 1)
    #expect(figures.onTimePercent == 50)
    #expect(WeeklyFigures.compute(rounds: [], actions: [], today: today, roundDay: nil).onTimePercent == nil)
}

@Test("a round week runs Monday to Sunday and finds the home's round day in it")
func roundWeek() {
    let week = RoundWeek(containing: day("2026-11-29"))   // a Sunday
    #expect(week.monday == day("2026-11-23"))
    #expect(week.roundDay(.thursday) == day("2026-11-26"))
    #expect(week.roundDay(nil) == day("2026-11-23"))
    #expect(!week.contains(day("2026-11-30")))
}
