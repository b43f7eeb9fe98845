public import CareKit
public import Foundation

/// A round as stored.
public struct Round: Sendable, Equatable {
    public var id: Int64
    public var day: Day
    public var week: RoundWeek
    public var isClosed: Bool
    public var openedByName: String
    public var openedAt: Date
    public var closedByName: String?
    public var closedAt: Date?

    init(row: SQLRow) throws {
        guard let id = row.int64("id"), let day = row.day("round_day") else { throw CareError.notFound("No such round.") }
        self.id = id
        self.day = day
        week = RoundWeek(containing: day)
        isClosed = row.string("status") == "closed"
        openedByName = row.string("opened_by_name") ?? ""
        openedAt = row.date("opened_at") ?? Date(timeIntervalSince1970: 0)
        closedByName = row.string("closed_by_name")
        closedAt = row.date("closed_at")
    }

    /// `Round of Thu 26 Nov 2026`.
    public var title: String { "Round of \(day.display)" }
    /// The agenda page.
    public var path: String { "/rounds/\(id)" }
}

/// A resident's entry as stored: the values, its version and who saved it.
public struct StoredEntry: Sendable, Equatable {
    public var entry: RoundEntry
    /// 0 when nothing has been saved yet.
    public var version: Int
    public var savedByName: String
    public var savedAt: Date?
    /// `saved` or `conflict` (a save refused because someone else saved first, kept all the same).
    public var kind: String

    static let empty = StoredEntry(entry: RoundEntry(), version: 0, savedByName: "", savedAt: nil, kind: "saved")

    init(entry: RoundEntry, version: Int, savedByName: String, savedAt: Date?, kind: String) {
        self.entry = entry
        self.version = version
        self.savedByName = savedByName
        self.savedAt = savedAt
        self.kind = kind
    }

    init(row: SQLRow) {
        var entry = RoundEntry()
        entry.outcome = RoundEntry.Outcome(rawValue: row.string("outcome") ?? "") ?? .notRecorded
        entry.notSeenReason = row.string("not_seen_reason") ?? ""
        entry.findings = row.string("findings") ?? ""
        entry.assessmentDone = row.bool("assessment_done") ?? false
        entry.carePlanDone = row.bool("care_plan_done") ?? false
        entry.medicationReviewFlagged = row.bool("smr_flagged") ?? false
        entry.advanceCarePlanDiscussed = row.bool("acp_discussed") ?? false
        entry.advanceCarePlanNotes = row.string("acp_notes") ?? ""
        entry.referrals = Set((row.string("referrals") ?? "").split(separator: ",").compactMap { Referral(rawValue: String($0)) })
        entry.medicinesChanged = row.bool("medicines_changed") ?? false
        entry.medicinesNotes = row.string("medicines_notes") ?? ""
        entry.familyToBeInformed = row.bool("family_to_inform") ?? false
        entry.familyNotes = row.string("family_notes") ?? ""
        entry.gpRecordUpdated = row.bool("gp_record_updated") ?? false
        self.entry = entry
        version = row.int("version") ?? 0
        savedByName = row.string("saved_by_name") ?? ""
        savedAt = row.date("saved_at")
        // Entries have no kind; their versions say how each was saved.
        kind = row.has("kind") ? (row.string("kind") ?? "saved") : "saved"
    }

    /// `Dr Asha Patel, 23 Nov 2026 11:05`.
    public var savedLine: String {
        guard let savedAt else { return "" }
        return "\(savedByName), \(HomeTime.display(savedAt))"
    }
}

/// An action agreed at a round.
public struct RoundAction: Sendable, Equatable {
    public var id: Int64
    public var roundID: Int64
    public var residentID: Int64
    public var description: String
    public var ownerName: String
    /// `carer`, `nurse`, `manager`, `clinician`: the team the owner belongs to.
    public var ownerRole: Role?
    public var due: Day
    public var createdByName: String
    public var doneOn: Day?
    public var doneByName: String?
    public var doneNote: String
    public var enteredInError: Bool
    public var errorReason: String
    /// Why the system closed it (the resident left or died), when it did.
    public var closedReason: String?
    public var closedByName: String?
    public var closedAt: Date?

    init(row: SQLRow) throws {
        guard let id = row.int64("id"), let due = row.day("due_on") else { throw CareError.notFound("No such action.") }
        self.id = id
        roundID = row.int64("round_id") ?? 0
        residentID = row.int64("resident_id") ?? 0
        description = row.string("description") ?? ""
        ownerName = row.string("owner_name") ?? ""
        ownerRole = Role(rawValue: row.string("owner_role") ?? "")
        self.due = due
        createdByName = row.string("created_by_name") ?? ""
        doneOn = row.day("done_on")
        doneByName = row.string("done_by_name")
        doneNote = row.string("done_note") ?? ""
        enteredInError = row.string("status") == "entered-in-error"
        errorReason = row.string("error_reason") ?? ""
        closedReason = row.string("status") == "closed" ? (row.string("closed_reason") ?? "") : nil
        closedByName = row.string("closed_by_name")
        closedAt = row.date("closed_at")
    }

    /// Whether the system closed it because the resident left or died.
    public var isClosed: Bool { closedReason != nil }

    /// The action's state on `today`.
    public func state(today: Day) -> ActionState {
        ActionState.of(due: due, doneOn: doneOn, enteredInError: enteredInError, closedBecause: closedReason, today: today)
    }

    /// Whether the action is the user's: their name (or login) is the owner's name, or it was given to
    /// their role ("Nurse in charge") rather than to one person.
    public func isOwned(by principal: Principal) -> Bool {
        let owner = ownerName.trimmingWhitespace().lowercased()
        guard !owner.isEmpty else { return false }
        if owner == principal.displayName.lowercased() || owner == principal.username.lowercased() { return true }
        return RoundApp.roleOwners.contains { $0.role == principal.role && $0.role == ownerRole && $0.name.lowercased() == owner }
    }

    /// Whether a carer sees it: owned by them, or given to the care team.
    public func isVisibleToCarer(_ principal: Principal) -> Bool { isOwned(by: principal) || ownerRole == .carer }

    /// For the GP summary and the sheet.
    public var line: ActionLine { ActionLine(description: description, owner: ownerName, due: due) }
}

/// A concern raised for the next round.
public struct Concern: Sendable, Equatable {
    public var id: Int64
    public var residentID: Int64
    public var reason: String
    public var raisedByName: String
    public var raisedOn: Day
    public var takenToRound: Int64?
    /// Why the system closed it (the resident left or died), when it did.
    public var closedReason: String?
    public var closedAt: Date?

    init(row: SQLRow) {
        id = row.int64("id") ?? 0
        residentID = row.int64("resident_id") ?? 0
        reason = row.string("reason") ?? ""
        raisedByName = row.string("raised_by_name") ?? ""
        raisedOn = row.day("raised_on") ?? Day(daysSinceEpoch: 0)
        takenToRound = row.int64("taken_to_round")
        closedReason = row.string("status") == "closed" ? (row.string("closed_reason") ?? "") : nil
        closedAt = row.date("closed_at")
    }

    var pending: PendingConcern { PendingConcern(reason: reason, raisedBy: raisedByName, raisedOn: raisedOn) }
}

/// A change staff made to one round's agenda.
public struct AgendaChange: Sendable, Equatable {
    public var residentID: Int64
    public var isAddition: Bool
    public var reason: String
    public var byName: String
    public var at: Date
}
