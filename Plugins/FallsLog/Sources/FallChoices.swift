import CareKit
import CareServices

/// A closed list of answers a fall record offers, each with the words staff see.
/// Stored by raw value, so a value never changes meaning once shipped.
protocol FallChoice: RawRepresentable, CaseIterable, Codable, Sendable, Equatable where RawValue == String {
    var title: String { get }
}

extension FallChoice {
    /// (value, label) pairs for `Form.select` / `Form.radios`.
    static var options: [(value: String, label: String)] { allCases.map { ($0.rawValue, $0.title) } }
    /// Parses a submitted value; nil when absent or not one of the choices.
    init?(form value: String?) {
        guard let value, let choice = Self(rawValue: value) else { return nil }
        self = choice
    }
}

/// Whether the head was struck. `unknown` is common when nobody saw the fall.
enum HeadStrike: String, FallChoice {
    case yes, no, unknown
    var title: String {
        switch self {
        case .yes: "Yes"
        case .no: "No"
        case .unknown: "Not known"
        }
    }
}

/// Where the fall happened (the analytics group by this).
enum FallLocation: String, FallChoice {
    case bedroom, bathroom, toilet, lounge, dining, corridor, stairs, outside, other
    var title: String {
        switch self {
        case .bedroom: "Bedroom"
        case .bathroom: "En-suite or bathroom"
        case .toilet: "Toilet"
        case .lounge: "Lounge"
        case .dining: "Dining room"
        case .corridor: "Corridor"
        case .stairs: "Stairs or lift"
        case .outside: "Garden or outside"
        case .other: "Somewhere else"
        }
    }
}

/// What the resident was doing.
enum FallActivity: String, FallChoice {
    case walking, standingUp = "standing-up", bed, toileting, reaching, dressing, unknown, other
    var title: String {
        switch self {
        case .walking: "Walking"
        case .standingUp: "Standing up or sitting down"
        case .bed: "Getting in or out of bed"
        case .toileting: "Using the toilet"
        case .reaching: "Reaching or bending"
        case .dressing: "Dressing or washing"
        case .unknown: "Not known (nobody saw)"
        case .other: "Something else"
        }
    }
}

/// Footwear at the time.
enum Footwear: String, FallChoice {
    case shoes, slippers, socks, barefoot, unsafe, unknown
    var title: String {
        switch self {
        case .shoes: "Well-fitting shoes"
        case .slippers: "Slippers"
        case .socks: "Socks or stockings only"
        case .barefoot: "Bare feet"
        case .unsafe: "Loose or ill-fitting footwear"
        case .unknown: "Not known"
        }
    }
}

/// The walking aid.
enum WalkingAid: String, FallChoice {
    case noAid = "none", usingAid = "using", notUsingAid = "not-using", wheelchair, unknown
    var title: String {
        switch self {
        case .noAid: "Does not use a walking aid"
        case .usingAid: "Was using their walking aid"
        case .notUsingAid: "Has an aid but was not using it"
        case .wheelchair: "Wheelchair user"
        case .unknown: "Not known"
        }
    }
}

/// The call bell.
enum CallBell: String, FallChoice {
    case inReach = "in-reach", outOfReach = "out-of-reach", cannotUse = "cannot-use", notApplicable = "not-applicable", unknown
    var title: String {
        switch self {
        case .inReach: "In reach"
        case .outOfReach: "Out of reach"
        case .cannotUse: "Not able to use a call bell"
        case .notApplicable: "Not applicable (communal area)"
        case .unknown: "Not known"
        }
    }
}

/// Degree of harm, in the NHS England "Learn from patient safety events" (LFPSE) grading.
enum HarmLevel: String, FallChoice, Comparable {
    case none, low, moderate, severe, fatal
    var title: String {
        switch self {
        case .none: "No harm"
        case .low: "Low harm (minor injury, first aid)"
        case .moderate: "Moderate harm (needed treatment, not permanent)"
        case .severe: "Severe harm (permanent or long-term, e.g. hip fracture)"
        case .fatal: "Fatal"
        }
    }
    var rank: Int {
        switch self {
        case .none: 0
        case .low: 1
        case .moderate: 2
        case .severe: 3
        case .fatal: 4
        }
    }
    static func < (lhs: HarmLevel, rhs: HarmLevel) -> Bool { lhs.rank < rhs.rank }
}

/// Who was called for help.
enum WhoCalled: String, FallChoice {
    case ambulance = "999", nhs111 = "111", ucr, gp
    var title: String {
        switch self {
        case .ambulance: "999 ambulance"
        case .nhs111: "NHS 111"
        case .ucr: "Urgent Community Response (2-hour)"
        case .gp: "GP"
        }
    }
}

/// Whether the resident takes something that makes a head injury more dangerous, as recorded on the fall.
enum AntithromboticAnswer: String, FallChoice {
    case anticoagulant, antiplatelet, aspirinAlone = "aspirin-alone", none, unknown
    var title: String {
        switch self {
        case .anticoagulant: "Yes, an anticoagulant (e.g. apixaban, rivaroxaban, edoxaban, warfarin)"
        case .antiplatelet: "Yes, an antiplatelet other than aspirin alone (e.g. clopidogrel)"
        case .aspirinAlone: "Aspirin alone"
        case .none: "None of these"
        case .unknown: "Not known"
        }
    }
    /// Short form for lists.
    var shortTitle: String {
        switch self {
        case .anticoagulant: "Anticoagulant"
        case .antiplatelet: "Antiplatelet (not aspirin alone)"
        case .aspirinAlone: "Aspirin alone"
        case .none: "No anticoagulant or antiplatelet"
        case .unknown: "Not known"
        }
    }

    /// The answer the medicines list gives, with the medicines behind it.
    static func from(_ status: AntithromboticStatus) -> (answer: AntithromboticAnswer, medicines: [String]) {
        switch status {
        case .anticoagulant(let names): (.anticoagulant, names)
        case .antiplatelet(let names): (.antiplatelet, names)
        case .aspirinAlone: (.aspirinAlone, ["Aspirin"])
        case .cannotTell: (.unknown, [])
        case .none: (.none, [])
        }
    }
}

/// Where a fall record stands.
enum FallStatus: String, Codable, Sendable {
    /// Quick first entry saved; the full record is still to be completed.
    case firstEntry = "first-entry"
    /// Completed by a nurse or the manager (and possibly amended since).
    case completed
    /// Marked entered in error, with a reason. Kept, but left out of lists, checks and figures.
    case enteredInError = "entered-in-error"

    var title: String {
        switch self {
        case .firstEntry: "To complete"
        case .completed: "Completed"
        case .enteredInError: "Entered in error"
        }
    }
}
