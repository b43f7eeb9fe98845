import CareKit
import CareServices

/// The `ResidentDirectory` other plugins resolve through `Services.residentDirectory`.
struct RegistryDirectory: ResidentDirectory {
    let residents: ResidentStore
    let clocks: ClockStore
    let profiles: HomeProfileStore

    func currentResidents() throws -> [ResidentSummary] {
        try residents.residents(statuses: [.livingHere, .inHospital]).map(\.summary)
    }

    func resident(id: Int64) throws -> ResidentSummary? {
        guard let stored = try residents.resident(id: id), !stored.enteredInError else { return nil }
        return stored.summary
    }

    func residents(ids: Set<Int64>) throws -> [Int64: ResidentSummary] {
        Dictionary(try residents.residents(ids: ids).filter { !$0.enteredInError }.map { ($0.id, $0.summary) }, uniquingKeysWith: { a, _ in a })
    }

    func movements(residentID: Int64) throws -> [ResidentMovement] {
        guard let stored = try residents.resident(id: residentID), !stored.enteredInError else { return [] }
        return stored.movements.map { ResidentMovement(kind: $0.kind, on: $0.on, place: $0.place) }
    }

    func occupancy(on day: Day) throws -> Int {
        try occupiedBedDays(from: day, to: day)
    }

    func occupiedBedDays(from start: Day, to end: Day) throws -> Int {
        try residents.occupiedBedDays(from: start, to: end)
    }

    func admissionClock(residentID: Int64, today: Day) throws -> AdmissionClock? {
        try clocks.latestClock(residentID: residentID, today: today)?.clock
    }

    func workingCalendar() throws -> WorkingCalendar {
        try profiles.load().calendar
    }

    func admissionClocks(startedFrom start: Day, to end: Day, today: Day) throws -> [AdmissionClock]? {
        try clocks.clocksStarted(since: start, today: today).filter { $0.startedOn <= end }
    }
}

/// The `HomeProfileProvider` published through `Services.homeProfile`.
struct RegistryHomeProfile: HomeProfileProvider {
    let profiles: HomeProfileStore

    func profile() throws -> HomeProfile {
        let record = try profiles.load()
        return HomeProfile(name: record.name, roundDay: record.roundDay)
    }
}
