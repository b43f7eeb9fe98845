public import Foundation

/// The transfers plugin's service for the home round.
public protocol TransferReviewSource: Sendable {
    /// Current residents with a hospital transfer the MDT has not yet reviewed ("could it have been
    /// avoided?"), each with one line saying which transfer, in plain words.
    func transfersAwaitingReview() throws -> [Int64: String]
}

/// Why and how a resident went to hospital, as the transfers plugin recorded it: what a crew and an
/// A&E team need first, printed on the registry's transfer summary instead of a line to fill in.
public struct TransferHeadline: Sendable, Equatable {
    public var leftAt: Date
    /// In plain words: "A fall", "Became unwell (deterioration)", …
    public var reason: String
    /// What staff wrote beside the reason, and the record it followed (the fall, the escalation), if any.
    public var detail: String
    /// "999 ambulance", "NHS 111", …
    public var route: String

    public init(leftAt: Date, reason: String, detail: String, route: String) {
        self.leftAt = leftAt
        self.reason = reason
        self.detail = detail
        self.route = route
    }
}

/// The transfers plugin's service for the transfer summary.
public protocol CurrentTransferSource: Sendable {
    /// The resident's latest transfer while they are away on it (its stay not ended, not entered in
    /// error), or nil: then the summary keeps its line to fill in by hand.
    func currentTransfer(residentID: Int64) throws -> TransferHeadline?
}
