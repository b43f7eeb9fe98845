import Testing
import CareKit
import CareTesting
import Foundation
@testable import HomeRoundPlugin

@Test("every column of the actions and attendees tables is named for a screen reader (axe: empty-table-header)")
func roundTablesNameEveryColumn() throws {
    let people = (1...8).map { RegistryResident(summary: person(Int64($0), "Resident\($0)", room: String($0), acp: $0 != 6)) }
    let clock = TestClock("2026-11-23T10:00")
    let home = try TestHome(plugins: [RegistryDouble(people), HomeRoundPlugin(now: { clock.now })])
    try home.seedDemoData(today: day("2026-11-23"))

    let actions = try home.get("/rounds/actions?show=open", as: .nurse)
    #expect(actions.body.contains("Mark done"), "the demo has open actions with a Mark done button")
    #expect(actions.unnamedTableHeaders == [])
    #expect(actions.body.contains("<span class=\"visually-hidden\">Mark done</span></th>"))

    let attendees = try home.get("/rounds/3/attendees", as: .nurse)
    #expect(attendees.body.contains("<caption>Attendees</caption>"), "last week's round has attendees in the demo")
    #expect(attendees.unnamedTableHeaders == [])
    #expect(attendees.body.contains("<span class=\"visually-hidden\">Remove</span></th>"))
}
