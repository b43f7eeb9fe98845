import CareKit
import Foundation

/// Why a resident went to hospital.
enum TransferReason: String, Sendable, CaseIterable {
    case fall, deterioration, planned, other

    var title: String {
        switch self {
        case .fall: "A fall"
        case .deterioration: "Became unwell (deterioration)"
        case .planned: "Planned (appointment, day case, operation)"
        case .other: "Something else"
        }
    }
    /// Every transfer but a planned one is unplanned: an emergency use of hospital.
    var isUnplanned: Bool { self != .planned }
}

/// Who sent them, or how the transfer was arranged.
enum TransferRoute: String, Sendable, CaseIterable {
    case ambulance999 = "999", nhs111 = "111", ucr, gpDirected = "gp", family, plannedTransport = "planned-transport"

    var title: String {
        switch self {
        case .ambulance999: "999 ambulance"
        case .nhs111: "NHS 111"
        case .ucr: "2-hour Urgent Community Response"
        case .gpDirected: "GP directed"
        case .family: "Family took them"
        case .plannedTransport: "Planned transport"
        }
    }
}

/// What happened at the hospital.
enum TransferOutcome: String, Sendable, CaseIterable {
    case notKnownYet = "not-known", aeOnly = "ae-only", admitted, directAdmission = "direct", plannedCare = "planned-care"

    var title: String {
        switch self {
        case .notKnownYet: "Not known yet"
        case .aeOnly: "Seen in A&E, not admitted"
        case .admitted: "Admitted through A&E"
        case .directAdmission: "Admitted directly (not through A&E)"
        case .plannedCare: "Planned care (appointment, day case or operation)"
        }
    }
    /// An admission to a hospital bed.
    var isAdmission: Bool { self == .admitted || self == .directAdmission }
    /// An attendance at A&E (whether or not it led to an admission).
    var isAEAttendance: Bool { self == .aeOnly || self == .admitted }
}

/// How a hospital stay ended, as the registry's movements say (or as recorded here).
enum StayEnd: String, Sendable, CaseIterable {
    case returned, died, left

    var title: String {
        switch self {
        case .returned: "Came back"
        case .died: "Died in hospital"
        case .left: "Did not come back (left the home)"
        }
    }
}

/// Whether the resident's medicines were reconciled after the stay.
enum Reconciliation: String, Sendable, CaseIterable {
    case notYet = "not-yet", yes, no, notNeeded = "not-needed"

    var title: String {
        switch self {
        case .notYet: "Not yet"
        case .yes: "Yes"
        case .no: "No"
        case .notNeeded: "Not needed (no change possible, e.g. seen in A&E only with no new medicines)"
        }
    }
}

/// One transfer to hospital.
struct Transfer: Sendable, Equatable {
    var id: Int64 = 0
    var residentID: Int64
    var leftAt: Date
    var reason: TransferReason
    var reasonDetail: String = ""
    /// The fall it followed, when it followed one recorded in the falls log.
    var fallID: Int64?
    /// The escalation or other record it followed, in words.
    var linkedRecord: String = ""
    var route: TransferRoute
    var byAmbulance: Bool
    var outcome: TransferOutcome
    var hospital: String = ""
    var stayEndedOn: Day?
    var stayEnd: StayEnd?
    var dischargeSummaryOn: Day?
    var reconciliation: Reconciliation = .notYet
    var reconciledOn: Day?
    /// A structured medication review the medication plugin recorded in the 30 days after they came back.
    var medicationReviewOn: Day?
    var followUp: String = ""
    var recordedByName: String = ""
    var enteredInError: Bool = false

    /// The day they left (day 0 of the stay).
    var leftOn: Day { HomeTime.day(of: leftAt) }
    var isUnplanned: Bool { reason.isUnplanned }
    /// An unplanned admission to a hospital bed.
    var isEmergencyAdmission: Bool { isUnplanned && outcome.isAdmission }
    /// An unplanned attendance at A&E.
    var isAEAttendance: Bool { isUnplanned && outcome.isAEAttendance }
    /// Taken by ambulance in an emergency.
    var isConveyance: Bool { isUnplanned && byAmbulance }
    var returnedOn: Day? { stayEnd == .returned ? stayEndedOn : nil }
    /// Still away: the stay has not ended.
    var isOpen: Bool { stayEndedOn == nil }

    /// Nights away (the NHS counts a bed day at midnight): from the day they left to the day the stay
    /// ended, or to `today` while it goes on.
    func lengthOfStay(today: Day) -> Int { max(0, leftOn.days(until: stayEndedOn ?? today)) }

    /// Nights in hospital from `start` to `end` inclusive: the night of day d counts when they left on or
    /// before d and the stay had not ended by d (the same rule as the registry's occupied bed days).
    func hospitalNights(from start: Day, to end: Day, today: Day) -> Int {
        let until = stayEndedOn ?? today.adding(days: 1)
        let lower = max(leftOn, start), upper = min(until, end.adding(days: 1))
        return max(0, lower.days(until: upper))
    }

    /// `Tue 3 Nov 2026: a fall, 999 ambulance, admitted through A&E`.
    var summary: String {
        "\(leftOn.display): \(Wording.midSentence(reason.title)), \(route.title), \(Wording.midSentence(outcome.title))"
    }
    var path: String { "/transfers/\(id)" }
}

