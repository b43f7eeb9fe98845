import CareKit
import CareServices
import Foundation

/// A movement as stored (including ones marked entered in error, for the history).
struct StoredMovement: Sendable, Equatable {
    var id: Int64
    var residentID: Int64
    var kind: ResidentMovement.Kind
    var on: Day
    /// For a death: `here`, `hospital` or `elsewhere`.
    var place: String
    var note: String
    /// False for admissions imported from before the appliance was used: no 7-day clock is kept for them.
    var clockTracked: Bool
    var recordedAt: Date?
    var recordedBy: String
    var enteredInError: Bool
    var errorReason: String?
    var errorBy: String?

    /// Whether this movement starts a 7-working-day clock (admission or return from hospital).
    var startsClock: Bool { kind == .admitted || kind == .returnedFromHospital }

    init(row: SQLRow) throws {
        guard let id = row.int64("id"), let residentID = row.int64("resident_id"),
              let kind = row.string("kind").flatMap(ResidentMovement.Kind.init(rawValue:)),
              let on = row.day("on_day") else { throw CareError.badRequest("A movement record could not be read.") }
        self.id = id
        self.residentID = residentID
        self.kind = kind
        self.on = on
        place = row.string("place") ?? ""
        note = row.string("note") ?? ""
        clockTracked = row.bool("clock_tracked") ?? true
        recordedAt = row.date("recorded_at")
        recordedBy = row.string("recorded_by") ?? ""
        enteredInError = row.bool("entered_in_error") ?? false
        errorReason = row.string("error_reason")
        errorBy = row.string("error_by")
    }

    /// `Went to hospital`, `Died (in hospital)`.
    var title: String {
        switch kind {
        case .admitted: return "Admitted"
        case .wentToHospital: return "Went to hospital"
        case .returnedFromHospital: return "Came back from hospital (re-admission)"
        case .left: return "Left the home"
        case .died: return "Died" + (DeathPlace(rawValue: place).map { " (\($0.title.lowercased()))" } ?? "")
        }
    }
}

/// Where a resident died.
enum DeathPlace: String, Sendable, CaseIterable {
    case here, hospital, elsewhere
    var title: String {
        switch self {
        case .here: "Here, in the home"
        case .hospital: "In hospital"
        case .elsewhere: "Elsewhere"
        }
    }
}

/// What movements are possible from where a resident is, and where each leaves them.
enum MovementRules {
    /// The movements staff may record next.
    static func allowed(from status: ResidentStatus) -> [ResidentMovement.Kind] {
        switch status {
        case .livingHere: [.wentToHospital, .left, .died]
        case .inHospital: [.returnedFromHospital, .left, .died]
        case .left: [.admitted]
        case .died: []
        }
    }

    /// The status after a movement.
    static func status(after kind: ResidentMovement.Kind) -> ResidentStatus {
        switch kind {
        case .admitted, .returnedFromHospital: .livingHere
        case .wentToHospital: .inHospital
        case .left: .left
        case .died: .died
        }
    }

    /// The status from a resident's active movements (oldest first).
    static func status(from movements: [StoredMovement]) -> ResidentStatus {
        movements.last.map { status(after: $0.kind) } ?? .livingHere
    }

    /// The event other plugins receive for a movement.
    static func event(for kind: ResidentMovement.Kind, residentID: Int64, on day: Day) -> CareEvent {
        switch kind {
        case .admitted: .residentAdmitted(residentID: residentID, on: day)
        case .wentToHospital: .residentWentToHospital(residentID: residentID, on: day)
        case .returnedFromHospital: .residentReadmitted(residentID: residentID, on: day)
        case .left: .residentLeft(residentID: residentID, on: day)
        case .died: .residentDied(residentID: residentID, on: day)
        }
    }

    /// Label for the form's choice.
    static func choiceLabel(_ kind: ResidentMovement.Kind) -> String {
        switch kind {
        case .admitted: "Admitted again (a new stay)"
        case .wentToHospital: "Went to hospital"
        case .returnedFromHospital: "Came back from hospital (re-admission: restarts the 7-working-day clock)"
        case .left: "Left the home"
        case .died: "Died"
        }
    }

    /// Whether the resident sleeps in the home on the night of `day` (NHS occupied bed day: present
    /// at midnight), from their active movements, oldest first. A resident admitted on a day counts
    /// that night; one who left, died or went to hospital on a day does not.
    static func isPresent(on day: Day, movements: [StoredMovement]) -> Bool {
        var present = false
        for movement in movements where movement.on <= day {
            present = MovementRules.status(after: movement.kind) == .livingHere
        }
        return present
    }

    /// The nights from `start` to `end` inclusive on which the resident slept here.
    static func nightsPresent(from start: Day, to end: Day, movements: [StoredMovement]) -> Int {
        guard end >= start else { return 0 }
        // Intervals [from, until) of presence.
        var count = 0
        var presentSince: Day?
        for movement in movements {
            let nowPresent = MovementRules.status(after: movement.kind) == .livingHere
            if nowPresent, presentSince == nil { presentSince = movement.on }
            if !nowPresent, let since = presentSince {
                count += overlap(since, movement.on, start, end)
                presentSince = nil
            }
        }
        if let since = presentSince { count += overlap(since, end.adding(days: 1), start, end) }
        return count
    }

    /// Nights in [from, until) that fall within [start, end].
    private static func overlap(_ from: Day, _ until: Day, _ start: Day, _ end: Day) -> Int {
        let lower = max(from, start), upper = min(until, end.adding(days: 1))
        return max(0, lower.days(until: upper))
    }
}
