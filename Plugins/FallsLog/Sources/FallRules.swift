import Foundation
import CareKit

/// A clinical rule's identity as shown to staff: id, the reason in words, and its source.
struct FallRule: Sendable, Equatable {
    let id: String
    let reason: String
    let source: String

    /// The reason and source, as every page that applies the rule shows them.
    var html: HTML { UI.ruleReason(reason, ruleID: id, source: source) }

    static let postFallCheck = FallRule(
        id: "FALL-ISTUMBLE-1",
        reason: "Before anyone lifts a resident, check the eight I STUMBLE points. Any \u{201C}yes\u{201D} means call 999 and do not lift: keep them comfortable and warm where they are.",
        source: "West Midlands Ambulance Service, I STUMBLE post-falls assessment tool")
    static let headInjuryOnAntithrombotics = FallRule(
        id: "FALL-NG232-1",
        reason: "A head injury (or a fall where a head injury cannot be ruled out) in someone taking an anticoagulant, or an antiplatelet other than aspirin alone, needs assessment in hospital even if they seem well. Read their ReSPECT form or advance care plan before deciding with them and their family.",
        source: "NICE NG232 Head injury: assessment and early management (2023), referral from the community; NICE QS74")
    static let urgentCommunityResponse = FallRule(
        id: "FALL-UCR-1",
        reason: "No red flag on the I STUMBLE check, no head injury, no loss of consciousness and no serious injury: the local 2-hour Urgent Community Response team can come instead of an ambulance.",
        source: "NHS England Urgent Community Response (2-hour) guidance; West Midlands Ambulance Service I STUMBLE tool")
    static let longLie = FallRule(
        id: "FALL-LONGLIE-1",
        reason: "A long lie is one hour or more on the floor. It brings a risk of pressure damage, dehydration, hypothermia and muscle breakdown (rhabdomyolysis): tell the GP or the responding clinician.",
        source: "British Geriatrics Society / NHS England, Falls and fractures consensus; own design: time on the floor counted from the time of the fall to getting up")
    static let followUpChecks = FallRule(
        id: "FALL-CHECKS-1",
        reason: "Bruising and skin damage can show a day or two after a fall: check skin at 24 and 48 hours. After a head strike (or a possible one), observe half-hourly for 2 hours, hourly for the next 4, then 2-hourly to 24 hours, and escalate any change.",
        source: "Observation frequencies from NICE NG232 (2023); 24 and 48 hour skin checks and the due-now windows are our own design")
    static let multifactorialAssessment = FallRule(
        id: "FALL-NG249-1",
        reason: "Every care home resident is presumed at risk of falling, so no falls risk score is used. Assess each factor on moving in and after every fall, and record an action for each problem found.",
        source: "NICE NG249 Falls: assessment and prevention in older people and people 50 and over at higher risk (2025); Action Falls / FinCH trial")
    static let reassessmentAfterHospital = FallRule(
        id: "FALL-NG249-2",
        reason: "Coming back from hospital is a re-admission: mobility, medicines, cognition and continence may all have changed during the stay. Repeat the multifactorial falls assessment, as on moving in, and record an action for each problem found. Not prompted again while an assessment is already waiting.",
        source: "NICE NG249 (2025), multifactorial assessment on moving into a care home; NHS England Enhanced Health in Care Homes framework v3 (2023): a return from hospital is a re-admission. Applying the moving-in assessment to a return from hospital is our own design")
}

// MARK: - I STUMBLE

/// The eight questions of the I STUMBLE post-fall check, asked before anyone lifts the resident.
enum PostFallQuestion: String, CaseIterable, Codable, Sendable {
    case intensePain = "intense-pain"
    case suspectedCollapse = "suspected-collapse"
    case trauma = "trauma"
    case unusualBehaviour = "unusual-behaviour"
    case breathing = "breathing"
    case bleeding = "bleeding"
    case lossOfConsciousness = "loss-of-consciousness"
    case fracture = "fracture"

    /// The initial letter of the mnemonic.
    var letter: String {
        switch self {
        case .intensePain: "I"
        case .suspectedCollapse: "S"
        case .trauma: "T"
        case .unusualBehaviour: "U"
        case .breathing: "M"
        case .bleeding: "B"
        case .lossOfConsciousness: "L"
        case .fracture: "E"
        }
    }

    /// The question, in staff words.
    var question: String {
        switch self {
        case .intensePain: "Intense pain: new pain in the neck, back, hip or a limb?"
        case .suspectedCollapse: "Suspected collapse: did they collapse or feel faint, dizzy or unwell before falling?"
        case .trauma: "Trauma: an injury to the head, neck or back?"
        case .unusualBehaviour: "Unusual behaviour: more confused or drowsy than usual, or behaving differently?"
        case .breathing: "Marked difficulty in breathing?"
        case .bleeding: "Bleeding: any significant bleeding?"
        case .lossOfConsciousness: "Loss of consciousness, even briefly?"
        case .fracture: "Evidence of fracture: a limb shortened, turned out, deformed or unable to bear weight?"
        }
    }

    /// Short label for lists.
    var shortTitle: String {
        switch self {
        case .intensePain: "Intense pain"
        case .suspectedCollapse: "Suspected collapse"
        case .trauma: "Trauma to head, neck or back"
        case .unusualBehaviour: "Unusual behaviour"
        case .breathing: "Marked difficulty breathing"
        case .bleeding: "Bleeding"
        case .lossOfConsciousness: "Loss of consciousness"
        case .fracture: "Evidence of fracture"
        }
    }
}

/// Answers to the I STUMBLE check. An unanswered question is absent.
struct PostFallCheck: Codable, Sendable, Equatable {
    var answers: [PostFallQuestion: Bool]

