public import CareKit

/// A reason for putting a resident on the round's agenda. Each is a rule with an id, a weight (how
/// urgent, used to order the agenda), the reason shown to staff and its source.
///
/// The weights are our own design (EHCH leaves prioritisation to MDT judgement); they are written
/// down here, shown on the agenda page and tested at their boundaries in `AgendaRulesTests`.
public enum AgendaSignal: String, Sendable, CaseIterable, Codable {
    /// Admission or re-admission whose 7-working-day EHCH items are past the deadline and still open.
    case admissionItemsOverdue = "HR-AG-ADMIT-OVERDUE"
    /// Admission or re-admission still inside its 7-working-day window.
    case admissionWindow = "HR-AG-ADMIT"
    /// Came back from hospital since the last round.
    case backFromHospital = "HR-AG-HOSPITAL"
    /// A fall with an injury or a head strike since the last round.
    case fallWithHarm = "HR-AG-FALL-HARM"
    /// A fall since the last round.
    case fall = "HR-AG-FALL"
    /// A member of staff raised a concern for the next round.
    case staffConcern = "HR-AG-CONCERN"
    /// Added to this round's agenda by staff, with a reason.
    case addedByStaff = "HR-AG-ADDED"
    /// A medication review prompt for the round is open (every high one, and an overdue annual review
    /// or an antipsychotic in dementia due for review, whatever its severity).
    case medicationPrompt = "HR-AG-MED"
    /// Soft signs, a NEWS2 trigger or a rise from the usual, or an escalation since the last round.
    case deterioration = "HR-AG-DETERIORATION"
    /// A hospital transfer the MDT has not yet reviewed ("could it have been avoided?").
    case transferReview = "HR-AG-TRANSFER"
    /// On the last closed round's agenda but not recorded as reviewed there: carried to this one.
    case notReviewedLastRound = "HR-AG-CARRIED"
    /// An action from an earlier round is overdue.
    case overdueAction = "HR-AG-ACTION"
    /// No ReSPECT form or advance care plan recorded.
    case noAdvanceCarePlan = "HR-AG-ACP"

    /// The rule id shown beside the reason.
    public var ruleID: String { rawValue }

    /// Points added to the resident's score (higher: more urgent).
    public var weight: Int {
        switch self {
        case .admissionItemsOverdue: 60
        case .admissionWindow: 50
        case .fallWithHarm: 45
        case .backFromHospital: 40
        case .staffConcern: 35
        case .addedByStaff: 35
        case .fall: 30
        case .deterioration: 45
        case .transferReview: 25
        case .notReviewedLastRound: 30
        case .medicationPrompt: 25
        case .overdueAction: 20
        case .noAdvanceCarePlan: 10
        }
    }

    /// Signals in one group are alternatives: only the heaviest of a group counts (a fall with harm
    /// is not also counted as a plain fall; an overdue admission is not also "inside the window").
    var group: String {
        switch self {
        case .admissionItemsOverdue, .admissionWindow: "admission"
        case .fallWithHarm, .fall: "fall"
        default: rawValue
        }
    }

    /// Short title (`Fall since the last round`).
    public var title: String {
        switch self {
        case .admissionItemsOverdue: "EHCH admission items overdue (admitted in the last 28 days)"
        case .admissionWindow: "New admission or re-admission"
        case .backFromHospital: "Back from hospital since the last round"
        case .fallWithHarm: "Fall with injury or head strike since the last round"
        case .fall: "Fall since the last round"
        case .staffConcern: "Concern raised by staff"
        case .addedByStaff: "Added to this round by staff"
        case .deterioration: "Deteriorating since the last round"
        case .transferReview: "Hospital transfer not yet reviewed"
        case .notReviewedLastRound: "On the last round's agenda but not reviewed"
        case .medicationPrompt: "Medication review prompt for the round"
        case .overdueAction: "Overdue action from an earlier round"
        case .noAdvanceCarePlan: "No ReSPECT form or advance care plan"
        }
    }

    /// Why the rule exists, in words.
    public var reason: String {
        switch self {
        case .admissionItemsOverdue, .admissionWindow:
            "Every resident needs an MDT assessment, a personalised care and support plan and a structured medication review flag within 7 working days of admission or re-admission."
        case .backFromHospital:
            "Residents should be reviewed, with their medicines reconciled, after every hospital discharge."
        case .fallWithHarm, .fall:
            "After a fall, a multifactorial falls assessment (including a medication review) should be done and acted on."
        case .staffConcern, .addedByStaff:
            "Staff who know the resident best are often first to notice a change; the round discusses any staff or family concern."
        case .deterioration:
            "Soft signs, observations in a NEWS2 trigger band or above the resident's usual, or an escalation: most emergency admissions from care homes start as a deterioration staff noticed."
        case .transferReview:
            "The MDT reviews every transfer to hospital: could it have been avoided, and what would have helped. The answers show the home and its PCN where care can change."
        case .notReviewedLastRound:
            "A resident put on a round's agenda stays on the next one until a round records them as reviewed; their reasons are not dropped."
        case .medicationPrompt:
            "A high-priority medication review prompt is open, or a review the round should see is due (annual structured medication review overdue, antipsychotic in dementia due for review)."
        case .overdueAction:
            "Actions agreed at earlier rounds are followed until done."
        case .noAdvanceCarePlan:
            "Every resident should be offered a conversation about a ReSPECT form or advance care plan."
        }
    }

    /// Where the rule comes from.
    public var source: String {
        switch self {
        case .admissionItemsOverdue, .admissionWindow: "NHS England, Enhanced Health in Care Homes framework v3 (2023)"
        case .backFromHospital: "British Geriatrics Society, care home guidance; NHS England SMR guidance"
        case .fallWithHarm, .fall: "NICE NG249 (2025), falls: assessment and prevention"
        case .staffConcern, .addedByStaff: "NHS England EHCH framework v3: residents prioritised by MDT judgement and the home's advice"
        case .deterioration: "NHS England EHCH framework and British Geriatrics Society guidance (soft signs of deterioration or a raised NEWS2); RCP NEWS2 (2017), via the deterioration plugin"
        case .transferReview: "Own design, after the King's Fund's EHCH review (better ways of measuring impact are needed); via the transfers plugin"
        case .notReviewedLastRound: "Home round agenda rules (own design)"
        case .medicationPrompt: "NHS England structured medication review guidance; NICE QS85 statement 5; NICE NG97 (via the medication review plugin)"
        case .overdueAction: "Home round agenda rules (own design)"
        case .noAdvanceCarePlan: "NHS England EHCH framework v3; Resuscitation Council UK, ReSPECT"
        }
    }
}

/// One reason a resident is on an agenda: the signal and what triggered it.
public struct AgendaReason: Sendable, Equatable {
    /// The rule.
    public var signal: AgendaSignal
    /// What happened, in words (`Fell Thu 19 Nov 2026: lounge, unwitnessed`).
    public var detail: String
    /// When it arose, if known (used to put those who waited longest first among equals).
    public var since: Day?
    /// How many events it stands for (falls since the last round); at least 1.
    public var count: Int

    /// Creates a reason.
    public init(_ signal: AgendaSignal, detail: String, since: Day? = nil, count: Int = 1) {
        self.signal = signal
        self.detail = detail
        self.since = since
        self.count = max(1, count)
    }

    /// `Fall since the last round: Fell Thu 19 Nov 2026…`.
    public var line: String { detail.isEmpty ? signal.title : "\(signal.title): \(detail)" }
}
