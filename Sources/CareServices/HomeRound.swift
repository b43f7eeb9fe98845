public import CareKit

/// The home round plugin's service for raising concerns from other pages.
public protocol RoundConcerns: Sendable {
    /// Puts a resident on the next round's agenda with a reason.
    func raise(residentID: Int64, reason: String, by principal: Principal) throws
}

/// The home round's figures for a period, for the EHCH impact pack and its before-and-after comparison.
public struct RoundPeriodFigures: Sendable, Equatable {
    /// Weeks whose round day falls in the period and has passed.
    public var weeksDue: Int
    /// Of those weeks, the ones with a round held (closed).
    public var roundsHeld: Int
    /// Residents marked reviewed at the rounds held in the period.
    public var residentsReviewed: Int
    /// Round actions due in the period (and before today), not entered in error or closed by a death or leaving.
    public var actionsDue: Int
    /// Of those, the ones done on or before their due day.
    public var actionsDoneOnTime: Int

    /// Creates the figures.
    public init(weeksDue: Int, roundsHeld: Int, residentsReviewed: Int, actionsDue: Int, actionsDoneOnTime: Int) {
        self.weeksDue = weeksDue
        self.roundsHeld = roundsHeld
        self.residentsReviewed = residentsReviewed
        self.actionsDue = actionsDue
        self.actionsDoneOnTime = actionsDoneOnTime
    }
}

/// The home round plugin's figures service.
public protocol RoundFiguresSource: Sendable {
    /// The figures for `start` through `end`, with `today` deciding which rounds and actions were due yet.
    func roundFigures(from start: Day, through end: Day, today: Day) throws -> RoundPeriodFigures
}

/// The medication plugin's figures service.
public protocol MedicationReviewFigures: Sendable {
    /// Structured medication reviews recorded with a review day from `start` through `end` (not entered in error).
    func structuredReviews(from start: Day, through end: Day) throws -> Int
    /// How many of `residentIDs` had a structured medication review on or after `day` (NICE QS85: at least once a year).
    func residentsReviewed(since day: Day, among residentIDs: Set<Int64>) throws -> Int
}
