/// The transfers plugin's service for the home round.
public protocol TransferReviewSource: Sendable {
    /// Current residents with a hospital transfer the MDT has not yet reviewed ("could it have been
    /// avoided?"), each with one line saying which transfer, in plain words.
    func transfersAwaitingReview() throws -> [Int64: String]
}
