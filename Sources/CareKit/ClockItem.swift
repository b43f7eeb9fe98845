
/// One of the three things EHCH asks for within 7 working days of admission or re-admission.
@frozen public enum ClockItem: String, Sendable, CaseIterable, Codable {
    /// Comprehensive assessment.
    case assessment
    /// Personalised care and support plan.
    case carePlan = "care-plan"
    /// Structured medication review flag.
    case medicationReviewFlag = "medication-review-flag"

    /// Shown to staff.
    public var title: String {
        switch self {
        case .assessment: "Comprehensive assessment"
        case .carePlan: "Personalised care and support plan"
        case .medicationReviewFlag: "Structured medication review flag"
        }
    }
}
