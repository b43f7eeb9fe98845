public import CareKit
public import Foundation

/// A medicine record (one version).
public struct MedicineRecord: Sendable, Equatable {
    public var id: Int64
    public var residentID: Int64
    public var version: Int
    public var name: String
    /// Strength and dose (`5 mg`, `1 tablet of 30/500`).
    public var dose: String
    public var route: String
    public var frequency: String
    public var asNeeded: Bool
    public var startedOn: Day
    public var indication: String
    public var stopOn: Day?
    public var stopReason: String
    public var enteredInError: Bool
    public var errorReason: String
    public var changeNote: String
    public var recordedAt: Date
    public var recordedBy: String

    /// Current on `today`: not entered in error and not stopped (a stop date in the future is a planned end).
    public func isCurrent(on today: Day) -> Bool {
        guard !enteredInError else { return false }
        if let stop = stopOn { return stop > today }
        return true
    }

    /// `5 mg oral twice a day (when needed)`.
    public var directions: String {
        var parts = [dose, route, frequency].filter { !$0.isEmpty }.joined(separator: " ")
        if asNeeded { parts += " (when needed)" }
        return parts
    }

    init(row: SQLRow) {
        id = row.int64("id") ?? row.int64("medicine_id") ?? 0
        residentID = row.int64("resident_id") ?? 0
        version = row.int("version") ?? 1
        name = row.string("name") ?? ""
        dose = row.string("dose") ?? ""
        route = row.string("route") ?? ""
        frequency = row.string("frequency") ?? ""
        asNeeded = row.bool("as_needed") ?? false
        startedOn = row.day("started_on") ?? Day(daysSinceEpoch: 0)
        indication = row.string("indication") ?? ""
        stopOn = row.day("stop_on")
        stopReason = row.string("stop_reason") ?? ""
        enteredInError = row.bool("entered_in_error") ?? false
        errorReason = row.string("error_reason") ?? ""
        changeNote = row.string("change_note") ?? ""
        recordedAt = row.date("recorded_at") ?? Date(timeIntervalSince1970: 0)
        recordedBy = row.string("recorded_by") ?? ""
    }

    /// A new, unsaved medicine.
    public init(residentID: Int64, name: String, dose: String, route: String, frequency: String, asNeeded: Bool,
                startedOn: Day, indication: String = "", stopOn: Day? = nil, stopReason: String = "") {
        id = 0
        self.residentID = residentID
        version = 0
        self.name = name
        self.dose = dose
        self.route = route
        self.frequency = frequency
        self.asNeeded = asNeeded
        self.startedOn = startedOn
        self.indication = indication
        self.stopOn = stopOn
        self.stopReason = stopReason
        enteredInError = false
        errorReason = ""
        changeNote = ""
        recordedAt = Date(timeIntervalSince1970: 0)
        recordedBy = ""
    }
}

/// A medicines reconciliation.
public struct ReconciliationRecord: Sendable, Equatable {
    public var id: Int64
    public var residentID: Int64
    public var reconciledOn: Day
    /// `admission` or `hospital-return`.
    public var trigger: String
    public var triggerOn: Day?
    public var sources: String
    public var discrepanciesFound: Bool
    public var discrepancies: String
    public var reconciledBy: String
    public var reconciledByRole: String

    init(row: SQLRow) {
        id = row.int64("id") ?? 0
        residentID = row.int64("resident_id") ?? 0
        reconciledOn = row.day("reconciled_on") ?? Day(daysSinceEpoch: 0)
        trigger = row.string("trigger") ?? ""
        triggerOn = row.day("trigger_on")
        sources = row.string("sources") ?? ""
        discrepanciesFound = row.bool("discrepancies_found") ?? false
        discrepancies = row.string("discrepancies") ?? ""
        reconciledBy = row.string("reconciled_by") ?? ""
        reconciledByRole = row.string("reconciled_by_role") ?? ""
    }

    /// `After admission` / `After return from hospital`.
    public var triggerTitle: String { trigger == "hospital-return" ? "After return from hospital" : "After admission" }
}

/// A structured medication review.
public struct ReviewRecord: Sendable, Equatable {
    public var id: Int64
    public var residentID: Int64
    public var reviewedOn: Day
    public var reviewer: String
    public var reviewerRole: String
    public var discussedWith: String
    public var discussion: String
    public var outcome: String
    public var nextReviewOn: Day
    /// (change, detail) pairs: `stopped`, `Amitriptyline 10 mg…`.
    public var changes: [(change: String, detail: String)] = []

