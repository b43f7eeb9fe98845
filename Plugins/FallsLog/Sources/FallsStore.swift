import Foundation
import CareKit
import CareServices

/// The plugin's tables. Migrations are numbered from 1 and never edited once shipped.
enum FallsSchema {
    static let migrations: [Migration] = [
        Migration(1, "create falls, versions, follow-up checks and falls assessments", sql: """
        CREATE TABLE falls_log_falls (
            id INTEGER PRIMARY KEY,
            resident_id INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('first-entry', 'completed', 'entered-in-error')),
            version INTEGER NOT NULL,
            occurred_at TEXT NOT NULL,
            location TEXT NOT NULL,
            witnessed INTEGER NOT NULL,
            injured INTEGER NOT NULL,
            head_strike TEXT NOT NULL CHECK (head_strike IN ('yes', 'no', 'unknown')),
            post_fall_check TEXT,
            antithrombotic TEXT,
            antithrombotic_source TEXT NOT NULL DEFAULT '',
            found_at TEXT,
            up_at TEXT,
            location_detail TEXT NOT NULL DEFAULT '',
            activity TEXT,
            footwear TEXT,
            walking_aid TEXT,
            call_bell TEXT,
            injuries TEXT NOT NULL DEFAULT '',
            harm TEXT,
            observations TEXT NOT NULL DEFAULT '',
            called TEXT NOT NULL DEFAULT '',
            conveyed INTEGER,
            admitted INTEGER,
            fracture INTEGER,
            family_informed INTEGER,
            gp_informed INTEGER,
            care_plan_updated INTEGER,
            medication_review_requested INTEGER,
            notes TEXT NOT NULL DEFAULT '',
            long_lie INTEGER NOT NULL DEFAULT 0,
            recorded_by_id INTEGER NOT NULL,
            recorded_by_name TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            entered_in_error_reason TEXT
        ) STRICT;
        CREATE INDEX falls_log_falls_by_resident ON falls_log_falls(resident_id, occurred_at);
        CREATE INDEX falls_log_falls_by_time ON falls_log_falls(occurred_at);
        CREATE TABLE falls_log_fall_versions (
            id INTEGER PRIMARY KEY,
            fall_id INTEGER NOT NULL REFERENCES falls_log_falls(id),
            version INTEGER NOT NULL,
            change TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT '',
            saved_by_id INTEGER NOT NULL,
            saved_by_name TEXT NOT NULL,
            saved_at TEXT NOT NULL,
            snapshot TEXT NOT NULL,
            UNIQUE (fall_id, version)
        ) STRICT;
        CREATE TABLE falls_log_checks (
            id INTEGER PRIMARY KEY,
            fall_id INTEGER NOT NULL REFERENCES falls_log_falls(id),
            resident_id INTEGER NOT NULL,
            check_key TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('skin', 'observations')),
            label TEXT NOT NULL,
            due_at TEXT NOT NULL,
            done_at TEXT,
            done_by_id INTEGER,
            done_by_name TEXT,
            findings TEXT NOT NULL DEFAULT '',
            cancelled INTEGER NOT NULL DEFAULT 0,
            UNIQUE (fall_id, check_key)
        ) STRICT;
        CREATE INDEX falls_log_checks_open ON falls_log_checks(cancelled, done_at, due_at);
        CREATE TABLE falls_log_assessments (
            id INTEGER PRIMARY KEY,
            resident_id INTEGER NOT NULL,
            prompted_by TEXT NOT NULL CHECK (prompted_by IN ('fall', 'admission', 'staff')),
            fall_id INTEGER REFERENCES falls_log_falls(id),
            prompted_at TEXT NOT NULL,
            completed_at TEXT,
            completed_by_id INTEGER,
            completed_by_name TEXT,
            cancelled INTEGER NOT NULL DEFAULT 0
        ) STRICT;
        CREATE INDEX falls_log_assessments_by_resident ON falls_log_assessments(resident_id, completed_at);
        CREATE TABLE falls_log_assessment_findings (
            id INTEGER PRIMARY KEY,
            assessment_id INTEGER NOT NULL REFERENCES falls_log_assessments(id),
            component TEXT NOT NULL,
            problem INTEGER NOT NULL,
            finding TEXT NOT NULL,
            action TEXT NOT NULL,
            UNIQUE (assessment_id, component)
        ) STRICT;
        """),
        Migration(2, "prompt a falls assessment on return from hospital", sql: """
        -- A return from hospital (a re-admission) prompts a falls reassessment: 'readmission' joins the
        -- reasons an assessment is prompted for. SQLite cannot change a CHECK constraint, so the
        -- assessments table is rebuilt; its findings table refers to it, so it is rebuilt alongside
        -- (the new findings table refers to the new assessments table, and the rename carries the
        -- reference over). Rows and ids are copied unchanged.
        CREATE TABLE falls_log_assessments_rebuilt (
            id INTEGER PRIMARY KEY,
            resident_id INTEGER NOT NULL,
            prompted_by TEXT NOT NULL CHECK (prompted_by IN ('fall', 'admission', 'readmission', 'staff')),
            fall_id INTEGER REFERENCES falls_log_falls(id),
            prompted_at TEXT NOT NULL,
            completed_at TEXT,
            completed_by_id INTEGER,
            completed_by_name TEXT,
            cancelled INTEGER NOT NULL DEFAULT 0
        ) STRICT;
        INSERT INTO falls_log_assessments_rebuilt (id, resident_id, prompted_by, fall_id, prompted_at, completed_at, completed_by_id, completed_by_name, cancelled)
            SELECT id, resident_id, prompted_by, fall_id, prompted_at, completed_at, completed_by_id, completed_by_name, cancelled FROM falls_log_assessments;
        CREATE TABLE falls_log_assessment_findings_rebuilt (
            id INTEGER PRIMARY KEY,
            assessment_id INTEGER NOT NULL REFERENCES falls_log_assessments_rebuilt(id),
            component TEXT NOT NULL,
            problem INTEGER NOT NULL,
            finding TEXT NOT NULL,
            action TEXT NOT NULL,
            UNIQUE (assessment_id, component)
        ) STRICT;
        INSERT INTO falls_log_assessment_findings_rebuilt (id, assessment_id, component, problem, finding, action)
            SELECT id, assessment_id, component, problem, finding, action FROM falls_log_assessment_findings;
        DROP TABLE falls_log_assessment_findings;
        DROP TABLE falls_log_assessments;
        ALTER TABLE falls_log_assessments_rebuilt RENAME TO falls_log_assessments;
        ALTER TABLE falls_log_assessment_findings_rebuilt RENAME TO falls_log_assessment_findings;
        CREATE INDEX falls_log_assessments_by_resident ON falls_log_assessments(resident_id, completed_at);
        """),
        Migration(3, "keep every version of a falls assessment, so that it can be amended", sql: """
        -- A completed assessment can be amended with a reason. The assessment row and its findings hold
        -- the current version; every version, the first included, is kept here with who, when, why and
        -- the findings as they stood (JSON, as for the falls' own versions).
        ALTER TABLE falls_log_assessments ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
        CREATE TABLE falls_log_assessment_versions (
            id INTEGER PRIMARY KEY,
            assessment_id INTEGER NOT NULL REFERENCES falls_log_assessments(id),
            version INTEGER NOT NULL,
            change TEXT NOT NULL CHECK (change IN ('completed', 'amended')),
            reason TEXT NOT NULL DEFAULT '',
            saved_by_id INTEGER NOT NULL,
            saved_by_name TEXT NOT NULL,
            saved_at TEXT NOT NULL,
            snapshot TEXT NOT NULL,
            UNIQUE (assessment_id, version)
        ) STRICT;
        -- Assessments completed before this migration get their first version from what is stored.
        INSERT INTO falls_log_assessment_versions (assessment_id, version, change, reason, saved_by_id, saved_by_name, saved_at, snapshot)
            SELECT a.id, 1, 'completed', '', COALESCE(a.completed_by_id, 0), COALESCE(a.completed_by_name, ''), a.completed_at,
                   COALESCE((SELECT json_group_array(json_object('component', f.component, 'problem', json(CASE WHEN f.problem THEN 'true' ELSE 'false' END),
                                                                 'finding', f.finding, 'action', f.action))
                             FROM falls_log_assessment_findings f WHERE f.assessment_id = a.id), '[]')
            FROM falls_log_assessments a WHERE a.completed_at IS NOT NULL;
        """),
        Migration(4, "indexes so that lists read today's falls and assessments, not every one ever recorded", sql: """
        -- Records still to complete (the dashboard card); assessments still to do (the card and the list).
        CREATE INDEX falls_log_falls_by_status ON falls_log_falls(status, occurred_at);
        CREATE INDEX falls_log_assessments_waiting ON falls_log_assessments(prompted_at) WHERE completed_at IS NULL AND cancelled = 0;
        """),
        Migration(5, "an index on when each fall was recorded, so 'occurred or recorded since' reads recent falls only", sql: """
        -- Falls occurred OR recorded since a time (the round's and the medication plugin's feeds): with both
        -- columns indexed SQLite reads the two ranges and joins them, instead of every fall ever recorded.
        CREATE INDEX falls_log_falls_by_recorded ON falls_log_falls(recorded_at);
        """),
    ]
}