/// The MDT's view of a transfer at the round after it.
enum Avoidability: String, Sendable, CaseIterable {
    case yes, possibly, no, cannotSay = "cannot-say"

    var title: String {
        switch self {
        case .yes: "Yes, it could have been avoided"
        case .possibly: "Possibly"
        case .no: "No, hospital was the right place"
        case .cannotSay: "Cannot say"
        }
    }
    /// Counted in the share "reviewed as possibly avoidable".
    var countsAsPossiblyAvoidable: Bool { self == .yes || self == .possibly }
}

/// What would have helped, from a short list (own design, from the issue and the EHCH framework's themes).
enum WhatWouldHaveHelped: String, Sendable, CaseIterable {
    case earlierRecognition = "earlier-recognition", ucrOrVirtualWard = "ucr", gpAdviceSooner = "gp-advice",
         advanceCarePlan = "acp", medicinesReview = "medicines", equipmentOrSkills = "skills", nothing, other

    var title: String {
        switch self {
        case .earlierRecognition: "Noticing the deterioration sooner (soft signs, observations)"
        case .ucrOrVirtualWard: "Urgent Community Response or a virtual ward instead"
        case .gpAdviceSooner: "GP or clinical advice sooner"
        case .advanceCarePlan: "An advance care plan (or one that was followed)"
        case .medicinesReview: "A medicines review"
        case .equipmentOrSkills: "Equipment, training or staff skills in the home"
        case .nothing: "Nothing: it was needed"
        case .other: "Something else (say what)"
        }
    }
}

/// The MDT's review of one transfer.
struct TransferReview: Sendable, Equatable {
    var transferID: Int64
    var avoidable: Avoidability
    var helped: WhatWouldHaveHelped
    var notes: String
    var reviewedOn: Day
    var reviewedBy: String
}

/// Where a resident died, and whether it was where they wanted.
enum DeathPlace: String, Sendable, CaseIterable {
    case here, hospital, hospice, elsewhere

    var title: String {
        switch self {
        case .here: "Here, in the home"
        case .hospital: "In hospital"
        case .hospice: "In a hospice"
        case .elsewhere: "Elsewhere"
        }
    }
}

/// A preferred place of death, from the advance care plan (or not known).
enum PreferredPlace: String, Sendable, CaseIterable {
    case notKnown = "not-known", here, hospital, hospice, elsewhere

    var title: String {
        switch self {
        case .notKnown: "Not recorded in a plan"
        case .here: "Here, in the home"
        case .hospital: "In hospital"
        case .hospice: "In a hospice"
        case .elsewhere: "Elsewhere"
        }
    }
    var place: DeathPlace? { DeathPlace(rawValue: rawValue) }
}

/// A death, with where and whether it matched the plan.
struct DeathRecord: Sendable, Equatable {
    var id: Int64 = 0
    var residentID: Int64
    var diedOn: Day
    var place: DeathPlace?
    var preferred: PreferredPlace
    /// Whether an advance care plan (ReSPECT, ACP) existed at death, read from the registry then.
    var planExisted: Bool
    /// Whether someone has checked and completed the record.
    var completed: Bool

    /// Whether they died where they wanted (nil while either is not known).
    var inPreferredPlace: Bool? {
        guard let place, let wanted = preferred.place else { return nil }
        return place == wanted
    }
}

/// The resident and family voice: a few questions in plain words, asked at the care plan review.
enum VoiceQuestion: String, Sendable, CaseIterable {
    case knowWhoToAsk = "know-who", toldWhatHappens = "told", involvedInPlan = "involved", joinedUp = "joined-up"

    var title: String {
        switch self {
        case .knowWhoToAsk: "Do you know who to ask about your health care?"
        case .toldWhatHappens: "When a doctor or nurse changes something, are you told what and why?"
        case .involvedInPlan: "Were you involved in writing your care plan?"
        case .joinedUp: "Do the home, your GP and the hospital seem to work together for you?"
        }
    }
    var short: String {
        switch self {
        case .knowWhoToAsk: "Know who to ask"
        case .toldWhatHappens: "Told what changes and why"
        case .involvedInPlan: "Involved in the care plan"
        case .joinedUp: "Care feels joined up"
        }
    }
}

/// An answer in plain words.
enum VoiceAnswer: String, Sendable, CaseIterable {
    case yes, partly, no, notAnswered = "not-answered"

    var title: String {
        switch self {
        case .yes: "Yes"
        case .partly: "Partly"
        case .no: "No"
        case .notAnswered: "Did not answer"
        }
    }
}

/// Who gave the answers.
enum VoiceRespondent: String, Sendable, CaseIterable {
    case resident, representative, both

    var title: String {
        switch self {
        case .resident: "The resident"
        case .representative: "Their family or representative"
        case .both: "Both together"
        }
    }
}

/// One resident's (or representative's) answers, asked at the care plan review.
struct VoiceRecord: Sendable, Equatable {
    var id: Int64 = 0
    var residentID: Int64
    var askedOn: Day
    var respondent: VoiceRespondent
    var answers: [VoiceQuestion: VoiceAnswer]
    var comment: String = ""
}