    init(row: SQLRow) {
        id = row.int64("id") ?? 0
        residentID = row.int64("resident_id") ?? 0
        reviewedOn = row.day("reviewed_on") ?? Day(daysSinceEpoch: 0)
        reviewer = row.string("reviewer") ?? ""
        reviewerRole = row.string("reviewer_role") ?? ""
        discussedWith = row.string("discussed_with") ?? ""
        discussion = row.string("discussion") ?? ""
        outcome = row.string("outcome") ?? ""
        nextReviewOn = row.day("next_review_on") ?? Day(daysSinceEpoch: 0)
    }

    public static func == (lhs: ReviewRecord, rhs: ReviewRecord) -> Bool { lhs.id == rhs.id }
}

/// A clinician's decision on a prompt.
public struct Acknowledgement: Sendable, Equatable {
    public var residentID: Int64
    public var ruleID: String
    public var fingerprint: String
    public var facts: String
    public var decision: String
    public var reason: String
    public var decidedAt: Date
    public var decidedBy: String
    public var decidedByRole: String

    init(row: SQLRow) {
        residentID = row.int64("resident_id") ?? 0
        ruleID = row.string("rule_id") ?? ""
        fingerprint = row.string("fingerprint") ?? ""
        facts = row.string("facts") ?? ""
        decision = row.string("decision") ?? ""
        reason = row.string("reason") ?? ""
        decidedAt = row.date("decided_at") ?? Date(timeIntervalSince1970: 0)
        decidedBy = row.string("decided_by") ?? ""
        decidedByRole = row.string("decided_by_role") ?? ""
    }
}

/// Who made a change and when: copied into every version.
struct Author: Sendable {
    var userID: Int64
    var name: String
    var role: Role
    var at: Date

    init(_ principal: Principal, at: Date = Date()) {
        userID = principal.userID
        name = principal.displayName
        role = principal.role
        self.at = at
    }
}

/// SQL for the plugin's tables. Functions take the transaction so that callers compose one
/// `database.write {}` per clinical change.
enum MedicationStore {
    static let medicineColumns = "name, dose, route, frequency, as_needed, started_on, indication, stop_on, stop_reason, entered_in_error, error_reason, change_note, recorded_at, recorded_by_id, recorded_by"

    // MARK: Medicines

    static func medicines(_ db: any SQLReader, residentID: Int64) throws -> [MedicineRecord] {
        try db.query("SELECT * FROM medication_review_medicines WHERE resident_id = ? ORDER BY as_needed, name COLLATE NOCASE, id",
                     [SQLValue(residentID)]).map(MedicineRecord.init(row:))
    }

    static func medicine(_ db: any SQLReader, id: Int64) throws -> MedicineRecord? {
        try db.queryOne("SELECT * FROM medication_review_medicines WHERE id = ?", [SQLValue(id)]).map(MedicineRecord.init(row:))
    }

    static func versions(_ db: any SQLReader, medicineID: Int64) throws -> [MedicineRecord] {
        // Versions carry the medicine's resident from the medicine itself (the versions table does not repeat it).
        try db.query("""
            SELECT v.*, v.medicine_id AS id, m.resident_id FROM medication_review_medicine_versions v
            JOIN medication_review_medicines m ON m.id = v.medicine_id WHERE v.medicine_id = ? ORDER BY v.version DESC
            """,
                     [SQLValue(medicineID)]).map(MedicineRecord.init(row:))
    }

    static func values(_ m: MedicineRecord, _ author: Author) -> [SQLValue] {
        [SQLValue(m.name), SQLValue(m.dose), SQLValue(m.route), SQLValue(m.frequency), SQLValue(m.asNeeded), SQLValue(m.startedOn),
         SQLValue(m.indication), SQLValue(m.stopOn), SQLValue(m.stopReason), SQLValue(m.enteredInError), SQLValue(m.errorReason),
         SQLValue(m.changeNote), SQLValue(author.at), SQLValue(author.userID), SQLValue(author.name)]
    }