/// A follow-up check as stored.
struct FollowUpCheck: Equatable, Sendable {
    let id: Int64
    let fallID: Int64
    let residentID: Int64
    let key: String
    let kind: CheckKind
    let label: String
    let dueAt: Date
    let doneAt: Date?
    let doneByName: String?
    let findings: String

    func state(now: Date) -> CheckState { CheckState.of(kind: kind, dueAt: dueAt, doneAt: doneAt, now: now) }

    init?(row: SQLRow) {
        guard let id = row.int64("id"), let fallID = row.int64("fall_id"), let residentID = row.int64("resident_id"),
              let kind = CheckKind(rawValue: row.string("kind") ?? ""), let dueAt = row.date("due_at") else { return nil }
        self.id = id
        self.fallID = fallID
        self.residentID = residentID
        key = row.string("check_key") ?? ""
        self.kind = kind
        label = row.string("label") ?? ""
        self.dueAt = dueAt
        doneAt = row.date("done_at")
        doneByName = row.string("done_by_name")
        findings = row.string("findings") ?? ""
    }
}

/// One saved version of a fall.
struct FallVersion: Sendable {
    let version: Int
    let change: String
    let reason: String
    let savedByName: String
    let savedAt: Date
    let snapshot: FallRecord?
}

/// A falls assessment, open (prompted) or completed.
struct FallsAssessmentRecord: Sendable {
    let id: Int64
    let residentID: Int64
    let promptedBy: String
    let fallID: Int64?
    let promptedAt: Date
    let completedAt: Date?
    let completedByName: String?
    var findings: [AssessmentFinding]
    /// 1 when completed; one more for each amendment.
    var version: Int = 1

