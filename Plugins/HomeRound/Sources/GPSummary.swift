public import CareKit
public import CareServices

/// An attendee of a round.
public struct Attendee: Sendable, Equatable {
    public var name: String
    /// `GP`, `Pharmacist`, `Nurse`…
    public var role: String
    /// `Riverside Surgery`, `The home`…
    public var organisation: String
    public init(name: String, role: String, organisation: String) {
        self.name = name
        self.role = role
        self.organisation = organisation
    }
    /// `Dr Asha Patel (GP, Riverside Surgery)`.
    public var line: String { UI.person(name, role, organisation) }
}

/// An action as the GP summary and the round sheet show it.
public struct ActionLine: Sendable, Equatable {
    public var description: String
    public var owner: String
    public var due: Day
    public init(description: String, owner: String, due: Day) {
        self.description = description
        self.owner = owner
        self.due = due
    }
    /// `Book bloods (owner: Nurse Sam Reid, due 30 Nov 2026)`.
    public var line: String { "\(description) (owner: \(owner), due \(due.displayShort))" }
}

/// The plain-text summary of one resident's round entry, to paste into the GP record (EMIS or
/// SystmOne) so nobody types it twice. Plain ASCII punctuation and short lines, which both systems
/// accept in a free-text consultation note.
public struct GPSummary: Sendable {
    public var homeName: String
    public var roundDay: Day
    public var resident: ResidentSummary
    public var attendees: [Attendee]
    /// A reason frozen by an earlier version (`… (MR-POLY-10)`) without the rule id: the GP record gets
    /// plain words; the id stays on the round's page behind "Why?".
    static func withoutRuleIDs(_ text: String) -> String {
        text.replacing(#/ \((MR|FALL|HR|DET|RES)-[A-Z0-9]+(-[A-Z0-9]+)*\)/#, with: "")
    }

    public var reasons: [String]
    public var entry: RoundEntry
    public var actions: [ActionLine]
    /// Who last saved the entry and when (`Dr Asha Patel, 23 Nov 2026 11:05`).
    public var recordedBy: String

    public init(homeName: String, roundDay: Day, resident: ResidentSummary, attendees: [Attendee], reasons: [String],
                entry: RoundEntry, actions: [ActionLine], recordedBy: String) {
        self.homeName = homeName
        self.roundDay = roundDay
        self.resident = resident
        self.attendees = attendees
        self.reasons = reasons
        self.entry = entry
        self.actions = actions
        self.recordedBy = recordedBy
    }

    /// The text.
    public var text: String {
        var lines = [String]()
        let home = homeName.isEmpty ? "care home" : homeName
        lines.append("Care home round (EHCH), \(home), \(roundDay.display)")
        var who = "Resident: \(resident.fullName)"
        if let dob = resident.dateOfBirth { who += ", born \(dob.displayShort)" }
        who += ", NHS number \(resident.nhsNumberDisplay)"
        lines.append(who)
        if !attendees.isEmpty { lines.append("Attendees: " + attendees.map(\.line).joined(separator: "; ")) }
        if !reasons.isEmpty {
            lines.append("Reason for review:")
            lines += reasons.map { "- \(GPSummary.withoutRuleIDs($0))" }
        }
        switch entry.outcome {
        case .reviewed: lines.append("Outcome: reviewed")
        case .notSeen: lines.append("Outcome: not seen (\(entry.notSeenReason))")
        case .notRecorded: lines.append("Outcome: not recorded")
        }
        if !entry.findings.isEmpty {
            lines.append("Findings:")
            lines += entry.findings.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map { String($0).trimmingWhitespace() }
        }
        if !entry.ehchItems.isEmpty { lines.append("EHCH: " + entry.ehchItems.joined(separator: "; ")) }
        var acp = "Advance care plan: " + resident.advanceCarePlan.summary
        if entry.advanceCarePlanDiscussed {
            acp += ". Discussed at this round" + (entry.advanceCarePlanNotes.isEmpty ? "" : ": \(entry.advanceCarePlanNotes)")
        }
        lines.append(acp)
        lines.append("Referrals: " + (entry.referralList.isEmpty ? "none" : entry.referralList.map(\.title).joined(separator: "; ")))
        lines.append("Medicines changed: " + (entry.medicinesChanged ? "yes, \(entry.medicinesNotes)" : "no"))
        if entry.familyToBeInformed {
            lines.append("Family to be informed: yes" + (entry.familyNotes.isEmpty ? "" : ", \(entry.familyNotes)"))
        }
        if !actions.isEmpty {
            lines.append("Actions:")
            lines += actions.map { "- \($0.line)" }
        }
        if !recordedBy.isEmpty { lines.append("Recorded by \(recordedBy)") }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
