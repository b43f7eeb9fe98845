import CareKit

/// The components of the multifactorial falls assessment (NICE NG249). There is deliberately no
/// score: NG249 says not to use falls risk prediction tools; each finding gets its own action.
enum AssessmentComponent: String, CaseIterable, Codable, Sendable {
    case history = "falls-history"
    case gait = "gait-balance"
    case osteoporosis
    case function = "function-fear"
    case vision
    case cognition
    case continence
    case environment
    case bloodPressure = "lying-standing-bp"
    case medication = "medication-review"

    var title: String {
        switch self {
        case .history: "Falls history"
        case .gait: "Gait, balance and mobility"
        case .osteoporosis: "Osteoporosis and fracture risk"
        case .function: "Function and fear of falling"
        case .vision: "Vision"
        case .cognition: "Cognition"
        case .continence: "Continence"
        case .environment: "Environment (room, lighting, equipment)"
        case .bloodPressure: "Lying and standing blood pressure"
        case .medication: "Medication review"
        }
    }

    /// What to look at, and actions that typically follow (shown as a hint).
    var hint: String {
        switch self {
        case .history: "How many falls in the last year, how and where. Action e.g. share the pattern with the GP."
        case .gait: "Walking, turning, sitting to standing, walking aid. Action e.g. physiotherapy referral, strength and balance exercise."
        case .osteoporosis: "Previous fracture, bone treatment, vitamin D. Action e.g. ask the GP to review bone health; hip protectors."
        case .function: "What they can do for themselves; fear of falling. Action e.g. occupational therapy, confidence work."
        case .vision: "Last eye test, glasses worn and clean. Action e.g. optician visit."
        case .cognition: "Dementia, delirium, new confusion. Action e.g. delirium screen, supervision at busy times."
        case .continence: "Urgency, night-time toileting, infection. Action e.g. toileting plan, continence review."
        case .environment: "Bed height, lighting, clutter, call bell, sensor mat. Action e.g. night light, bed lowered."
        case .bloodPressure: "A drop of 20 systolic or 10 diastolic, or symptoms, on standing. Action e.g. GP review of medicines."
        case .medication: "Falls-risk medicines (sedatives, antihypertensives, opioids). Action e.g. request a structured medication review."
        }
    }
}

/// One component's finding in a completed assessment.
struct AssessmentFinding: Equatable, Codable, Sendable {
    let component: AssessmentComponent
    /// Whether a problem was found (then an action is required).
    let problem: Bool
    let finding: String
    let action: String
}

/// Validates the assessment form: every component needs an answer, and every problem an action.
enum AssessmentValidation {
    static func findings(from form: FormData, errors: inout FormErrors) -> [AssessmentFinding] {
        AssessmentComponent.allCases.compactMap { component in
            let key = component.rawValue
            let answer = form["\(key)-problem"]
            let finding = form["\(key)-finding"] ?? ""
            let action = form["\(key)-action"] ?? ""
            guard answer == "yes" || answer == "no" else {
                errors.add("\(key)-problem", "Say whether a problem was found with \(Wording.midSentence(component.title))")
                return nil
            }
            let problem = answer == "yes"
            if problem && finding.isEmpty {
                errors.add("\(key)-finding", "Describe what was found with \(Wording.midSentence(component.title))")
            }
            if problem && action.isEmpty {
                errors.add("\(key)-action", "Record the action for \(Wording.midSentence(component.title)): every problem found needs one")
            }
            return AssessmentFinding(component: component, problem: problem, finding: finding, action: action)
        }
    }
}