    var promptText: String {
        switch promptedBy {
        case "fall": "after a fall"
        case "admission": "on moving in"
        case "readmission": "on return from hospital"
        default: "requested by staff"
        }
    }

    /// Prompted by moving in or coming back from hospital (dated by the day, not the minute).
    var promptedByMovement: Bool { promptedBy == "admission" || promptedBy == "readmission" }

    /// The rule behind the prompt, shown with it.
    var rule: FallRule { promptedBy == "readmission" ? .reassessmentAfterHospital : .multifactorialAssessment }
}

/// One kept version of a completed falls assessment.
struct AssessmentVersion: Sendable {
    let version: Int
    /// `completed` or `amended`.
    let change: String
    let reason: String
    let savedByName: String
    let savedAt: Date
    let findings: [AssessmentFinding]
}

/// Which falls a list shows (the figures link to these filters).
struct FallFilter: Equatable {
    var residentID: Int64?
    var location: FallLocation?
    var month: CalendarMonth?
    var weekday: Weekday?
    var hour: Int?
    var injuredOnly = false
    var longLieOnly = false
    var fractureOnly = false
    var since: Date?
    var toComplete = false

    init() {}

    init(query: FormData) {
        residentID = query["resident"].flatMap { Int64($0) }
        location = FallLocation(form: query["location"])
        month = query["month"].flatMap { CalendarMonth(iso: $0) }
        weekday = query["weekday"].flatMap { Int($0) }.flatMap { Weekday(rawValue: $0) }
        hour = query["hour"].flatMap { Int($0) }.flatMap { (0..<24).contains($0) ? $0 : nil }
        injuredOnly = query["injured"] == "yes"
        longLieOnly = query["long-lie"] == "yes"
        fractureOnly = query["fracture"] == "yes"
        since = query["since"].flatMap { Day(iso: $0) }.map(HomeTime.startOf)
        toComplete = query["status"] == "first-entry"
    }

