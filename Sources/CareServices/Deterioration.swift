public import Foundation

/// The deterioration plugin's service.
public protocol DeteriorationSource: Sendable {
    /// Residents whose record shows a deterioration at or after `since` (soft signs, a set of
    /// observations in a NEWS2 trigger band or above their usual, an escalation), each with one line
    /// saying what, in plain words.
    func deteriorating(since: Date) throws -> [Int64: String]
    /// The path of the form that records a structured set of observations for a resident, with why it
    /// was asked for (`Falls log: head-injury observations`).
    func observationFormPath(residentID: Int64, prompt: String) -> String
    /// What an ambulance crew or an A&E team needs first from the record, for the transfer summary:
    /// the latest observations with NEWS2, soft signs and the escalation, from the last three days.
    func forTransfer(residentID: Int64) throws -> [(heading: String, text: String)]
}

extension DeteriorationSource {
    /// A source that has nothing for the transfer summary gives nothing.
    public func forTransfer(residentID: Int64) throws -> [(heading: String, text: String)] { [] }
}
