public import CareKit
public import Foundation

/// What a carer notices before any number changes. Our own list, drawn from the soft signs named in
/// NHS England's and the RCP's guidance on deterioration in care homes; not a reproduction of any
/// trademarked tool.
public enum SoftSign: String, Sendable, CaseIterable, Codable {
    case confusion = "new-confusion", drowsyOrAgitated = "drowsy-or-agitated", mobility = "off-legs", eatingDrinking = "eating-drinking-less",
         breathing = "breathing-differently", skin = "pale-mottled-flushed", pain = "new-pain", urine = "less-urine",
         notThemselves = "not-themselves", familyConcern = "family-concern"

    /// As staff say it.
    public var title: String {
        switch self {
        case .confusion: "New or worse confusion"
        case .drowsyOrAgitated: "Drowsier than usual, or agitated"
        case .mobility: "Off their legs, or moving differently"
        case .eatingDrinking: "Eating or drinking less"
        case .breathing: "Breathing differently"
        case .skin: "Looks pale, mottled or flushed"
        case .pain: "New pain"
        case .urine: "Passing less urine"
        case .notThemselves: "Just not themselves"
        case .familyConcern: "A family member is worried"
        }
    }
}

/// A soft-signs record: which signs, when noticed, by whom.
public struct SoftSignsRecord: Sendable, Equatable {
    public var id: Int64
    public var residentID: Int64
    public var noticedAt: Date
    public var signs: [SoftSign]
    public var notes: String
    public var recordedByName: String

    /// The signs in words (`New pain; eating or drinking less`).
    public var summary: String {
        let words = signs.enumerated().map { $0.offset == 0 ? $0.element.title : Wording.midSentence($0.element.title) }
        return words.joined(separator: "; ")
    }
}