    var isEmpty: Bool { self == FallFilter() }

    func matches(_ fall: FallRecord) -> Bool {
        if let residentID, fall.residentID != residentID { return false }
        if let location, fall.location != location { return false }
        let fact = fall.fact
        if let month, fact.month != month { return false }
        if let weekday, fact.weekday != weekday { return false }
        if let hour, fact.hour != hour { return false }
        if injuredOnly && !fall.injured { return false }
        if longLieOnly && !fall.isLongLie { return false }
        if fractureOnly && fall.fracture != true { return false }
        if let since, fall.occurredAt < since { return false }
        if toComplete && fall.status != .firstEntry { return false }
        return true
    }

    /// Words for the list's heading: `in the lounge, Nov 2026`.
    var description: String {
        var parts = [String]()
        if let location { parts.append("where: \(Wording.midSentence(location.title))") }
        if let month { parts.append(month.display) }
        if let weekday { parts.append("on \(weekday.name)s") }
        if let hour { parts.append(FallsText.hourRange(hour)) }
        if injuredOnly { parts.append("injurious") }
        if longLieOnly { parts.append("long lies") }
        if fractureOnly { parts.append("fractures") }
        if let since { parts.append("since \(HomeTime.day(of: since).displayShort)") }
        if toComplete { parts.append("to complete") }
        return parts.joined(separator: ", ")
    }
}

/// Reads and writes the plugin's tables. Every write runs inside the caller's one transaction.
enum FallsStore {
    // MARK: Falls

    /// Saves a new fall (version 1), plans its checks, prompts a falls assessment and queues
    /// `fallRecorded`, all in the caller's transaction.
    static func insert(_ fall: FallRecord, by principal: Principal, at now: Date, in db: any SQLWriter) throws -> Int64 {
        var fall = fall
        fall.version = 1
        fall.recordedByID = principal.userID
        fall.recordedByName = principal.displayName
        fall.recordedAt = now
        fall.updatedAt = now
        let placeholders = Array(repeating: "?", count: FallRecord.columnNames.count).joined(separator: ", ")
        try db.execute("INSERT INTO falls_log_falls (\(FallRecord.columnNames.joined(separator: ", "))) VALUES (\(placeholders))",
                       fall.columnValues)
        fall.id = db.lastInsertedRowID
        try saveVersion(fall, change: "Recorded", reason: "", by: principal, at: now, in: db)
        try planChecks(for: fall, in: db)
        try promptAssessment(residentID: fall.residentID, promptedBy: "fall", fallID: fall.id, at: now, in: db)
        db.publishAfterCommit(.fallRecorded(residentID: fall.residentID, fallID: fall.id, at: fall.occurredAt,
                                            headStrike: fall.fallSummary.headStrike, injured: fall.injured))
        return fall.id
    }

