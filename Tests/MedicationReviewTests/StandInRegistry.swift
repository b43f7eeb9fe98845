import CareKit
import CareServices
import Synchronization

/// A stand-in for the resident registry (plugin id `residents`) that publishes a directory of
/// fixed residents. The medication plugin only reads the registry through the SDK's
/// `ResidentDirectory`; fixing its answers makes the admission dates and dementia types exact.
final class StandInRegistry: CarePlugin {
    let manifest = PluginManifest(id: "residents", displayName: "Residents (test stand-in)", version: "0.0.1")
    let directory: StandInDirectory
    init(_ residents: [ResidentSummary]) { directory = StandInDirectory(residents) }
    var migrations: [Migration] { [] }
    func register(with registrar: any PluginRegistrar) throws {
        registrar.publish(Services.residentDirectory, directory as any ResidentDirectory)
    }
}

final class StandInDirectory: ResidentDirectory {
    let residents: Mutex<[ResidentSummary]>
    init(_ residents: [ResidentSummary]) { self.residents = Mutex(residents) }

    func update(_ id: Int64, _ change: (inout ResidentSummary) -> Void) {
        residents.withLock { list in
            if let index = list.firstIndex(where: { $0.id == id }) { change(&list[index]) }
        }
    }

    func currentResidents() throws -> [ResidentSummary] { residents.withLock { $0.filter { $0.status.isCurrent } } }
    func resident(id: Int64) throws -> ResidentSummary? { residents.withLock { $0.first { $0.id == id } } }
    func movements(residentID: Int64) throws -> [ResidentMovement] { [] }
    func occupancy(on day: Day) throws -> Int { try currentResidents().count }
    func occupiedBedDays(from start: Day, to end: Day) throws -> Int { 0 }
    func workingCalendar() throws -> WorkingCalendar { WorkingCalendar() }
    func admissionClock(residentID: Int64, today: Day) throws -> AdmissionClock? {
        guard let resident = try resident(id: residentID), let start = resident.latestAdmission else { return nil }
        let calendar = WorkingCalendar()
        let deadline = calendar.admissionDeadline(admittedOn: start)
        let state = calendar.itemState(doneOn: nil, deadline: deadline, today: today)
        return AdmissionClock(residentID: residentID, startedOn: start, isReadmission: resident.latestAdmissionIsReadmission,
                              deadline: deadline, assessment: state, carePlan: state, medicationReviewFlag: state)
    }

    static func resident(_ id: Int64, _ name: String, room: String, admitted: Day, readmission: Bool = false,
                         dementia: DementiaType = .noDementia) -> ResidentSummary {
        ResidentSummary(id: id, preferredName: name, fullName: "\(name) Test", dateOfBirth: Day(year: 1940, month: 1, day: 1), nhsNumber: nil,
                        room: room, status: .livingHere, admittedOn: admitted, latestAdmission: admitted,
                        latestAdmissionIsReadmission: readmission, dementia: dementia, allergies: "None known",
                        advanceCarePlan: AdvanceCarePlanHeadline(exists: false), gpPractice: "Test Surgery")
    }
}
