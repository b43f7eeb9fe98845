import CareKit
import CareServices
import Foundation

/// Fictional demo records: usual observations for most residents living here, two weeks of sets for
/// a few, and one resident deteriorating today (soft signs, then a set above their usual).
enum DeteriorationDemoData {
    static let nurse = Principal(userID: 0, username: "demo-nurse", displayName: "Priya Shah (nurse, demo)", role: .nurse)
    static let carer = Principal(userID: 0, username: "demo-carer", displayName: "Jo Carter (carer, demo)", role: .carer)

    static func seed(_ context: PluginContext, today: Day) throws {
        guard let directory = context.services.resolve(Services.residentDirectory) else { return }
        let residents = try directory.currentResidents().filter { $0.status == .livingHere }
        guard !residents.isEmpty else { return }
        let now = HomeTime.today() == today ? Date() : (HomeTime.combine(today, time: "12:00") ?? Date())
        let hour = 3600.0
        func usual(_ usualNEWS2: Int, resp: Int, spo2: Int, systolic: Int, pulse: Int, temp: Double) -> NEWS2.Inputs {
            NEWS2.Inputs(respirationRate: resp, oxygenSaturation: spo2, onOxygen: false, systolic: systolic, pulse: pulse, consciousness: .alert, temperature: temp)
        }
        func set(_ resident: Int64, hoursAgo: Double, resp: Int, spo2: Int, systolic: Int, diastolic: Int, pulse: Int,
                 consciousness: NEWS2.Consciousness = .alert, temp: Double) -> ObservationSet {
            var s = ObservationSet(residentID: resident, takenAt: now.addingTimeInterval(-hoursAgo * hour))
            s.respirationRate = resp; s.oxygenSaturation = spo2; s.onOxygen = false; s.systolic = systolic; s.diastolic = diastolic
            s.pulse = pulse; s.consciousness = consciousness; s.temperature = temp
            return s
        }
        try context.database.write { db in
            // Usual observations for all but the last resident (whose page then asks for them).
            for (index, resident) in residents.dropLast().enumerated() {
                let baseline = Baseline(residentID: resident.id, usualNEWS2: index % 3 == 0 ? 1 : index % 3 == 1 ? 2 : 0,
                                        usual: usual(index % 3, resp: 16 + index % 3, spo2: 95 - index % 3, systolic: 128 + index * 3 % 20, pulse: 72 + index * 5 % 15, temp: 36.6),
                                        agreedBy: "Dr Gareth Price", agreedByRole: "GP", agreedOn: today.adding(days: -40 - index * 9))
                try DeteriorationStore.insertBaseline(baseline, by: nurse, at: now.addingTimeInterval(-40 * 24 * hour), in: db)
            }
            // Two weeks of routine sets for three residents.
            for resident in residents.prefix(3) {
                for day in stride(from: 13, through: 1, by: -3) {
                    let s = set(resident.id, hoursAgo: Double(day) * 24 + 3, resp: 16, spo2: 95, systolic: 132, diastolic: 78, pulse: 74, temp: 36.7)
                    _ = try DeteriorationStore.insertObservation(s, aboveUsual: false, by: carer, at: s.takenAt, in: db)
                }
            }
            // Today: the first resident is not themselves; the set is above their usual.
            guard let first = residents.first else { return }
            let noticed = now.addingTimeInterval(-2 * hour)
            let signsID = try DeteriorationStore.insertSoftSigns(residentID: first.id, noticedAt: noticed, signs: [.confusion, .eatingDrinking, .notThemselves],
                                                                 notes: "Did not want breakfast; not her usual chatty self.", by: carer, at: noticed, in: db)
            var today1 = set(first.id, hoursAgo: 1.5, resp: 21, spo2: 95, systolic: 118, diastolic: 66, pulse: 92, temp: 38.2)   // NEWS2 5: medium, up 4
            today1.softSignsID = signsID
            today1.prompt = "Soft signs"
            _ = try DeteriorationStore.insertObservation(today1, aboveUsual: true, by: carer, at: today1.takenAt, in: db)
        }
    }
}