    /// Saves a change as a new version, keeping the earlier one. Throws `conflict` when someone saved
    /// another version since `expectedVersion` was read.
    static func update(_ fall: FallRecord, expectedVersion: Int, change: String, reason: String, by principal: Principal,
                       at now: Date, in db: any SQLWriter) throws {
        guard let current = try load(fall.id, in: db) else { throw CareError.notFound("No such fall.") }
        guard current.version == expectedVersion else {
            throw CareError.conflict("Someone else saved this fall while you were editing it. Open it again to see their changes.")
        }
        var fall = fall
        fall.version = current.version + 1
        fall.updatedAt = now
        fall.recordedAt = current.recordedAt
        fall.recordedByID = current.recordedByID
        fall.recordedByName = current.recordedByName
        let assignments = FallRecord.columnNames.map { "\($0) = ?" }.joined(separator: ", ")
        try db.execute("UPDATE falls_log_falls SET \(assignments) WHERE id = ?", fall.columnValues + [.integer(fall.id)])
        try saveVersion(fall, change: change, reason: reason, by: principal, at: now, in: db)
        try planChecks(for: fall, in: db)
        if fall.status == .enteredInError {
            try db.execute("UPDATE falls_log_assessments SET cancelled = 1 WHERE fall_id = ? AND completed_at IS NULL", [.integer(fall.id)])
        }
    }

