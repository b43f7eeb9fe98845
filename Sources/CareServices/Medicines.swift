/// A property of a medicine that drives a rule.
@frozen public enum MedicineFlag: String, Sendable, CaseIterable, Codable {
    case anticoagulant, antiplatelet, aspirin, opioid, benzodiazepine, zDrug = "z-drug", gabapentinoid,
         antipsychotic, laxative, sickDay = "sick-day", fallsRisk = "falls-risk", unclassified
}

/// A current medicine as other plugins see it.
public struct MedicineSummary: Sendable, Equatable {
    /// Name as recorded (`Apixaban`).
    public var name: String
    /// Dose, route and frequency in words (`5 mg oral twice a day`).
    public var directions: String
    /// Whether it is taken only when needed (PRN).
    public var asNeeded: Bool
    /// Properties from the drug table.
    public var flags: Set<MedicineFlag>

    /// Creates a summary.
    public init(name: String, directions: String, asNeeded: Bool, flags: Set<MedicineFlag>) {
        self.name = name
        self.directions = directions
        self.asNeeded = asNeeded
        self.flags = flags
    }
}

/// Whether a resident takes something that makes a head injury more dangerous (NICE NG232).
@frozen public enum AntithromboticStatus: Sendable, Equatable {
    /// On an anticoagulant.
    case anticoagulant([String])
    /// On an antiplatelet other than aspirin alone.
    case antiplatelet([String])
    /// On aspirin alone (not by itself a reason for hospital assessment under NG232).
    case aspirinAlone
    /// No anticoagulant or antiplatelet among the medicines the drug table recognises, but these
    /// medicines are not in it: the list cannot show there is none, so staff must be asked.
    case cannotTell(unclassified: [String])
    /// On none of these, and every current medicine is one the drug table recognises.
    case none
}

/// The medication plugin's medicines service.
public protocol CurrentMedicines: Sendable {
    /// The resident's current medicines.
    func medicines(residentID: Int64) throws -> [MedicineSummary]
    /// Anticoagulant / antiplatelet status from the current medicines.
    func antithromboticStatus(residentID: Int64) throws -> AntithromboticStatus
}

/// How urgent a prompt is.
@frozen public enum PromptSeverity: Int, Sendable, Comparable, CaseIterable, Codable {
    case consider = 1, moderate = 2, high = 3

    /// Shown to staff.
    public var title: String {
        switch self {
        case .consider: "Consider"
        case .moderate: "Review"
        case .high: "High"
        }
    }
    public static func < (lhs: PromptSeverity, rhs: PromptSeverity) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// An open prompt for a resident, with its reason.
public struct ResidentPrompt: Sendable, Equatable {
    /// The resident.
    public var residentID: Int64
    /// Rule id (`MR-POLY-10`).
    public var ruleID: String
    /// Headline.
    public var title: String
    /// Why, in words, with the numbers behind it.
    public var reason: String
    /// Severity.
    public var severity: PromptSeverity
    /// Whether the prompt belongs on the next home round's agenda (every high prompt, and those the
    /// EHCH agenda signals name: structured medication review overdue, antipsychotic in dementia due for review).
    public var forRound: Bool

    /// Creates a prompt.
    public init(residentID: Int64, ruleID: String, title: String, reason: String, severity: PromptSeverity, forRound: Bool? = nil) {
        self.forRound = forRound ?? (severity == .high)
        self.residentID = residentID
        self.ruleID = ruleID
        self.title = title
        self.reason = reason
        self.severity = severity
    }
}

/// The medication plugin's prompts service.
public protocol MedicationPromptSource: Sendable {
    /// Open (not acknowledged) prompts for every current resident, most urgent first.
    func openPrompts() throws -> [ResidentPrompt]
    /// Open prompts for one resident.
    func openPrompts(residentID: Int64) throws -> [ResidentPrompt]
}
