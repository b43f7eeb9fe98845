public import Foundation

/// Something that happened, delivered to every plugin's handlers after the transaction that
/// recorded it commits. New cases may be added: handle what you need and ignore the rest.
public enum CareEvent: Sendable, Equatable, Codable {
    /// A resident moved in (day 0 of the 7-working-day clock).
    case residentAdmitted(residentID: Int64, on: Day)
    /// A resident went to hospital.
    case residentWentToHospital(residentID: Int64, on: Day)
    /// A resident came back from hospital: a re-admission, which restarts the clock.
    case residentReadmitted(residentID: Int64, on: Day)
    /// A resident left the home.
    case residentLeft(residentID: Int64, on: Day)
    /// A resident died.
    case residentDied(residentID: Int64, on: Day)
    /// A fall was recorded.
    case fallRecorded(residentID: Int64, fallID: Int64, at: Date, headStrike: Bool?, injured: Bool)
    /// A resident's medicines changed (added, stopped, dose changed).
    case medicinesChanged(residentID: Int64)
    /// A structured medication review was completed.
    case medicationReviewCompleted(residentID: Int64, on: Day)
    /// A home round was closed.
    case roundCompleted(roundID: Int64, on: Day)
    /// Items of the 7-working-day clock were done, as recorded on another page (ticked at the home
    /// round): `source` says where, in words ("the home round of Tue 3 Nov 2026"), `by` who.
    case clockItemsDone(residentID: Int64, items: [ClockItem], on: Day, source: String, by: String)

    /// The resident the event is about, if any.
    public var residentID: Int64? {
        switch self {
        case .residentAdmitted(let id, _), .residentWentToHospital(let id, _), .residentReadmitted(let id, _),
             .residentLeft(let id, _), .residentDied(let id, _), .medicinesChanged(let id),
             .medicationReviewCompleted(let id, _), .clockItemsDone(let id, _, _, _, _):
            return id
        case .fallRecorded(let id, _, _, _, _):
            return id
        case .roundCompleted:
            return nil
        }
    }

    /// A name for the log (`fall-recorded`).
    public var name: String {
        switch self {
        case .residentAdmitted: "resident-admitted"
        case .residentWentToHospital: "resident-went-to-hospital"
        case .residentReadmitted: "resident-readmitted"
        case .residentLeft: "resident-left"
        case .residentDied: "resident-died"
        case .fallRecorded: "fall-recorded"
        case .medicinesChanged: "medicines-changed"
        case .medicationReviewCompleted: "medication-review-completed"
        case .roundCompleted: "round-completed"
        case .clockItemsDone: "clock-items-done"
        }
    }
}
