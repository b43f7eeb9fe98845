import Foundation
import CareKit
import CareServices

/// Fictional falls for `carehome demo`: six months of falls for the demo residents, including a head
/// strike on an anticoagulated resident two hours ago, a long lie, a hip fracture, checks due now and
/// overdue, an amendment and an entry in error.
enum FallsDemoData {
    static let carer = Principal(userID: 0, username: "demo-carer", displayName: "Jo Carter (carer, demo)", role: .carer)
    static let nurse = Principal(userID: 0, username: "demo-nurse", displayName: "Priya Shah (nurse, demo)", role: .nurse)

    /// A fall to seed: when (minutes before `now`) and how it went. Who is chosen by room and presence.
    struct Seed {
        var minutesAgo: Int
        var location: FallLocation
        var witnessed: Bool
        var injured: Bool
        var headStrike: HeadStrike
        var check: [PostFallQuestion] = []
        var foundAfter = 0
        var upAfter = 15
        var activity: FallActivity = .walking
        var footwear: Footwear = .slippers
        var aid: WalkingAid = .usingAid
        var bell: CallBell = .inReach
        var injuries = ""
        var harm: HarmLevel = .none
        var called: [WhoCalled] = []
        var conveyed = false
        var admitted = false
        var fracture: Bool? = false
        var complete = true
        var observations = "Pulse 78, BP 132/78, RR 16, SpO2 96% air, temp 36.6, alert. NEWS2 0."
        var detail = ""
        var notes = ""
    }