    static func saveVersion(_ fall: FallRecord, change: String, reason: String, by principal: Principal, at now: Date,
                            in db: any SQLWriter) throws {
        try db.execute("""
            INSERT INTO falls_log_fall_versions (fall_id, version, change, reason, saved_by_id, saved_by_name, saved_at, snapshot)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [.integer(fall.id), .integer(Int64(fall.version)), .text(change), .text(reason), .integer(principal.userID),
                  .text(principal.displayName), SQLValue(now), .text(try fall.snapshotJSON())])
    }

    static func load(_ id: Int64, in db: any SQLReader) throws -> FallRecord? {
        try db.queryOne("SELECT * FROM falls_log_falls WHERE id = ?", [.integer(id)]).flatMap(FallRecord.init(row:))
    }

    /// Falls not entered in error, newest first.
    /// `since` and `before` bound the time in SQL (served by the time index), so a list of the last
    /// twelve months never reads the years before them.
    static func falls(residentID: Int64? = nil, since: Date? = nil, before: Date? = nil, status: FallStatus? = nil,
                      in db: any SQLReader) throws -> [FallRecord] {
        var sql = "SELECT * FROM falls_log_falls WHERE status <> 'entered-in-error'"
        var arguments = [SQLValue]()
        if let status { sql += " AND status = ?"; arguments.append(.text(status.rawValue)) }
        if let residentID { sql += " AND resident_id = ?"; arguments.append(.integer(residentID)) }
        if let since { sql += " AND occurred_at >= ?"; arguments.append(SQLValue(since)) }
        if let before { sql += " AND occurred_at < ?"; arguments.append(SQLValue(before)) }
        sql += " ORDER BY occurred_at DESC, id DESC"
        return try db.query(sql, arguments).compactMap(FallRecord.init(row:))
    }

    static func versions(fallID: Int64, in db: any SQLReader) throws -> [FallVersion] {
        try db.query("SELECT * FROM falls_log_fall_versions WHERE fall_id = ? ORDER BY version", [.integer(fallID)]).map { row in
            FallVersion(version: row.int("version") ?? 0, change: row.string("change") ?? "", reason: row.string("reason") ?? "",
                        savedByName: row.string("saved_by_name") ?? "", savedAt: row.date("saved_at") ?? Date(timeIntervalSince1970: 0),
                        snapshot: row.string("snapshot").flatMap(FallRecord.fromSnapshot))
        }
    }

    // MARK: Checks

    /// Brings the fall's checks in line with its schedule: adds missing ones, moves open ones when the
    /// times changed, and cancels open ones no longer needed (all of them for a fall entered in error
    /// or one that ended in a hospital admission).
    static func planChecks(for fall: FallRecord, in db: any SQLWriter) throws {
        // A resident admitted to hospital from the fall is not checked by the home: open checks stop.
        let planned = fall.status == .enteredInError || fall.admitted == true ? [] :
            FollowUpSchedule.checks(fellAt: fall.occurredAt, foundAt: fall.foundAt, headStrike: fall.headStrike)
        let existing = try db.query("SELECT * FROM falls_log_checks WHERE fall_id = ?", [.integer(fall.id)])
        var existingKeys = Set<String>()
        for row in existing {
            guard let key = row.string("check_key"), let id = row.int64("id") else { continue }
            existingKeys.insert(key)
            let open = row.string("done_at") == nil
            if let plan = planned.first(where: { $0.key == key }) {
                if open { try db.execute("UPDATE falls_log_checks SET due_at = ?, cancelled = 0 WHERE id = ?", [SQLValue(plan.dueAt), .integer(id)]) }
            } else if open {
                try db.execute("UPDATE falls_log_checks SET cancelled = 1 WHERE id = ?", [.integer(id)])
            }
        }
        for plan in planned where !existingKeys.contains(plan.key) {
            try db.execute("""
                INSERT INTO falls_log_checks (fall_id, resident_id, check_key, kind, label, due_at) VALUES (?, ?, ?, ?, ?, ?)
                """, [.integer(fall.id), .integer(fall.residentID), .text(plan.key), .text(plan.kind.rawValue), .text(plan.label),
                      SQLValue(plan.dueAt)])
        }
    }

    static func checks(fallID: Int64, in db: any SQLReader) throws -> [FollowUpCheck] {
        try db.query("SELECT * FROM falls_log_checks WHERE fall_id = ? AND cancelled = 0 ORDER BY due_at", [.integer(fallID)])
            .compactMap(FollowUpCheck.init(row:))
    }

    static func check(_ id: Int64, in db: any SQLReader) throws -> FollowUpCheck? {
        try db.queryOne("SELECT * FROM falls_log_checks WHERE id = ? AND cancelled = 0", [.integer(id)]).flatMap(FollowUpCheck.init(row:))
    }

    /// Checks not yet done that are due now or overdue at `now` (optionally for one resident), most overdue first.
    static func dueChecks(residentID: Int64? = nil, now: Date, in db: any SQLReader) throws -> [FollowUpCheck] {
        // Nothing opens more than 4 hours early (the widest window), so the query can bound by time.
        let horizon = now.addingTimeInterval(CheckKind.skin.window.early)
        var sql = "SELECT * FROM falls_log_checks WHERE cancelled = 0 AND done_at IS NULL AND due_at <= ?"
        var arguments: [SQLValue] = [SQLValue(horizon)]
        if let residentID { sql += " AND resident_id = ?"; arguments.append(.integer(residentID)) }
        sql += " ORDER BY due_at"
        return try db.query(sql, arguments).compactMap(FollowUpCheck.init(row:)).filter { $0.state(now: now) != .upcoming }
    }

    static func recordCheck(_ id: Int64, findings: String, by principal: Principal, at now: Date, in db: any SQLWriter) throws {
        try db.execute("""
            UPDATE falls_log_checks SET done_at = ?, done_by_id = ?, done_by_name = ?, findings = ?
            WHERE id = ? AND done_at IS NULL AND cancelled = 0
            """, [SQLValue(now), .integer(principal.userID), .text(principal.displayName), .text(findings), .integer(id)])
        guard db.changedRowCount == 1 else { throw CareError.conflict("This check has already been recorded.") }
    }

    // MARK: Assessments

    /// Prompts a falls assessment unless one is already open for the resident.
    static func promptAssessment(residentID: Int64, promptedBy: String, fallID: Int64?, at now: Date, in db: any SQLWriter) throws {
        let open = try db.scalar("""
            SELECT COUNT(*) FROM falls_log_assessments WHERE resident_id = ? AND completed_at IS NULL AND cancelled = 0
            """, [.integer(residentID)]) ?? 0
        guard open == 0 else { return }
        try db.execute("INSERT INTO falls_log_assessments (resident_id, prompted_by, fall_id, prompted_at) VALUES (?, ?, ?, ?)",
                       [.integer(residentID), .text(promptedBy), SQLValue(fallID), SQLValue(now)])
    }

    static func assessments(residentID: Int64, in db: any SQLReader) throws -> [FallsAssessmentRecord] {
        let rows = try db.query("""
            SELECT * FROM falls_log_assessments WHERE resident_id = ? AND cancelled = 0 ORDER BY prompted_at DESC, id DESC
            """, [.integer(residentID)])
        return try assessments(rows, in: db)
    }

    static func openAssessments(in db: any SQLReader) throws -> [FallsAssessmentRecord] {
        try assessments(try db.query("SELECT * FROM falls_log_assessments WHERE completed_at IS NULL AND cancelled = 0 ORDER BY prompted_at"), in: db)
    }

    /// Assessments from their rows, with every one's findings read in one query (not one per assessment).
    private static func assessments(_ rows: [SQLRow], in db: any SQLReader) throws -> [FallsAssessmentRecord] {
        let ids = rows.compactMap { $0.int64("id") }
        guard !ids.isEmpty else { return [] }
        var findings = [Int64: [AssessmentFinding]]()
        for f in try db.query("""
            SELECT * FROM falls_log_assessment_findings WHERE assessment_id IN (SELECT value FROM json_each(?)) ORDER BY assessment_id, id
            """, [.text("[" + ids.map(String.init).joined(separator: ",") + "]")]) {
            guard let assessmentID = f.int64("assessment_id"), let component = AssessmentComponent(rawValue: f.string("component") ?? "") else { continue }
            findings[assessmentID, default: []].append(AssessmentFinding(component: component, problem: f.bool("problem") ?? false,
                                                                         finding: f.string("finding") ?? "", action: f.string("action") ?? ""))
        }
        return rows.compactMap { assessment(row: $0, findings: findings[$0.int64("id") ?? 0] ?? []) }
    }

    private static func assessment(row: SQLRow, in db: any SQLReader) throws -> FallsAssessmentRecord? {
        try assessments([row], in: db).first
    }

    private static func assessment(row: SQLRow, findings: [AssessmentFinding]) -> FallsAssessmentRecord? {
        guard let id = row.int64("id"), let residentID = row.int64("resident_id"), let promptedAt = row.date("prompted_at") else { return nil }
        return FallsAssessmentRecord(id: id, residentID: residentID, promptedBy: row.string("prompted_by") ?? "staff",
                                     fallID: row.int64("fall_id"), promptedAt: promptedAt, completedAt: row.date("completed_at"),
                                     completedByName: row.string("completed_by_name"), findings: findings, version: row.int("version") ?? 1)
    }

    /// One assessment of a resident (nil when there is none, or it belongs to someone else).
    static func assessment(_ id: Int64, residentID: Int64, in db: any SQLReader) throws -> FallsAssessmentRecord? {
        try db.queryOne("SELECT * FROM falls_log_assessments WHERE id = ? AND resident_id = ? AND cancelled = 0", [.integer(id), .integer(residentID)])
            .flatMap { try assessment(row: $0, in: db) }
    }

    /// Every kept version of an assessment, oldest first.
    static func assessmentVersions(_ id: Int64, in db: any SQLReader) throws -> [AssessmentVersion] {
        try db.query("SELECT * FROM falls_log_assessment_versions WHERE assessment_id = ? ORDER BY version", [.integer(id)]).map { row in
            let findings = (try? JSONDecoder().decode([AssessmentFinding].self, from: Data((row.string("snapshot") ?? "[]").utf8))) ?? []
            return AssessmentVersion(version: row.int("version") ?? 0, change: row.string("change") ?? "", reason: row.string("reason") ?? "",
                                     savedByName: row.string("saved_by_name") ?? "", savedAt: row.date("saved_at") ?? Date(timeIntervalSince1970: 0),
                                     findings: findings)
        }
    }

    private static func saveAssessmentVersion(_ id: Int64, version: Int, change: String, reason: String, findings: [AssessmentFinding],
                                              by principal: Principal, at now: Date, in db: any SQLWriter) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try db.execute("""
            INSERT INTO falls_log_assessment_versions (assessment_id, version, change, reason, saved_by_id, saved_by_name, saved_at, snapshot)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [.integer(id), .integer(Int64(version)), .text(change), .text(reason), .integer(principal.userID), .text(principal.displayName),
                  SQLValue(now), .text(String(decoding: try encoder.encode(findings), as: UTF8.self))])
    }

