public import Foundation

/// A fall as other plugins see it.
public struct FallSummary: Sendable, Equatable {
    /// Database id.
    public var id: Int64
    /// The resident.
    public var residentID: Int64
    /// When it happened (or was found).
    public var occurredAt: Date
    /// Whether the head was struck (nil: unknown, e.g. unwitnessed).
    public var headStrike: Bool?
    /// Whether there was any injury.
    public var injured: Bool
    /// One line for lists (`Lounge, unwitnessed, bruise to left hip`).
    public var summary: String
    /// When it was first recorded (nil when not known): a fall recorded days after it happened still
    /// has to reach the next round.
    public var recordedAt: Date?

    /// Creates a summary.
    public init(id: Int64, residentID: Int64, occurredAt: Date, headStrike: Bool?, injured: Bool, summary: String, recordedAt: Date? = nil) {
        self.recordedAt = recordedAt
        self.id = id
        self.residentID = residentID
        self.occurredAt = occurredAt
        self.headStrike = headStrike
        self.injured = injured
        self.summary = summary
    }

    /// The link to the fall.
    public var path: String { "/falls/\(id)" }
}

/// The falls plugin's service.
public protocol FallsSource: Sendable {
    /// Falls (not entered in error) since `since`, newest first; all residents when `residentID` is nil.
    func falls(residentID: Int64?, since: Date) throws -> [FallSummary]
    /// Falls (not entered in error) that happened, or were first recorded, at or after `since`: what a
    /// round must pick up, including a fall that happened before the last round but was recorded after it.
    func fallsOccurredOrRecorded(since: Date) throws -> [FallSummary]
}

extension FallsSource {
    /// Without a record of when falls were entered, the falls that happened since `since`.
    public func fallsOccurredOrRecorded(since: Date) throws -> [FallSummary] { try falls(residentID: nil, since: since) }
}
