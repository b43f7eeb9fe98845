import CareKit

/// A resident who may be on the agenda, with every reason found for them.
public struct AgendaCandidate: Sendable, Equatable {
    /// The resident.
    public var residentID: Int64
    /// How the resident is named on pages (`Peggy Hughes (room 12)`).
    public var label: String
    /// The room, for ordering among equals.
    public var room: String
    /// Whether the resident is in the home (false: in hospital, so cannot be seen on this round).
    public var present: Bool
    /// The reasons, in any order.
    public var reasons: [AgendaReason]

    /// Creates a candidate.
    public init(residentID: Int64, label: String, room: String = "", present: Bool = true, reasons: [AgendaReason]) {
        self.residentID = residentID
        self.label = label
        self.room = room
        self.present = present
        self.reasons = reasons
    }
}

/// A place on the agenda.
public struct AgendaItem: Sendable, Equatable {
    /// 1 for the most urgent.
    public var position: Int
    /// The urgency score (see `AgendaRules`).
    public var score: Int
    /// The resident and their reasons, heaviest reason first.
    public var candidate: AgendaCandidate
}

/// How the agenda is ordered (rule HR-AG-ORDER, own design): most urgent first.
///
/// 1. Residents in the home come before residents in hospital (who cannot be seen this week).
/// 2. Higher score first. The score adds the weight of each kind of reason (see `AgendaSignal`);
///    of a group of alternatives only the heaviest counts; each fall after the first since the last
///    round adds 5 more, up to 15.
/// 3. Equal scores: the heaviest single reason first, then the resident who has waited longest
///    (earliest reason), then by room and name.
public enum AgendaRules {
    /// Rule id of the ordering.
    public static let orderRuleID = "HR-AG-ORDER"
    /// Points per extra fall since the last round, and their cap.
    public static let extraFallPoints = 5
    public static let extraFallCap = 15

    /// The ordering rule in words, shown on the agenda page.
    public static let explanation = """
    Most urgent first. Each kind of reason adds points: \
    \(AgendaSignal.allCases.sorted { $0.weight > $1.weight }.map { "\(sentenceCase($0.title)) \($0.weight)" }.joined(separator: ", ")). \
    Only the heaviest admission reason and the heaviest fall reason count; each further fall since the last round adds \
    \(extraFallPoints) (up to \(extraFallCap)). Equal scores: the most urgent single reason first, then whoever has \
    waited longest, then by room. Residents in hospital are listed last.
    """

    /// `Fall since…` → `fall since…`, but `EHCH…` stays (CareKit's shared rule).
    static func sentenceCase(_ text: String) -> String { Wording.midSentence(text) }

    /// The urgency score of a set of reasons.
    public static func score(_ reasons: [AgendaReason]) -> Int {
        var heaviestByGroup = [String: Int]()
        for reason in reasons {
            heaviestByGroup[reason.signal.group] = max(heaviestByGroup[reason.signal.group] ?? 0, reason.signal.weight)
        }
        let falls = reasons.filter { $0.signal.group == "fall" }.reduce(0) { $0 + $1.count }
        let extraFalls = min(extraFallCap, max(0, falls - 1) * extraFallPoints)
        return heaviestByGroup.values.reduce(0, +) + extraFalls
    }

    /// The agenda: candidates with at least one reason, in order, numbered from 1.
    public static func order(_ candidates: [AgendaCandidate]) -> [AgendaItem] {
        let scored = candidates.filter { !$0.reasons.isEmpty }.map { candidate -> (AgendaCandidate, Int, Int, Day?) in
            var sorted = candidate
            sorted.reasons.sort { $0.signal.weight > $1.signal.weight }
            let heaviest = sorted.reasons.first?.signal.weight ?? 0
            let earliest = candidate.reasons.compactMap(\.since).min()
            return (sorted, score(candidate.reasons), heaviest, earliest)
        }
        let ordered = scored.sorted { a, b in
            if a.0.present != b.0.present { return a.0.present }
            if a.1 != b.1 { return a.1 > b.1 }
            if a.2 != b.2 { return a.2 > b.2 }
            switch (a.3, b.3) {
            case let (x?, y?) where x != y: return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            default: break
            }
            if a.0.room != b.0.room { return roomOrder(a.0.room, b.0.room) }
            if a.0.label != b.0.label { return a.0.label < b.0.label }
            return a.0.residentID < b.0.residentID
        }
        return ordered.enumerated().map { AgendaItem(position: $0.offset + 1, score: $0.element.1, candidate: $0.element.0) }
    }

    /// Rooms in the order staff walk them: `2` before `12`, then text (`2A` before `2B`).
    static func roomOrder(_ a: String, _ b: String) -> Bool {
        func split(_ room: String) -> (Int, String) {
            let digits = room.prefix { $0.isASCII && $0.isNumber }
            return (Int(digits) ?? Int.max, String(room.dropFirst(digits.count)))
        }
        let (na, ra) = split(a), (nb, rb) = split(b)
        return na != nb ? na < nb : ra < rb
    }
}