    /// Inserts a new medicine (version 1) and its first history row; returns its id.
    @discardableResult
    static func insertMedicine(_ db: any SQLWriter, _ medicine: MedicineRecord, by author: Author) throws -> Int64 {
        try db.execute("INSERT INTO medication_review_medicines (resident_id, version, \(medicineColumns)) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       [SQLValue(medicine.residentID)] + values(medicine, author))
        let id = db.lastInsertedRowID
        try db.execute("INSERT INTO medication_review_medicine_versions (medicine_id, version, \(medicineColumns)) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       [SQLValue(id)] + values(medicine, author))
        db.publishAfterCommit(.medicinesChanged(residentID: medicine.residentID))
        return id
    }

    /// Saves `medicine` as a new version, keeping the previous one in the history.
    /// Throws a conflict when someone else saved a newer version since `expectedVersion` was read.
    static func updateMedicine(_ db: any SQLWriter, _ medicine: MedicineRecord, expectedVersion: Int, by author: Author) throws {
        let next = expectedVersion + 1
        let assignments = medicineColumns.split(separator: ",").map { "\(String($0).trimmingWhitespace()) = ?" }.joined(separator: ", ")
        try db.execute("UPDATE medication_review_medicines SET version = ?, \(assignments) WHERE id = ? AND version = ?",
                       [SQLValue(next)] + values(medicine, author) + [SQLValue(medicine.id), SQLValue(expectedVersion)])
        guard db.changedRowCount == 1 else {
            throw CareError.conflict("Someone else changed this medicine while you were editing it. Open it again to see their change.")
        }
        try db.execute("INSERT INTO medication_review_medicine_versions (medicine_id, version, \(medicineColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       [SQLValue(medicine.id), SQLValue(next)] + values(medicine, author))
        db.publishAfterCommit(.medicinesChanged(residentID: medicine.residentID))
    }

    // MARK: Reconciliations and reviews

    static func reconciliations(_ db: any SQLReader, residentID: Int64) throws -> [ReconciliationRecord] {
        try db.query("SELECT * FROM medication_review_reconciliations WHERE resident_id = ? AND entered_in_error = 0 ORDER BY reconciled_on DESC, id DESC",
                     [SQLValue(residentID)]).map(ReconciliationRecord.init(row:))
    }

    static func insertReconciliation(_ db: any SQLWriter, residentID: Int64, on day: Day, trigger: String, triggerOn: Day?, sources: String,
                                     discrepanciesFound: Bool, discrepancies: String, by name: String, role: String, author: Author) throws {
        try db.execute("""
            INSERT INTO medication_review_reconciliations (resident_id, reconciled_on, trigger, trigger_on, sources, discrepancies_found,
                discrepancies, reconciled_by, reconciled_by_role, recorded_at, recorded_by_id, recorded_by)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [SQLValue(residentID), SQLValue(day), SQLValue(trigger), SQLValue(triggerOn), SQLValue(sources), SQLValue(discrepanciesFound),
                  SQLValue(discrepancies), SQLValue(name), SQLValue(role), SQLValue(author.at), SQLValue(author.userID), SQLValue(author.name)])
    }

    static func reviews(_ db: any SQLReader, residentID: Int64) throws -> [ReviewRecord] {
        var reviews = try db.query("SELECT * FROM medication_review_reviews WHERE resident_id = ? AND entered_in_error = 0 ORDER BY reviewed_on DESC, id DESC",
                                   [SQLValue(residentID)]).map(ReviewRecord.init(row:))
        for index in reviews.indices {
            reviews[index].changes = try db.query("SELECT change, detail FROM medication_review_review_changes WHERE review_id = ? ORDER BY id",
                                                  [SQLValue(reviews[index].id)]).map { ($0.string("change") ?? "", $0.string("detail") ?? "") }
        }
        return reviews
    }

    @discardableResult
    static func insertReview(_ db: any SQLWriter, residentID: Int64, on day: Day, reviewer: String, role: String, discussedWith: String,
                             discussion: String, outcome: String, nextReview: Day, author: Author) throws -> Int64 {
        try db.execute("""
            INSERT INTO medication_review_reviews (resident_id, reviewed_on, reviewer, reviewer_role, discussed_with, discussion, outcome,
                next_review_on, recorded_at, recorded_by_id, recorded_by)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [SQLValue(residentID), SQLValue(day), SQLValue(reviewer), SQLValue(role), SQLValue(discussedWith), SQLValue(discussion),
                  SQLValue(outcome), SQLValue(nextReview), SQLValue(author.at), SQLValue(author.userID), SQLValue(author.name)])
        let id = db.lastInsertedRowID
        db.publishAfterCommit(.medicationReviewCompleted(residentID: residentID, on: day))
        return id
    }

    static func insertReviewChange(_ db: any SQLWriter, reviewID: Int64, medicineID: Int64, change: String, detail: String) throws {
        try db.execute("INSERT INTO medication_review_review_changes (review_id, medicine_id, change, detail) VALUES (?, ?, ?, ?)",
                       [SQLValue(reviewID), SQLValue(medicineID), SQLValue(change), SQLValue(detail)])
    }

    // MARK: Acknowledgements and falls

    /// The latest decision per rule for a resident.
    static func acknowledgements(_ db: any SQLReader, residentID: Int64) throws -> [String: Acknowledgement] {
        var latest = [String: Acknowledgement]()
        for row in try db.query("SELECT * FROM medication_review_acknowledgements WHERE resident_id = ? ORDER BY id", [SQLValue(residentID)]) {
            let ack = Acknowledgement(row: row)
            latest[ack.ruleID] = ack
        }
        return latest
    }

    static func insertAcknowledgement(_ db: any SQLWriter, residentID: Int64, finding: RuleFinding, decision: String, reason: String, author: Author) throws {
        try db.execute("""
            INSERT INTO medication_review_acknowledgements (resident_id, rule_id, fingerprint, facts, decision, reason, decided_at,
                decided_by_id, decided_by, decided_by_role) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [SQLValue(residentID), SQLValue(finding.rule.id), SQLValue(finding.fingerprint), SQLValue(finding.facts), SQLValue(decision),
                  SQLValue(reason), SQLValue(author.at), SQLValue(author.userID), SQLValue(author.name), SQLValue(author.role.title)])
    }

    static func recordFall(_ db: any SQLWriter, fallID: Int64, residentID: Int64, at: Date) throws {
        try db.execute("INSERT OR REPLACE INTO medication_review_falls (fall_id, resident_id, occurred_at) VALUES (?, ?, ?)",
                       [SQLValue(fallID), SQLValue(residentID), SQLValue(at)])
    }

    static func falls(_ db: any SQLReader, residentID: Int64) throws -> [(id: Int64, at: Date)] {
        try db.query("SELECT fall_id, occurred_at FROM medication_review_falls WHERE resident_id = ?", [SQLValue(residentID)]).compactMap { row in
            guard let id = row.int64("fall_id"), let at = row.date("occurred_at") else { return nil }
            return (id, at)
        }
    }
}

extension MedicationStore {
    /// Which records can be marked entered in error from the pages (never deleted).
    enum ErrorTarget: String, Sendable {
        case review = "medication_review_reviews", reconciliation = "medication_review_reconciliations"

        var title: String { self == .review ? "structured medication review" : "medicines reconciliation" }
    }

    /// The resident and date of a review or reconciliation that is not already in error, or nil.
    static func errorCandidate(_ db: any SQLReader, _ target: ErrorTarget, id: Int64) throws -> (residentID: Int64, day: Day)? {
        let dayColumn = target == .review ? "reviewed_on" : "reconciled_on"
        guard let row = try db.queryOne("SELECT resident_id, \(dayColumn) AS day FROM \(target.rawValue) WHERE id = ? AND entered_in_error = 0",
                                        [SQLValue(id)]),
              let residentID = row.int64("resident_id"), let day = row.day("day") else { return nil }
        return (residentID, day)
    }

    /// Marks a review or reconciliation as entered in error, with the reason; it no longer counts for the rules.
    static func markEnteredInError(_ db: any SQLWriter, _ target: ErrorTarget, id: Int64, reason: String, author: Author) throws {
        try db.execute("UPDATE \(target.rawValue) SET entered_in_error = 1, error_reason = ? WHERE id = ? AND entered_in_error = 0",
                       [SQLValue("\(reason) (\(author.name), \(Timestamp.format(author.at)))"), SQLValue(id)])
        guard db.changedRowCount == 1 else { throw CareError.conflict("This record was already marked as entered in error.") }
    }
}