    init(answers: [PostFallQuestion: Bool] = [:]) { self.answers = answers }

    /// What the check says to do.
    enum Outcome: Equatable {
        /// At least one "yes": call 999, do not lift.
        case call999DoNotLift(reasons: [PostFallQuestion])
        /// All eight answered "no".
        case noRedFlags
        /// Some questions not answered and none answered "yes".
        case incomplete(missing: [PostFallQuestion])
    }

    /// Any single "yes" decides at once, whatever is still unanswered: speed matters on the floor.
    var outcome: Outcome {
        let yes = PostFallQuestion.allCases.filter { answers[$0] == true }
        if !yes.isEmpty { return .call999DoNotLift(reasons: yes) }
        let missing = PostFallQuestion.allCases.filter { answers[$0] == nil }
        return missing.isEmpty ? .noRedFlags : .incomplete(missing: missing)
    }

    var isCall999: Bool { if case .call999DoNotLift = outcome { true } else { false } }
    var lossOfConsciousness: Bool { answers[.lossOfConsciousness] == true }
}

// MARK: - NICE NG232: head injury on anticoagulants / antiplatelets

/// What the head-injury rule says about a fall.
enum HeadInjuryAdvice: Equatable {
    /// No head strike recorded: the rule does not apply.
    case notApplicable
    /// Hospital assessment needed (NICE NG232); the reason names the medicine group.
    case hospitalAssessment(reason: String)
    /// A head injury is possible and nobody knows yet whether they take an anticoagulant or antiplatelet.
    case findOutMedicines
    /// Head strike (or possible) but no anticoagulant, and no antiplatelet other than aspirin alone.
    case noAntithromboticRisk

    /// Decides. A head strike that is "not known" counts as possible whether or not the fall was
    /// witnessed (stricter than "unwitnessed and not known": a witness may not have seen the head).
    static func decide(headStrike: HeadStrike, witnessed: Bool, antithrombotic: AntithromboticAnswer?) -> HeadInjuryAdvice {
        guard headStrike != .no else { return .notApplicable }
        let what = headStrike == .yes ? "Head strike" : (witnessed ? "Head strike not known" : "Unwitnessed fall, head strike not known")
        switch antithrombotic {
        case .anticoagulant?: return .hospitalAssessment(reason: "\(what) while taking an anticoagulant.")
        case .antiplatelet?: return .hospitalAssessment(reason: "\(what) while taking an antiplatelet other than aspirin alone.")
        case .aspirinAlone?, .none?: return .noAntithromboticRisk
        case .unknown?, nil: return .findOutMedicines
        }
    }

    var needsHospital: Bool { if case .hospitalAssessment = self { true } else { false } }
}

// MARK: - Urgent Community Response

/// Whether to offer the 2-hour Urgent Community Response instead of 999.
enum UrgentResponseAdvice: Equatable {
    /// Nothing serious found: offer UCR as the alternative to 999.
    case offerUCR
    /// Call 999 (a red flag, a head injury on antithrombotics, or serious harm); the reason says which.
    case notSuitable(reason: String)
    /// The I STUMBLE check is not finished yet.
    case checkFirst

    static func decide(check: PostFallCheck?, headStrike: HeadStrike, harm: HarmLevel?) -> UrgentResponseAdvice {
        guard let check else { return .checkFirst }
        switch check.outcome {
        case .call999DoNotLift: return .notSuitable(reason: "The I STUMBLE check found a red flag: call 999.")
        case .incomplete: return .checkFirst
        case .noRedFlags: break
        }
        switch headStrike {
        case .yes: return .notSuitable(reason: "They hit their head: follow the head injury advice, not the community response.")
        case .unknown: return .notSuitable(reason: "A head injury cannot be ruled out: follow the head injury advice, not the community response.")
        case .no: break
        }
        if let harm, harm >= .moderate { return .notSuitable(reason: "The harm recorded is \(Wording.midSentence(harm.title)): this needs more than the community response.") }
        return .offerUCR
    }
}

// MARK: - Time on the floor

/// Minutes on the floor, from the time of the fall to getting up (or, until that is recorded, to being found).
struct TimeOnFloor: Equatable {
    /// Whole minutes.
    let minutes: Int
    /// True when the time of getting up is not recorded, so the true time is at least `minutes`.
    let isAtLeast: Bool

    /// One hour or more on the floor.
    static let longLieMinutes = 60

    var isLongLie: Bool { minutes >= TimeOnFloor.longLieMinutes }

    /// Nil when there is nothing after the fall to measure to, or the times run backwards.
    static func compute(fellAt: Date, foundAt: Date?, upAt: Date?) -> TimeOnFloor? {
        if let upAt {
            guard upAt >= fellAt else { return nil }
            return TimeOnFloor(minutes: Int(upAt.timeIntervalSince(fellAt) / 60), isAtLeast: false)
        }
        if let foundAt {
            // Found at the moment of the fall (seen falling) says nothing about time on the floor yet.
            guard foundAt >= fellAt, Int(foundAt.timeIntervalSince(fellAt) / 60) > 0 else { return nil }
            return TimeOnFloor(minutes: Int(foundAt.timeIntervalSince(fellAt) / 60), isAtLeast: true)
        }
        return nil
    }

    /// `1 h 25 min`, `at least 40 min`.
    var display: String {
        let h = minutes / 60, m = minutes % 60
        let text = h == 0 ? "\(m) min" : (m == 0 ? "\(h) h" : "\(h) h \(m) min")
        return isAtLeast ? "at least \(text)" : text
    }
}
