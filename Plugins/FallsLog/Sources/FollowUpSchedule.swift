import Foundation
import CareKit

/// The kind of check that follows a fall.
enum CheckKind: String, Codable, Sendable {
    /// Skin and bruising check.
    case skin
    /// Observations after a head strike (or a possible one): consciousness, pupils, pulse, breathing, BP.
    case observations

    /// How early a check shows as due now, and how late it may be before it shows as overdue (own design).
    var window: (early: TimeInterval, grace: TimeInterval) {
        switch self {
        case .skin: (4 * 3600, 4 * 3600)        // within the shift around the 24 h / 48 h mark
        case .observations: (10 * 60, 15 * 60)  // observations are time-critical
        }
    }
}

/// A check the schedule asks for: a stable key per fall, so re-planning after an amendment updates
/// the same rows instead of adding new ones.
struct PlannedCheck: Equatable {
    let key: String
    let kind: CheckKind
    let label: String
    let dueAt: Date
}

/// Where a check stands at a moment.
enum CheckState: Equatable, Comparable {
    case done
    case upcoming
    case dueNow
    case overdue

    static func of(kind: CheckKind, dueAt: Date, doneAt: Date?, now: Date) -> CheckState {
        if doneAt != nil { return .done }
        let window = kind.window
        if now < dueAt.addingTimeInterval(-window.early) { return .upcoming }
        if now > dueAt.addingTimeInterval(window.grace) { return .overdue }
        return .dueNow
    }

    var title: String {
        switch self {
        case .done: "Done"
        case .upcoming: "Upcoming"
        case .dueNow: "Due now"
        case .overdue: "Overdue"
        }
    }

    var tag: HTML {
        switch self {
        case .done: UI.tag("Done", colour: "green")
        case .upcoming: UI.tag("Upcoming", colour: "grey")
        case .dueNow: UI.tag("Due now", colour: "yellow")
        case .overdue: UI.tag("Overdue", colour: "red")
        }
    }
}

/// The checks that follow a fall (rule FALL-CHECKS-1).
enum FollowUpSchedule {
    /// Hours after the fall at which the skin is checked.
    static let skinCheckHours = [24, 48]

    /// Minutes after the resident was found at which observations are taken after a head strike:
    /// half-hourly for 2 hours, hourly for the next 4, then 2-hourly to 24 hours (NICE NG232 frequencies).
    static let observationMinutes: [Int] =
        [30, 60, 90, 120] + [180, 240, 300, 360] + stride(from: 480, through: 1440, by: 120).map { $0 }

    /// The checks for a fall. Observations only when the head was struck or may have been.
    static func checks(fellAt: Date, foundAt: Date?, headStrike: HeadStrike) -> [PlannedCheck] {
        var planned = skinCheckHours.map { hours in
            PlannedCheck(key: "skin-\(hours)h", kind: .skin, label: "Skin and bruising check at \(hours) hours",
                         dueAt: fellAt.addingTimeInterval(TimeInterval(hours * 3600)))
        }
        if headStrike != .no {
            let start = max(foundAt ?? fellAt, fellAt)
            planned += observationMinutes.map { minutes in
                PlannedCheck(key: "obs-\(minutes)m", kind: .observations,
                             label: "Head injury observations at \(durationText(minutes))",
                             dueAt: start.addingTimeInterval(TimeInterval(minutes * 60)))
            }
        }
        return planned
    }

    static func durationText(_ minutes: Int) -> String {
        if minutes < 60 { return "\(minutes) minutes" }
        let h = minutes / 60, m = minutes % 60
        let hours = h == 1 ? "1 hour" : "\(h) hours"
        return m == 0 ? hours : "\(hours) \(m) minutes"
    }
}
