import CareKit
import CareServices
import Foundation

/// Fictional residents for `carehome demo`, relative to `today`. NHS numbers are in the 999 range
/// (never issued to real people) and pass the Modulus 11 check; telephone numbers are in Ofcom's
/// drama ranges.
enum DemoData {
    static let principal = Principal(userID: 0, username: "demo", displayName: "Demo data (Sarah Collins, manager)", role: .manager)

    /// The `n`th working day before `day`.
    static func workingDays(_ n: Int, before day: Day, _ calendar: WorkingCalendar) -> Day {
        var current = day
        var counted = 0
        while counted < n {
            current = current.adding(days: -1)
            if calendar.isWorkingDay(current) { counted += 1 }
        }
        return current
    }

    struct Person {
        var record: ResidentRecord
        var admitted: Day
        /// Movements after admission: (kind, day, place).
        var movements: [(ResidentMovement.Kind, Day, String)] = []
        /// Clock entries on the latest admission: (item, working days after its start, by, role, domains).
        var clock: [(ClockItem, Int, String, String, [AssessmentDomain])] = []
        /// Whether every item of every earlier clock was done on time.
        var olderClocksDone = true
    }

    static func seed(_ context: PluginContext, stores: Stores, today: Day) throws {
        guard try stores.residents.residents(statuses: nil).isEmpty else { return }
        var profile = HomeProfileRecord()
        profile.name = "Willow Court Care Home"
        profile.cqcLocationID = "1-000000001"
        profile.pcnName = "Riverside Primary Care Network"
        profile.pcnODSCode = "U99999"
        profile.clinicalLeadName = "Dr Amara Okafor"
        profile.clinicalLeadRole = "GP, clinical lead for the home"
        profile.clinicalLeadContact = "01632 960123"
        profile.gpPractices = ["Riverside Medical Centre", "Elm Street Surgery"]
        profile.roundDay = .wednesday
        if let eve = Day(year: today.year, month: 12, day: 24), today < eve {
            profile.extraNonWorkingDays = [.init(day: eve, reason: "Christmas Eve: the home's office and GP practice closed")]
        }
        try stores.profiles.save(profile, expectedVersion: 0, by: principal)
        let calendar = profile.calendar
        func wd(_ n: Int) -> Day { workingDays(n, before: today, calendar) }
        let allDomains = AssessmentDomain.allCases
        let fullClock: [(ClockItem, Int, String, String, [AssessmentDomain])] = [
            (.assessment, 4, "Dr Amara Okafor", "GP", allDomains),
            (.carePlan, 6, "Nadia Hussain", "Community matron", []),
            (.medicationReviewFlag, 2, "Tom Bradley", "PCN clinical pharmacist", []),
        ]

        func record(_ full: String, _ preferred: String, born: Day?, nhs: String?, verified: Bool = true, room: String,
                    type: AdmissionType = .permanent, dementia: DementiaType, allergies: String, diagnoses: String,
                    communication: String = "", matters: String, nok: (String, String, String)? = nil, lpa: (String, String)? = nil,
                    plan: (PlanKind, Day?, CPRRecommendation, HospitalTransfer, CarePriority, String)? = nil,
                    gp: String = "Riverside Medical Centre") -> ResidentRecord {
            var r = ResidentRecord()
            r.fullName = full
            r.preferredName = preferred
            r.dateOfBirth = born
            r.nhsNumber = nhs
            r.nhsVerified = nhs != nil && verified
            r.room = room
            r.admissionType = type
            r.gpPractice = gp
            r.dementia = dementia
            r.allergies = allergies
            r.diagnoses = diagnoses
            r.communicationNeeds = communication
            r.whatMatters = matters
            if let nok { (r.nextOfKinName, r.nextOfKinRelationship, r.nextOfKinPhone) = nok }
            if let lpa { (r.lpaHealthName, r.lpaHealthPhone) = lpa }
            if let plan {
                r.planExists = true
                (r.planKind, r.planDate, r.planCPR, r.planHospital, r.planPriority, r.planLocation) = plan
            }
            return r
        }
        func born(_ age: Int, _ month: Int, _ day: Int) -> Day? { Day(year: today.year - age, month: month, day: day) }
        let redFolder = "Red folder in the nurses' office"

        let people: [Person] = [
            Person(record: record("Margaret Ann Hughes", "Peggy", born: born(88, 3, 12), nhs: "9991000003", room: "1", dementia: .alzheimers,
                                  allergies: "Penicillin: rash", diagnoses: "Alzheimer's disease\nAtrial fibrillation (on apixaban)\nOsteoarthritis of both knees",
                                  communication: "Hard of hearing in the left ear: speak on her right", matters: "Her cat Smudge's photo by the bed; tea with two sugars; Sunday hymns on the radio",
                                  nok: ("Susan Hughes", "Daughter", "07700 900123"), lpa: ("Susan Hughes", "07700 900123"),
                                  plan: (.respect, today.adding(months: -8), .notForCPR, .notWanted, .comfort, redFolder)),
                   admitted: today.adding(months: -26)),
            Person(record: record("Albert Edward Jones", "Bert", born: born(91, 7, 2), nhs: "9991000070", room: "2", dementia: .vascular,
                                  allergies: "None known", diagnoses: "Vascular dementia\nType 2 diabetes\nPrevious stroke (2019)",
                                  matters: "Talking about his years on the railways; a pint of stout on Fridays", nok: ("Graham Jones", "Son", "07700 900456"),
                                  plan: (.respect, today.adding(months: -3), .notForCPR, .wanted, .balance, redFolder)),
                   admitted: today.adding(months: -14)),
            Person(record: record("Dorothy May Evans", "Dot", born: born(84, 11, 30), nhs: "9991000143", room: "3", dementia: .lewyBody,
                                  allergies: "Haloperidol: severe rigidity and confusion (2024)", diagnoses: "Dementia with Lewy bodies\nOrthostatic hypotension\nRecurrent falls",
                                  communication: "Visual hallucinations in the evening: reassure, do not argue", matters: "Her garden; seeing her grandchildren on video calls on Sundays",
                                  nok: ("Peter Evans", "Husband", "01632 960456"), lpa: ("Claire Evans", "07700 900789"),
                                  plan: (.respect, today.adding(months: -5), .notForCPR, .wanted, .balance, redFolder)),
                   admitted: today.adding(months: -8)),
            Person(record: record("Harold Vijay Patel", "Harry", born: born(79, 5, 19), nhs: "9991000216", room: "4", dementia: .parkinsons,
                                  allergies: "Codeine: vomiting", diagnoses: "Parkinson's disease dementia\nParkinson's disease (time-critical medicines)\nDysphagia: IDDSI level 5 diet",
                                  communication: "Soft voice: give him time to answer", matters: "Cricket on the radio; vegetarian food",
                                  nok: ("Meera Patel", "Wife", "01632 960789"),
                                  plan: (.respect, today.adding(months: -2), .forCPR, .wanted, .sustainLife, redFolder)),
                   admitted: today.adding(months: -11), movements: [(.wentToHospital, wd(3), "")]),
            Person(record: record("Edna Rose Williams", "Edna", born: born(93, 1, 8), nhs: "9991000283", room: "5", dementia: .mixed,
                                  allergies: "Latex", diagnoses: "Mixed dementia\nHeart failure\nChronic kidney disease stage 3",
                                  matters: "Being called Mrs Williams by people she does not know; her wedding ring",
                                  nok: ("Janet Price", "Niece", "07700 900321"),
                                  plan: (.respect, today.adding(months: -1), .notForCPR, .notWanted, .comfort, redFolder)),
                   admitted: today.adding(months: -6),
                   movements: [(.wentToHospital, wd(12), ""), (.returnedFromHospital, wd(2), "")],
                   clock: [(.assessment, 0, "Nadia Hussain", "Community matron", [.physical, .functional, .environmental]),
                           (.medicationReviewFlag, 1, "Tom Bradley", "PCN clinical pharmacist", [])]),
            Person(record: record("Kwame Kofi Mensah", "Kwame", born: born(54, 9, 14), nhs: "9991000356", room: "6", dementia: .noDementia,
                                  allergies: "None known", diagnoses: "Acquired brain injury (road traffic collision, 2023)\nEpilepsy\nLeft-sided weakness",
                                  communication: "Expressive aphasia: use yes/no questions and his picture board", matters: "Arsenal matches; his sister's visits; music in his room",
                                  nok: ("Abena Mensah", "Sister", "07700 900654"),
                                  plan: (.advanceCarePlan, today.adding(months: -4), .forCPR, .wanted, .sustainLife, "Care plan folder, section 1")),
                   admitted: today.adding(months: -18)),
            Person(record: record("Irene Patricia Clarke", "Irene", born: born(86, 4, 27), nhs: "9991000429", verified: false, room: "7", dementia: .unknown,
                                  allergies: "Not yet confirmed: awaiting GP record", diagnoses: "Memory problems (not yet diagnosed)\nHypertension",
                                  matters: "Her knitting; staying near a window", nok: ("David Clarke", "Son", "07700 900987")),
                   admitted: wd(3)),
            Person(record: record("Stanley Arthur Cooper", "Stan", born: born(82, 12, 1), nhs: "9991000496", room: "8", dementia: .alzheimers,
                                  allergies: "None known", diagnoses: "Alzheimer's disease\nProstate cancer (hormone treatment)\nFalls",
                                  matters: "His allotment stories; a cooked breakfast", nok: ("Linda Cooper", "Wife", "01632 960321"),
                                  plan: (.dnacpr, today.adding(days: -20), .notForCPR, .notRecorded, .notRecorded, "Front of the care plan folder")),
                   admitted: wd(12),
                   clock: [(.medicationReviewFlag, 2, "Tom Bradley", "PCN clinical pharmacist", []),
                           (.assessment, 9, "Dr Amara Okafor", "GP", allDomains)]),
            Person(record: record("Joan Elizabeth Robinson", "Joan", born: born(89, 6, 6), nhs: "9991000569", room: "9", type: .dischargeToAssess, dementia: .alzheimers,
                                  allergies: "Trimethoprim: rash", diagnoses: "Alzheimer's disease\nFractured neck of femur (repaired)\nDelirium on discharge",
                                  matters: "Going home if she can; her daughter's daily phone call", nok: ("Karen Robinson", "Daughter", "07700 900147"),
                                  plan: (.respect, today.adding(days: -30), .notForCPR, .wanted, .balance, "Came with her from hospital: red folder")),
                   admitted: wd(5),
                   clock: [(.assessment, 2, "Nadia Hussain", "Community matron", allDomains),
                           (.medicationReviewFlag, 1, "Tom Bradley", "PCN clinical pharmacist", [])]),
            Person(record: record("Francis Joseph Murphy", "Frank", born: born(90, 2, 17), nhs: "9991000631", room: "10", dementia: .noDementia,
                                  allergies: "Aspirin: wheeze", diagnoses: "COPD (home oxygen)\nAnxiety",
                                  matters: "Horse racing; being outside for a cigarette-free walk", nok: ("Bridget Murphy", "Daughter", "07700 900258"),
                                  plan: (.dnacpr, today.adding(months: -10), .notForCPR, .notRecorded, .notRecorded, redFolder)),
                   admitted: today.adding(months: -30)),
            Person(record: record("Mary Catherine O'Neill", "Mary", born: born(87, 8, 15), nhs: "9991000704", room: "11", dementia: .vascular,
                                  allergies: "None known", diagnoses: "Vascular dementia\nOsteoporosis\nMacular degeneration",
                                  communication: "Registered blind: introduce yourself every time", matters: "Mass on Sunday; Irish music",
                                  nok: ("Sean O'Neill", "Son", "07700 900369"),
                                  plan: (.advanceCarePlan, today.adding(months: -7), .notRecorded, .wanted, .sustainLife, "Care plan folder")),
                   admitted: today.adding(months: -9)),
            Person(record: record("George Ali Ahmed", "George", born: born(76, 10, 3), nhs: "9991000771", room: "12", type: .respite, dementia: .noDementia,
                                  allergies: "None known", diagnoses: "Motor neurone disease\nPEG fed",
                                  communication: "Uses a communication aid (tablet)", matters: "Going home to his wife after the respite week",
                                  nok: ("Fatima Ahmed", "Wife", "01632 960654"),
                                  plan: (.respect, today.adding(months: -1), .notForCPR, .wanted, .balance, "Brought from home")),
                   admitted: wd(9), clock: fullClock),
            Person(record: record("Lilian Grace Brown", "Lily", born: born(95, 12, 20), nhs: "9991000844", verified: false, room: "14", dementia: .mixed,
                                  allergies: "Morphine: hallucinations", diagnoses: "Mixed dementia\nAnaemia",
                                  matters: "Her budgie; crosswords read aloud", nok: ("Anne Shaw", "Granddaughter", "07700 900741"),
                                  plan: (.respect, today.adding(months: -12), .notForCPR, .notWanted, .comfort, redFolder)),
                   admitted: today.adding(months: -40)),
            Person(record: record("Rose Ellen Taylor", "Rose", born: born(81, 3, 3), nhs: "9991000917", room: "15", type: .shortStay, dementia: .noDementia,
                                  allergies: "None known", diagnoses: "Recovery after a hip replacement",
                                  matters: "Getting home to her dog", nok: ("Philip Taylor", "Husband", "01632 960987")),
                   admitted: today.adding(days: -60), movements: [(.left, today.adding(days: -25), "")]),
            Person(record: record("Walter Henry Green", "Walter", born: born(97, 1, 25), nhs: "9991000984", room: "16", dementia: .alzheimers,
                                  allergies: "None known", diagnoses: "Alzheimer's disease\nHeart failure",
                                  matters: "His regiment's reunion photos", nok: ("Eileen Green", "Daughter", "07700 900852"),
                                  plan: (.respect, today.adding(months: -6), .notForCPR, .wanted, .balance, redFolder)),
                   admitted: today.adding(months: -20),
                   movements: [(.wentToHospital, today.adding(days: -24), ""), (.died, today.adding(days: -21), DeathPlace.hospital.rawValue)]),
        ]

        for person in people {
            let id = try stores.residents.create(person.record, admittedOn: person.admitted, by: principal)
            // Earlier clocks (the first admission when there was a later re-admission) were completed on time.
            let readmitted = person.movements.contains { $0.0 == .returnedFromHospital }
            if readmitted || person.clock.isEmpty && person.admitted < wd(15) {
                try recordClock(fullClock, stores: stores, residentID: id, start: person.admitted, calendar: calendar, today: today)
            }
            for (kind, day, place) in person.movements {
                try stores.residents.recordMovement(residentID: id, kind: kind, on: day, place: place, note: "", by: principal, today: today)
            }
            let start = person.movements.last { $0.0 == .returnedFromHospital }?.1 ?? person.admitted
            try recordClock(person.clock, stores: stores, residentID: id, start: start, calendar: calendar, today: today)
        }
        context.log.info("residents.demo-seeded", ["residents.count": String(people.count)])
    }

    static func recordClock(_ items: [(ClockItem, Int, String, String, [AssessmentDomain])], stores: Stores, residentID: Int64,
                            start: Day, calendar: WorkingCalendar, today: Day) throws {
        for (item, offset, by, role, domains) in items {
            let done = min(calendar.addingWorkingDays(offset, to: start), today)
            let review = item == .carePlan ? done.adding(months: 3).iso : ""
            try stores.clocks.record(ClockStore.EntryInput(item: item, doneOn: done.iso, doneBy: by, doneByRole: role,
                                                           domains: domains.map(\.rawValue), reviewOn: review, note: ""),
                                     residentID: residentID, by: principal, today: today)
        }
    }
}
