import CareKit
import CareServices
import Foundation

/// Fictional demo records: visits to A&E over the last months (same day, so the registry's stays are not
/// contradicted), most reviewed by the MDT, and a few resident and family voice records.
enum TransfersDemoData {
    static let nurse = Principal(userID: 0, username: "demo-nurse", displayName: "Priya Shah (nurse, demo)", role: .nurse)

    static func seed(_ context: PluginContext, today: Day) throws {
        guard let directory = context.services.resolve(Services.residentDirectory) else { return }
        let residents = try directory.currentResidents().filter { $0.status == .livingHere }
        guard !residents.isEmpty else { return }
        let plan: [(daysAgo: Int, reason: TransferReason, route: TransferRoute, ambulance: Bool, avoidable: Avoidability?)] = [
            (250, .fall, .ambulance999, true, .no), (200, .deterioration, .nhs111, false, .possibly), (160, .fall, .ambulance999, true, .yes),
            (120, .deterioration, .gpDirected, true, .no), (75, .other, .family, false, .possibly), (40, .fall, .ucr, false, .no),
            (12, .deterioration, .ambulance999, true, nil),
        ]
        try context.database.write { db in
            for (index, item) in plan.enumerated() {
                let resident = residents[index % residents.count]
                let day = today.adding(days: -item.daysAgo)
                var t = Transfer(residentID: resident.id, leftAt: HomeTime.combine(day, time: "10:30") ?? Date(), reason: item.reason, route: item.route,
                                 byAmbulance: item.ambulance, outcome: .aeOnly)
                t.hospital = "County Hospital (demo)"
                t.stayEndedOn = day
                t.stayEnd = .returned
                let id = try TransfersStore.insert(t, by: nurse, at: t.leftAt, in: db)
                if let avoidable = item.avoidable {
                    try TransfersStore.insertReview(TransferReview(transferID: id, avoidable: avoidable, helped: avoidable == .no ? .nothing : .earlierRecognition,
                                                                   notes: "", reviewedOn: day.adding(days: 5), reviewedBy: "Dr Gareth Price (GP), demo"),
                                                    by: nurse, at: t.leftAt, in: db)
                }
            }
            for (index, resident) in residents.prefix(4).enumerated() {
                let answers: [VoiceQuestion: VoiceAnswer] = [.knowWhoToAsk: .yes, .toldWhatHappens: index % 2 == 0 ? .partly : .yes,
                                                             .involvedInPlan: index == 3 ? .no : .yes, .joinedUp: .partly]
                try TransfersStore.insertVoice(VoiceRecord(residentID: resident.id, askedOn: today.adding(days: -20 - index * 15),
                                                           respondent: index % 2 == 0 ? .resident : .representative, answers: answers),
                                               by: nurse, at: Date(), in: db)
            }
        }
    }
}
