public import CareKit
import Foundation

/// A resident's usual observations and usual NEWS2, agreed by a nurse or clinician. Every new set is
/// shown against it; a rise from it is flagged even when the total is low (DET-BASE-1, own design).
public struct Baseline: Sendable, Equatable {
    public var id: Int64 = 0
    public var residentID: Int64
    /// The usual NEWS2 total.
    public var usualNEWS2: Int
    /// Usual values, where agreed (any may be nil).
    public var usual: NEWS2.Inputs
    public var notes: String = ""
    /// Who agreed it, their role, and when.
    public var agreedBy: String
    public var agreedByRole: String
    public var agreedOn: Day
    public var recordedByName: String = ""

    /// Creates a baseline.
    public init(residentID: Int64, usualNEWS2: Int, usual: NEWS2.Inputs = NEWS2.Inputs(), agreedBy: String, agreedByRole: String, agreedOn: Day) {
        self.residentID = residentID
        self.usualNEWS2 = usualNEWS2
        self.usual = usual
        self.agreedBy = agreedBy
        self.agreedByRole = agreedByRole
        self.agreedOn = agreedOn
    }

    /// Reviewed at least every 6 months (RESTORE2 guidance asks for each resident's "normal" to be
    /// agreed and kept current; the interval is our own design).
    public static let reviewMonths = 6
    /// A rise of this much in the total, or in one parameter's sub-score, is flagged (own design).
    public static let flaggedRise = 2

    /// When a review is due: 6 months after it was agreed, or at once after a hospital stay that
    /// ended after it was agreed.
    public func reviewDue(returnedFromHospitalOn: Day?) -> (due: Day, reason: String) {
        if let back = returnedFromHospitalOn, back >= agreedOn {
            return (back, "They came back from hospital on \(back.display), after it was agreed: a stay in hospital often changes what is usual.")
        }
        let due = agreedOn.adding(months: Baseline.reviewMonths)
        return (due, "Agreed on \(agreedOn.display): review at least every \(Baseline.reviewMonths) months.")
    }

    /// The comparison of a set with this baseline.
    public func compare(_ score: NEWS2.Score) -> Comparison {
        var risen = [NEWS2.Parameter]()
        let usualScore = NEWS2.score(usual, scale: score.scale)
        for (parameter, value) in score.subScores {
            if let usualValue = usualScore.subScores[parameter], value - usualValue >= Baseline.flaggedRise { risen.append(parameter) }
        }
        return Comparison(total: score.total, usual: usualNEWS2, risenParameters: risen.sorted { $0.rawValue < $1.rawValue })
    }

    /// A set against the usual.
    public struct Comparison: Sendable, Equatable {
        /// The set's total, when complete.
        public var total: Int?
        /// The usual total.
        public var usual: Int
        /// Parameters whose sub-score is 2 or more above their usual sub-score.
        public var risenParameters: [NEWS2.Parameter]

        /// The change in the total (nil for an incomplete set).
        public var change: Int? { total.map { $0 - usual } }

        /// Whether the rule flags it: the total 2 or more above the usual, or one parameter 2 or more above its usual.
        public var isFlagged: Bool { (change ?? 0) >= Baseline.flaggedRise || !risenParameters.isEmpty }

        /// `NEWS2 3, usual 2: up 1`.
        public var summary: String {
            guard let total, let change else {
                return "Incomplete set: no total to compare with their usual \(usual)"
            }
            let direction = change > 0 ? "up \(change)" : change < 0 ? "down \(-change)" : "the same as usual"
            var text = "NEWS2 \(total), usual \(usual): \(direction)"
            if !risenParameters.isEmpty {
                text += "; \(risenParameters.map { Wording.midSentence($0.title) }.joined(separator: ", ")) up 2 or more from usual"
            }
            return text
        }
    }

    /// Why a rise from the usual is flagged, for the rules page and the "Why?" disclosure.
    public static let reasoning = """
    Our own design. Most care-home residents score 0 to 2 at their usual (in 19,604 NEWS readings from 46 care \
    homes the median was 2 and 12% were 5 or more: Age and Ageing 2019), and about half of residents admitted \
    to hospital had a low NEWS2 on arrival (Barker et al.), so a fixed trigger of 5 misses many who are \
    deteriorating. A change of 1 is within ordinary variation (a temperature of 36.0 against 36.1 °C moves the \
    score by 1), so a rise of 2 or more in the total, or of 2 or more in any one parameter, is flagged for a \
    nurse's assessment whatever the total.
    """
}

/// The SpO2 target a clinician recorded: scale 2 (88–92%) only while one is in force.
public struct SpO2Target: Sendable, Equatable {
    public var scale: NEWS2.SpO2Scale
    public var setBy: String
    public var setByRole: String
    public var reason: String
    public var setOn: Day
}
