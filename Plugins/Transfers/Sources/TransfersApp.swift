import CareKit
import CareServices
import Foundation

/// The plugin while it serves: route handlers, cards, panels, metrics, events and the service share this value.
struct TransfersApp: Sendable {
    let context: PluginContext
    /// The clock; tests pin it.
    var now: @Sendable () -> Date = { Date() }

    /// Everyone who cares for residents records and reads transfers.
    static let recorders: Set<Role> = Role.careTeam
    /// The MDT's review, deaths and corrections: nurses, visiting clinicians and the manager.
    static let reviewers: Set<Role> = [.nurse, .clinician, .manager]

    var database: any CareDatabase { context.database }
    var today: Day { HomeTime.day(of: now()) }

    func directory() throws -> any ResidentDirectory {
        try context.services.require(Services.residentDirectory, orSay: "The resident list is not available just now: write the transfer on paper and enter it later.")
    }

    func resident(_ id: Int64) throws -> ResidentSummary {
        guard let resident = try directory().resident(id: id) else { throw CareError.notFound("No such resident.") }
        return resident
    }

    func homeName() -> String {
        (try? context.services.resolve(Services.homeProfile)?.profile().name) ?? ""
    }

    static func crumbs(_ extra: (title: String, path: String)? = nil) -> [(title: String, path: String)] {
        var list: [(title: String, path: String)] = [("Hospital transfers", "/transfers")]
        if let extra { list.append(extra) }
        return list
    }

    /// A date typed into a form: nil and an error beside the field when it is not a real date, is in the
    /// future, or (with `notBefore`) is before the day they left.
    static func parseDay(_ form: FormData, _ field: String, required: Bool, today: Day, notBefore: Day? = nil, errors: inout FormErrors) -> Day? {
        let text = (form[field] ?? "").trimmingWhitespace()
        if text.isEmpty {
            if required { errors.add(field, "Enter the date") }
            return nil
        }
        guard let day = Day(parsing: text) else { errors.add(field, "The date must be a real date, for example 23/11/2026"); return nil }
        if day > today { errors.add(field, "The date must be today or in the past"); return nil }
        if let notBefore, day < notBefore { errors.add(field, "The date must be on or after the day they left (\(notBefore.displayShort))"); return nil }
        return day
    }

    /// Options for a resident picker: current residents by room.
    func residentOptions() throws -> [(value: String, label: String)] {
        try directory().currentResidents().map { (String($0.id), $0.label) }
    }
}
