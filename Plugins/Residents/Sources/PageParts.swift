import CareKit
import CareServices

/// Who may do what in the registry (the server enforces each route's set).
enum Access {
    /// Carers, nurses, the manager and visiting clinicians see residents.
    static let view: Set<Role> = Role.careTeam
    /// Nurses and the manager change residents' records and movements.
    static let edit: Set<Role> = [.nurse, .manager]
    /// Assessments, care plans and SMR flags: nurses, the manager and visiting clinicians.
    static let clock: Set<Role> = Role.clinicalEditors
    /// The home profile and the CSV import: the manager.
    static let manage: Set<Role> = [.manager]
}

/// Small pieces of markup shared by the registry's pages.
enum Parts {
    static func statusTag(_ status: ResidentStatus) -> HTML {
        switch status {
        case .livingHere: UI.tag(status.title, colour: "green")
        case .inHospital: UI.tag(status.title, colour: "orange")
        case .left: UI.tag(status.title, colour: "grey")
        case .died: UI.tag(status.title, colour: "grey")
        }
    }

    static func clockTag(_ state: ClockItemState) -> HTML {
        switch state {
        case .doneOnTime: UI.tag(state.summary, colour: "green")
        case .doneLate: UI.tag(state.summary, colour: "yellow")
        case .due(let left): UI.tag(state.summary, colour: left <= 1 ? "orange" : "blue")
        case .overdue: UI.tag(state.summary, colour: "red")
        }
    }

    /// `12 Mar 1938 (age 88)`.
    static func dateOfBirth(_ day: Day?, today: Day) -> String {
        guard let day else { return "Not recorded" }
        return "\(day.displayShort) (age \(day.age(on: today)))"
    }

    static func nhsNumber(_ record: ResidentRecord) -> HTML {
        guard let number = record.nhsNumber else { return "No NHS number recorded" }
        let verified = record.nhsVerified ? UI.tag("Verified", colour: "green") : UI.tag("Not verified", colour: "yellow")
        return "\(NHSNumber.spaced(number)) \(verified)"
    }

    /// Text with line breaks kept (each line escaped).
    static func multiline(_ text: String, empty: String = "None recorded") -> HTML {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
        guard !text.isEmpty else { return "<span class=\"hint\">\(empty)</span>" }
        return lines.map { line -> HTML in "\(line)" }.enumerated().map { $0.offset == 0 ? $0.element : "<br>" + $0.element }.joined()
    }

    static func breadcrumbs(_ resident: StoredResident) -> [(title: String, path: String)] {
        [("Residents", "/residents"), (resident.record.displayName, resident.path)]
    }

    static func canEdit(_ request: Request) -> Bool { Access.edit.contains(request.principal.role) }
    static func canRecordClock(_ request: Request) -> Bool { Access.clock.contains(request.principal.role) }
}