    /// Amends a completed assessment: its findings become `findings`, as version `expectedVersion + 1`,
    /// and the new version is kept with who, when and why beside the earlier ones. Throws `conflict`
    /// when someone amended it since `expectedVersion` was read.
    static func amendAssessment(_ id: Int64, residentID: Int64, expectedVersion: Int, findings: [AssessmentFinding], reason: String,
                                by principal: Principal, at now: Date, in db: any SQLWriter) throws -> Int {
        guard let current = try assessment(id, residentID: residentID, in: db), current.completedAt != nil else {
            throw CareError.notFound("There is no such completed falls assessment.")
        }
        guard current.version == expectedVersion else {
            throw CareError.conflict("Someone else amended this assessment while you were editing it. Open it again to see their changes.")
        }
        for finding in findings {
            try db.execute("""
                INSERT INTO falls_log_assessment_findings (assessment_id, component, problem, finding, action) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (assessment_id, component) DO UPDATE SET problem = excluded.problem, finding = excluded.finding, action = excluded.action
                """, [.integer(id), .text(finding.component.rawValue), SQLValue(finding.problem), .text(finding.finding), .text(finding.action)])
        }
        let version = current.version + 1
        try db.execute("UPDATE falls_log_assessments SET version = ? WHERE id = ? AND version = ?",
                       [.integer(Int64(version)), .integer(id), .integer(Int64(expectedVersion))])
        guard db.changedRowCount == 1 else { throw CareError.conflict("Someone amended this assessment at the same moment. Open it again and try again.") }
        try saveAssessmentVersion(id, version: version, change: "amended", reason: reason, findings: findings, by: principal, at: now, in: db)
        return version
    }

