import CareKit
import CareServices
import Foundation
import Synchronization
@testable import HomeRoundPlugin

/// A clock tests can move.
final class TestClock: Sendable {
    let value: Mutex<Date>
    init(_ text: String) { value = Mutex(HomeTime.parse(text) ?? Date(timeIntervalSince1970: 0)) }
    var now: Date { value.withLock { $0 } }
    func set(_ text: String) { value.withLock { $0 = HomeTime.parse(text) ?? $0 } }
}

/// What the registry double knows about one resident.
struct RegistryResident: Sendable {
    var summary: ResidentSummary
    var movements: [ResidentMovement] = []
}

/// A resident registry for the round's tests, id `residents` like the real one: it lets a test set
/// exactly the admission dates, movements and advance care plans that drive the agenda. (The real
/// registry's forms are covered by its own tests; here the round's signals are what is under test.)
final class RegistryDouble: CarePlugin, ResidentDirectory, HomeProfileProvider, @unchecked Sendable {
    // @unchecked: `residents` is only written before the home is built.
    let manifest = PluginManifest(id: "residents", displayName: "Residents (test double)", version: "0")
    var migrations: [Migration] { [] }
    var residents: [RegistryResident]
    let roundDay: Weekday?

    init(_ residents: [RegistryResident], roundDay: Weekday? = .thursday) {
        self.residents = residents
        self.roundDay = roundDay
    }

    func register(with registrar: any PluginRegistrar) throws {
        registrar.publish(Services.residentDirectory, self as any ResidentDirectory)
        registrar.publish(Services.homeProfile, self as any HomeProfileProvider)
    }

    func profile() throws -> HomeProfile { HomeProfile(name: "Test House", roundDay: roundDay) }
    func currentResidents() throws -> [ResidentSummary] { residents.map(\.summary).filter { $0.status.isCurrent } }
    func resident(id: Int64) throws -> ResidentSummary? { residents.first { $0.summary.id == id }?.summary }
    func movements(residentID: Int64) throws -> [ResidentMovement] { residents.first { $0.summary.id == residentID }?.movements ?? [] }
    func occupancy(on day: Day) throws -> Int { residents.count }
    func occupiedBedDays(from start: Day, to end: Day) throws -> Int { 0 }
    func workingCalendar() throws -> WorkingCalendar { WorkingCalendar() }
    func admissionClock(residentID: Int64, today: Day) throws -> AdmissionClock? {
        guard let r = try resident(id: residentID), let start = r.latestAdmission else { return nil }
        let calendar = WorkingCalendar()
        let deadline = calendar.admissionDeadline(admittedOn: start)
        let state = calendar.itemState(doneOn: nil, deadline: deadline, today: today)
        return AdmissionClock(residentID: residentID, startedOn: start, isReadmission: r.latestAdmissionIsReadmission, deadline: deadline,
                              assessment: state, carePlan: state, medicationReviewFlag: state)
    }
}

/// A falls source (id `falls-log`) with fixed falls.
final class FallsDouble: CarePlugin, FallsSource, @unchecked Sendable {
    let manifest = PluginManifest(id: "falls-log", displayName: "Falls (test double)", version: "0", requires: ["residents"])
    var migrations: [Migration] { [] }
    let list: [FallSummary]
    init(_ list: [FallSummary]) { self.list = list }
    func register(with registrar: any PluginRegistrar) throws { registrar.publish(Services.falls, self as any FallsSource) }
    func falls(residentID: Int64?, since: Date) throws -> [FallSummary] {
        list.filter { (residentID == nil || $0.residentID == residentID) && $0.occurredAt >= since }.sorted { $0.occurredAt > $1.occurredAt }
    }
}

/// Medication prompts (id `medication-review`) with fixed prompts.
final class PromptsDouble: CarePlugin, MedicationPromptSource, @unchecked Sendable {
    let manifest = PluginManifest(id: "medication-review", displayName: "Prompts (test double)", version: "0", requires: ["residents"])
    var migrations: [Migration] { [] }
    let prompts: [ResidentPrompt]
    init(_ prompts: [ResidentPrompt]) { self.prompts = prompts }
    func register(with registrar: any PluginRegistrar) throws { registrar.publish(Services.medicationPrompts, self as any MedicationPromptSource) }
    func openPrompts() throws -> [ResidentPrompt] { prompts }
    func openPrompts(residentID: Int64) throws -> [ResidentPrompt] { prompts.filter { $0.residentID == residentID } }
}

/// A named resident for the integration tests.
func person(_ id: Int64, _ name: String, room: String, acp: Bool = true, admitted: String = "2025-01-06", readmission: Bool = false,
            status: ResidentStatus = .livingHere) -> ResidentSummary {
    ResidentSummary(id: id, preferredName: name, fullName: "\(name) Testperson", dateOfBirth: day("1938-05-04"), nhsNumber: "9434765919",
                    room: room, status: status, admittedOn: day("2025-01-06"), latestAdmission: day(admitted), latestAdmissionIsReadmission: readmission,
                    dementia: .mixed, allergies: "None known",
                    advanceCarePlan: AdvanceCarePlanHeadline(exists: acp, kind: "ReSPECT", date: day("2025-03-01"), location: "Red folder", cpr: "Not for CPR"),
                    gpPractice: "Riverside Surgery")
}