    static func seed(_ context: PluginContext, today: Day) throws {
        guard let directory = context.services.resolve(Services.residentDirectory) else { return }
        let residents = try directory.currentResidents().filter { $0.status == .livingHere }
        guard !residents.isEmpty else { return }
        // Today's demo: the real clock when seeding for today, otherwise noon on `today`.
        let now = HomeTime.today() == today ? Date() : (HomeTime.combine(today, time: "12:00") ?? Date())
        let day = 24 * 60
        let everyone = try directory.currentResidents()
        let movements = try Dictionary(uniqueKeysWithValues: everyone.map { ($0.id, try directory.movements(residentID: $0.id)) })

        /// Whether the resident lived here (admitted, not in hospital) at that moment.
        func present(_ resident: ResidentSummary, _ date: Date) -> Bool {
            let on = HomeTime.day(of: date)
            guard let admitted = resident.admittedOn, admitted < on else { return false }
            var away = false
            for movement in movements[resident.id] ?? [] where movement.on <= on {
                switch movement.kind {
                case .wentToHospital, .left, .died: away = true
                case .admitted, .returnedFromHospital: away = movement.on == on   // back later that day: not for a fall
                }
            }
            return !away
        }
        /// The resident in `room` when present at that time, otherwise the next present resident in room order.
        func choose(room: String, minutesAgo: Int, offset: Int) -> ResidentSummary? {
            let date = now.addingTimeInterval(TimeInterval(-minutesAgo * 60))
            if let preferred = residents.first(where: { $0.room == room }), present(preferred, date) { return preferred }
            let ordered = residents.indices.map { residents[($0 + offset) % residents.count] }
            return ordered.first { present($0, date) }
        }

        // The anticoagulated resident: from the medicines list when it is already seeded; otherwise room 1,
        // who takes apixaban in the medication plugin's demo (seeded after this one in load order).
        var anticoagulantRoom = "1"
        var medicinesSource: String?
        let medicationPluginLoaded = context.services.resolve(Services.currentMedicines) != nil
        if let medicines = context.services.resolve(Services.currentMedicines) {
            for resident in residents {
                if case .anticoagulant(let names) = (try? medicines.antithromboticStatus(residentID: resident.id)) ?? .none {
                    anticoagulantRoom = resident.room
                    medicinesSource = "Medicines list: " + names.joined(separator: ", ")
                    break
                }
            }
        }

        var planned: [(room: String, seed: Seed)] = [
            // Two hours ago: unwitnessed head strike, anticoagulated: 999 and NG232 hospital assessment; observations due now.
            (anticoagulantRoom, Seed(minutesAgo: 125, location: .bedroom, witnessed: false, injured: true, headStrike: .yes,
                 check: [.trauma], foundAfter: 0, upAfter: 50, activity: .bed, footwear: .socks, aid: .notUsingAid, bell: .outOfReach,
                 injuries: "Graze and swelling 3 cm above the left eyebrow", harm: .low, called: [.ambulance, .gp], complete: false,
                 detail: "Beside the bed",
                 notes: "Paramedics assessed and lifted her. After talking with her daughter and the GP, and in line with her ReSPECT form, she stayed here with head injury observations.")),
            // Yesterday: a witnessed slip in the lounge, nothing serious, UCR came; 24-hour skin check due now.
            ("2", Seed(minutesAgo: 23 * 60, location: .lounge, witnessed: true, injured: false, headStrike: .no,
                 activity: .standingUp, footwear: .shoes, aid: .usingAid, bell: .notApplicable, called: [.ucr], complete: false)),
            // Two days ago: the 48-hour skin check is overdue.
            ("3", Seed(minutesAgo: 53 * 60, location: .toilet, witnessed: false, injured: true, headStrike: .no,
                 foundAfter: 10, upAfter: 25, activity: .toileting, footwear: .barefoot, aid: .notUsingAid, bell: .inReach,
                 injuries: "Bruise 4 cm on the right forearm", harm: .low, called: [.gp])),
            // Three weeks ago, at night: a long lie.
            ("14", Seed(minutesAgo: 21 * day + 9 * 60 + 50, location: .bedroom, witnessed: false, injured: true, headStrike: .no,
                 foundAfter: 90, upAfter: 110, activity: .bed, footwear: .barefoot, aid: .notUsingAid, bell: .cannotUse,
                 injuries: "Red marks on the left hip and shoulder from lying; cold to touch", harm: .low, called: [.nhs111],
                 observations: "Temp 35.4, pulse 92, BP 108/64, SpO2 95%. NEWS2 3; warmed, fluids, 111 advised GP visit.",
                 detail: "Floor between the bed and the wardrobe")),
            // Seven weeks ago: hip fracture, conveyed and admitted.
            ("11", Seed(minutesAgo: 49 * day + 2 * 60 + 30, location: .bathroom, witnessed: false, injured: true, headStrike: .no,
                 check: [.intensePain, .fracture], foundAfter: 10, upAfter: 75, activity: .dressing, footwear: .socks, aid: .notUsingAid,
                 bell: .outOfReach, injuries: "Left leg shortened and turned out; pain on moving", harm: .severe, called: [.ambulance],
                 conveyed: true, admitted: true, fracture: true, observations: "Pulse 104, BP 150/90, pain 8/10. Paramedics lifted.")),
        ]
        // Older falls over six months: repeat fallers (rooms 3, 8 and 14), evenings and early mornings, bedrooms and toilets most often.
        let spread: [(days: Int, hour: Int, room: String, location: FallLocation, injured: Bool, head: HeadStrike, witnessed: Bool)] = [
            (6, 19, "3", .bedroom, false, .no, false), (9, 7, "8", .corridor, true, .no, true), (17, 22, "14", .toilet, false, .unknown, false),
            (26, 17, "3", .lounge, false, .no, true), (33, 6, "10", .bedroom, true, .no, false), (41, 20, "6", .dining, false, .no, true),
            (58, 3, "3", .bedroom, true, .no, false), (64, 16, "2", .lounge, false, .no, true), (77, 21, "11", .bedroom, false, .no, false),
            (88, 8, "14", .bathroom, true, .no, false), (96, 18, "5", .corridor, false, .no, true), (109, 23, "3", .toilet, false, .no, false),
            (121, 14, "10", .outside, true, .no, true), (133, 5, "1", .bedroom, false, .no, false), (147, 19, "14", .lounge, false, .no, true),
            (160, 2, "3", .bedroom, true, .yes, false), (171, 17, "2", .dining, false, .no, true),
        ]
        for s in spread {
            var seed = Seed(minutesAgo: s.days * day + ((24 + HomeTime.clock(of: now).hour - s.hour) % 24) * 60,
                            location: s.location, witnessed: s.witnessed, injured: s.injured, headStrike: s.head)
            seed.foundAfter = s.witnessed ? 0 : 15
            seed.upAfter = s.witnessed ? 10 : 30
            seed.activity = s.witnessed ? .walking : .unknown
            seed.injuries = s.injured ? "Small bruise, right knee" : ""
            seed.harm = s.injured ? .low : .none
            seed.called = s.head == .no ? [] : [.nhs111]
            planned.append((s.room, seed))
        }
        var seeds = [Seed]()
        var chosen = [Int64]()
        for (index, entry) in planned.enumerated() {
            guard let resident = choose(room: entry.room, minutesAgo: entry.seed.minutesAgo, offset: index) else { continue }
            seeds.append(entry.seed)
            chosen.append(resident.id)
        }
        let anticoagulatedID = residents.first { $0.room == anticoagulantRoom }?.id

        try context.database.write { db in
            // Residents who moved in more than two weeks ago had their falls assessment on moving in.
            for resident in everyone {
                guard let admitted = resident.admittedOn, admitted.days(until: today) > 14 else { continue }
                let onMovingIn = AssessmentComponent.allCases.map { c -> AssessmentFinding in
                    c == .environment
                        ? AssessmentFinding(component: c, problem: true, finding: "New room: unfamiliar at night",
                                            action: "Sensor light by the bed; night staff to check at 02:00 for the first month")
                        : AssessmentFinding(component: c, problem: false, finding: "", action: "")
                }
                _ = try FallsStore.completeAssessment(residentID: resident.id, findings: onMovingIn, by: nurse,
                                                      at: HomeTime.startOf(admitted.adding(days: 3)).addingTimeInterval(11 * 3600), in: db)
            }
            var createdIDs = [Int64]()
            for (seed, residentID) in zip(seeds, chosen) {
                let fellAt = now.addingTimeInterval(TimeInterval(-seed.minutesAgo * 60))
                var fall = FallRecord(residentID: residentID, occurredAt: fellAt, location: seed.location,
                                      witnessed: seed.witnessed, injured: seed.injured, headStrike: seed.headStrike)
                fall.foundAt = fellAt.addingTimeInterval(TimeInterval(seed.foundAfter * 60))
                if residentID == anticoagulatedID && seed.headStrike != .no {
                    if let medicinesSource {
                        fall.antithrombotic = .anticoagulant
                        fall.antithromboticSource = medicinesSource
                    } else if !medicationPluginLoaded {
                        fall.antithrombotic = .anticoagulant
                        fall.antithromboticSource = "Asked on the post-fall check"
                    }
                    // Otherwise left unanswered: the fall page reads the medicines list once it is seeded.
                } else if seed.headStrike != .no {
                    fall.antithrombotic = AntithromboticAnswer.none
                    fall.antithromboticSource = "Asked on the post-fall check"
                }
                let id = try FallsStore.insert(fall, by: carer, at: fall.foundAt ?? fellAt, in: db)
                fall.id = id
                fall.version = 1
                var answers = Dictionary(uniqueKeysWithValues: PostFallQuestion.allCases.map { ($0, false) })
                for q in seed.check { answers[q] = true }
                fall.postFallCheck = PostFallCheck(answers: answers)
                try FallsStore.update(fall, expectedVersion: 1, change: "Post-fall check", reason: "", by: carer,
                                      at: fellAt.addingTimeInterval(TimeInterval((seed.foundAfter + 3) * 60)), in: db)
                fall.version = 2
                fall.upAt = seed.upAfter > 0 ? fellAt.addingTimeInterval(TimeInterval(seed.upAfter * 60)) : nil
                fall.locationDetail = seed.detail
                fall.activity = seed.activity
                fall.footwear = seed.footwear
                fall.walkingAid = seed.aid
                fall.callBell = seed.bell
                fall.injuries = seed.injuries
                fall.harm = seed.harm
                fall.called = seed.called
                fall.observations = seed.observations
                fall.notes = seed.notes
                if seed.complete {
                    fall.status = .completed
                    fall.conveyed = seed.conveyed
                    fall.admitted = seed.admitted
                    fall.fracture = seed.fracture
                    fall.familyInformed = true
                    fall.gpInformed = seed.injured || seed.headStrike != .no
                    fall.carePlanUpdated = true
                    fall.medicationReviewRequested = seed.fracture == true || seed.headStrike != .no
                    try FallsStore.update(fall, expectedVersion: 2, change: "Completed", reason: "", by: nurse,
                                          at: fellAt.addingTimeInterval(TimeInterval(4 * 3600)), in: db)
                } else {
                    try FallsStore.update(fall, expectedVersion: 2, change: "Details added", reason: "", by: carer,
                                          at: fellAt.addingTimeInterval(TimeInterval(30 * 60)), in: db)
                }
                createdIDs.append(id)
                // Checks whose time has passed are recorded as done, except the ones the demo leaves due.
                let leaveOpen = seed.minutesAgo < 60 * 60
                for check in try FallsStore.checks(fallID: id, in: db) where check.dueAt < now {
                    if leaveOpen && check.state(now: now) != .done && check.dueAt > now.addingTimeInterval(-12 * 60) { continue }
                    if leaveOpen && check.key == "skin-48h" { continue }
                    let findings = check.kind == .skin ? "No new bruising; skin intact apart from the injury recorded."
                                                       : "Alert, pupils equal and reacting, pulse 80, RR 16, BP 138/80. No change."
                    try FallsStore.recordCheck(check.id, findings: findings, by: carer, at: check.dueAt.addingTimeInterval(10 * 60), in: db)
                }
            }
            // Older falls: assessments done after each; the recent ones keep their prompt open.
            let pairs = Array(zip(seeds, chosen))
            for resident in Set(pairs.filter { $0.0.minutesAgo > 7 * day }.map(\.1)) {
                let findings = AssessmentComponent.allCases.map { c -> AssessmentFinding in
                    switch c {
                    case .environment: AssessmentFinding(component: c, problem: true, finding: "Room dark at night; bed high",
                                                         action: "Night light fitted and bed lowered (maintenance, this week)")
                    case .medication: AssessmentFinding(component: c, problem: true, finding: "Takes two falls-risk medicines",
                                                        action: "Structured medication review requested from the PCN pharmacist")
                    case .bloodPressure: AssessmentFinding(component: c, problem: false, finding: "Lying 138/80, standing 132/78", action: "")
                    default: AssessmentFinding(component: c, problem: false, finding: "", action: "")
                    }
                }
                let hasRecent = pairs.contains { $0.1 == resident && $0.0.minutesAgo <= 7 * day }
                if !hasRecent {
                    _ = try FallsStore.completeAssessment(residentID: resident, findings: findings, by: nurse,
                                                          at: now.addingTimeInterval(TimeInterval(-8 * day * 60)), in: db)
                }
            }
            // An amendment (time corrected) and an entry in error (recorded twice).
            if createdIDs.count > 8, var amended = try FallsStore.load(createdIDs[6], in: db) {
                let expected = amended.version
                amended.occurredAt = amended.occurredAt.addingTimeInterval(-20 * 60)
                amended.notes = "Night staff corrected the time from the call bell log."
                try FallsStore.update(amended, expectedVersion: expected, change: "Amended", reason: "Time corrected from the call bell log",
                                      by: nurse, at: now.addingTimeInterval(TimeInterval(-5 * day * 60)), in: db)
            }
            if createdIDs.count > 9, let original = try FallsStore.load(createdIDs[8], in: db) {
                var duplicate = original
                duplicate.status = .firstEntry
                let dupID = try FallsStore.insert(duplicate, by: carer, at: original.recordedAt.addingTimeInterval(600), in: db)
                duplicate.id = dupID
                duplicate.status = .enteredInError
                duplicate.enteredInErrorReason = "Recorded twice: see fall \(original.id)."
                try FallsStore.update(duplicate, expectedVersion: 1, change: "Entered in error", reason: "Recorded twice: see fall \(original.id).",
                                      by: nurse, at: original.recordedAt.addingTimeInterval(3600), in: db)
            }
        }
        context.log.info("falls-log.demo-seeded", ["falls.count": String(seeds.count)])
    }
}
