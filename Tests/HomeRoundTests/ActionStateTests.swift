import Testing
import CareKit
@testable import HomeRoundPlugin

@Test("an action is open, due within 2 days, overdue the day after its due date")
func actionStateBoundaries() {
    let due = day("2026-11-26")
    #expect(ActionState.of(due: due, doneOn: nil, today: day("2026-11-23")) == .open(daysLeft: 3))
    #expect(ActionState.of(due: due, doneOn: nil, today: day("2026-11-24")) == .due(daysLeft: 2))
    #expect(ActionState.of(due: due, doneOn: nil, today: due) == .due(daysLeft: 0))
    #expect(ActionState.of(due: due, doneOn: nil, today: day("2026-11-27")) == .overdue(days: 1))
    #expect(ActionState.of(due: due, doneOn: nil, today: due).summary == "Due today")
    #expect(ActionState.of(due: due, doneOn: nil, today: day("2026-11-27")).summary == "Overdue by 1 day")
}

@Test("an action done on its due date is on time; a day later is late")
func actionDone() {
    let due = day("2026-11-26")
    #expect(ActionState.of(due: due, doneOn: due, today: day("2026-12-01")) == .doneOnTime(due))
    #expect(ActionState.of(due: due, doneOn: day("2026-11-27"), today: day("2026-12-01")) == .doneLate(day("2026-11-27"), daysLate: 1))
    #expect(!ActionState.of(due: due, doneOn: due, today: due).isOutstanding)
    #expect(ActionState.of(due: due, doneOn: nil, enteredInError: true, today: day("2026-12-30")) == .enteredInError)
}
