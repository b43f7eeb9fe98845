public import CareKit

/// A referral the round can make.
public enum Referral: String, Sendable, CaseIterable, Codable {
    case speechAndLanguage = "speech-and-language", physiotherapy, occupationalTherapy = "occupational-therapy", dietitian,
         mentalHealth = "mental-health", specialistDementia = "specialist-dementia", continence,
         tissueViability = "tissue-viability", podiatry, dental, optometry, audiology

    /// Shown to staff and in the GP summary.
    public var title: String {
        switch self {
        case .speechAndLanguage: "Speech and language therapy"
        case .physiotherapy: "Physiotherapy"
        case .occupationalTherapy: "Occupational therapy"
        case .dietitian: "Dietitian"
        case .mentalHealth: "Mental health"
        case .specialistDementia: "Specialist dementia service"
        case .continence: "Continence service"
        case .tissueViability: "Tissue viability"
        case .podiatry: "Podiatry"
        case .dental: "Dental"
        case .optometry: "Optometry"
        case .audiology: "Audiology"
        }
    }
}

/// What the round recorded for one resident: the fields of the resident's own small form.
public struct RoundEntry: Sendable, Equatable {
    /// Whether the resident was reviewed.
    public enum Outcome: String, Sendable, CaseIterable {
        case notRecorded = "", reviewed, notSeen = "not-seen"
        /// Shown to staff.
        public var title: String {
            switch self {
            case .notRecorded: "Not recorded yet"
            case .reviewed: "Reviewed"
            case .notSeen: "Not seen"
            }
        }
    }

    public var outcome: Outcome = .notRecorded
    /// Why not seen (required when not seen).
    public var notSeenReason = ""
    public var findings = ""
    /// EHCH items completed at this round (offered while the admission clock is open).
    public var assessmentDone = false
    public var carePlanDone = false
    public var medicationReviewFlagged = false
    public var advanceCarePlanDiscussed = false
    public var advanceCarePlanNotes = ""
    public var referrals: Set<Referral> = []
    public var medicinesChanged = false
    public var medicinesNotes = ""
    public var familyToBeInformed = false
    public var familyNotes = ""
    public var gpRecordUpdated = false

    /// An empty entry.
    public init() {}

    /// Whether anything has been recorded.
    public var isEmpty: Bool { self == RoundEntry() }

    /// The EHCH items ticked, in words.
    public var ehchItems: [String] {
        var items = [String]()
        if assessmentDone { items.append("comprehensive assessment completed") }
        if carePlanDone { items.append("personalised care and support plan agreed") }
        if medicationReviewFlagged { items.append("structured medication review flagged") }
        return items
    }

    /// Referrals in a stable order.
    public var referralList: [Referral] { Referral.allCases.filter { referrals.contains($0) } }

    /// Reads the form as sent, with a message beside each field that is not acceptable.
    public static func parse(_ form: FormData) -> (entry: RoundEntry, errors: FormErrors) {
        var entry = RoundEntry()
        var errors = FormErrors()
        entry.outcome = Outcome(rawValue: form["outcome"] ?? "") ?? .notRecorded
        entry.notSeenReason = form["not_seen_reason"] ?? ""
        entry.findings = form["findings"] ?? ""
        entry.assessmentDone = form.isChecked("assessment_done")
        entry.carePlanDone = form.isChecked("care_plan_done")
        entry.medicationReviewFlagged = form.isChecked("smr_flagged")
        entry.advanceCarePlanDiscussed = form.isChecked("acp_discussed")
        entry.advanceCarePlanNotes = form["acp_notes"] ?? ""
        entry.referrals = Set(form.all("referrals").compactMap(Referral.init(rawValue:)))
        entry.medicinesChanged = form.isChecked("medicines_changed")
        entry.medicinesNotes = form["medicines_notes"] ?? ""
        entry.familyToBeInformed = form.isChecked("family_to_inform")
        entry.familyNotes = form["family_notes"] ?? ""
        entry.gpRecordUpdated = form.isChecked("gp_record_updated")

        if entry.outcome == .notSeen && entry.notSeenReason.isEmpty {
            errors.add("not_seen_reason", "Say why the resident was not seen (for example: asleep, in hospital, declined)")
        }
        if entry.outcome == .reviewed && entry.findings.isEmpty {
            errors.add("findings", "Enter the findings of the review")
        }
        if entry.medicinesChanged && entry.medicinesNotes.isEmpty {
            errors.add("medicines_notes", "Say which medicines changed and how")
        }
        for (field, text, limit) in [("findings", entry.findings, 8000), ("not_seen_reason", entry.notSeenReason, 500),
                                     ("acp_notes", entry.advanceCarePlanNotes, 2000), ("medicines_notes", entry.medicinesNotes, 2000),
                                     ("family_notes", entry.familyNotes, 1000)] where text.count > limit {
            errors.add(field, "Shorten this to \(limit) characters or fewer (it has \(text.count))")
        }
        return (entry, errors)
    }

    /// The form values for this entry (to put back in a form).
    public var formFields: [String: [String]] {
        var fields: [String: [String]] = [
            "outcome": [outcome.rawValue], "not_seen_reason": [notSeenReason], "findings": [findings],
            "acp_notes": [advanceCarePlanNotes], "medicines_notes": [medicinesNotes], "family_notes": [familyNotes],
            "referrals": referralList.map(\.rawValue),
        ]
        for (name, on) in [("assessment_done", assessmentDone), ("care_plan_done", carePlanDone), ("smr_flagged", medicationReviewFlagged),
                           ("acp_discussed", advanceCarePlanDiscussed), ("medicines_changed", medicinesChanged),
                           ("family_to_inform", familyToBeInformed), ("gp_record_updated", gpRecordUpdated)] where on {
            fields[name] = ["on"]
        }
        return fields
    }
}