    /// Completes the resident's open assessment (or a new one when none is open) with its findings.
    static func completeAssessment(residentID: Int64, findings: [AssessmentFinding], by principal: Principal, at now: Date,
                                   in db: any SQLWriter) throws -> Int64 {
        try promptAssessment(residentID: residentID, promptedBy: "staff", fallID: nil, at: now, in: db)
        guard let id = try db.scalar("""
            SELECT id FROM falls_log_assessments WHERE resident_id = ? AND completed_at IS NULL AND cancelled = 0 ORDER BY id LIMIT 1
            """, [.integer(residentID)]) else { throw CareError.conflict("The assessment could not be opened.") }
        try db.execute("UPDATE falls_log_assessments SET completed_at = ?, completed_by_id = ?, completed_by_name = ? WHERE id = ?",
                       [SQLValue(now), .integer(principal.userID), .text(principal.displayName), .integer(id)])
        for finding in findings {
            try db.execute("""
                INSERT INTO falls_log_assessment_findings (assessment_id, component, problem, finding, action) VALUES (?, ?, ?, ?, ?)
                """, [.integer(id), .text(finding.component.rawValue), SQLValue(finding.problem), .text(finding.finding), .text(finding.action)])
        }
        try saveAssessmentVersion(id, version: 1, change: "completed", reason: "", findings: findings, by: principal, at: now, in: db)
        return id
    }
}

/// The `Services.falls` implementation other plugins resolve.
struct FallsSourceService: FallsSource {
    let database: any CareDatabase

    func falls(residentID: Int64?, since: Date) throws -> [FallSummary] {
        try database.read { db in try FallsStore.falls(residentID: residentID, since: since, in: db).map(\.fallSummary) }
    }

    func fallsOccurredOrRecorded(since: Date) throws -> [FallSummary] {
        try database.read { db in
            // Two ranges, each read from its own index, joined, then sorted (an OR of the two columns, or a
            // UNION sorted inside, made SQLite walk every fall ever recorded in occurred_at order).
            try db.query("""
                SELECT * FROM (SELECT * FROM falls_log_falls WHERE status <> 'entered-in-error' AND occurred_at >= ?
                               UNION
                               SELECT * FROM falls_log_falls WHERE status <> 'entered-in-error' AND recorded_at >= ?)
                ORDER BY occurred_at DESC, id DESC
                """, [SQLValue(since), SQLValue(since)]).compactMap(FallRecord.init(row:)).map(\.fallSummary)
        }
    }
}
