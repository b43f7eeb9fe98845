import CareKit
import CareServices
import Foundation
import Synchronization

/// Input that failed a rule: the messages to show beside the fields.
struct ValidationFailure: Error {
    var errors: FormErrors
}

/// A resident as the registry holds them now.
struct StoredResident: Sendable {
    var id: Int64
    var record: ResidentRecord
    var status: ResidentStatus
    var version: Int64
    var enteredInError: Bool
    var errorReason: String?
    /// Active movements (not entered in error), oldest first.
    var movements: [StoredMovement]

    var firstAdmission: Day? { movements.first { $0.kind == .admitted }?.on }
    /// The latest admission or return from hospital: what starts the current clock.
    var latestAdmission: StoredMovement? { movements.last { $0.startsClock } }
    var path: String { "/residents/\(id)" }

    var summary: ResidentSummary {
        ResidentSummary(id: id, preferredName: record.preferredName, fullName: record.fullName, dateOfBirth: record.dateOfBirth,
                        nhsNumber: record.nhsNumber, room: record.room, status: status, admittedOn: firstAdmission,
                        latestAdmission: latestAdmission?.on,
                        latestAdmissionIsReadmission: latestAdmission?.kind == .returnedFromHospital,
                        dementia: record.dementia, allergies: record.allergies, advanceCarePlan: record.advanceCarePlan,
                        gpPractice: record.gpPractice, diagnoses: record.diagnoses)
    }
}

/// One version of a resident's record, for the history page.
struct RecordVersion: Sendable {
    var version: Int64
    var action: String
    var changedAt: Date?
    var changedBy: String
    var summary: String
}

/// Reads and writes residents and their movements. Every change is one transaction that also
/// writes a version (who, when, what changed) and queues the events other plugins receive.
struct ResidentStore: Sendable {
    let database: any CareDatabase
    /// Decoded records by id and version: every change bumps the version, so an entry is never stale.
    let cache = RecordCache()
    /// Who slept here lately, for occupied bed days: kept until the next save.
    let presence = PresenceCache()

    // MARK: Reading

    func resident(id: Int64) throws -> StoredResident? {
        try database.read { try resident(id: id, $0) }
    }

    func resident(id: Int64, _ db: any SQLReader) throws -> StoredResident? {
        guard let row = try db.queryOne("SELECT * FROM residents_residents WHERE id = ?", [.integer(id)]) else { return nil }
        return try stored(row, movements: try activeMovements(residentID: id, db))
    }

    /// Residents by room; `statuses` nil means every status. Entered-in-error records only when asked.
    func residents(statuses: Set<ResidentStatus>?, enteredInError: Bool = false) throws -> [StoredResident] {
        try database.read { try residents(statuses: statuses, enteredInError: enteredInError, $0) }
    }

    func residents(statuses: Set<ResidentStatus>?, enteredInError: Bool = false, _ db: any SQLReader) throws -> [StoredResident] {
        var sql = "SELECT * FROM residents_residents WHERE entered_in_error = ?"
        // Only the movements of the residents asked for: today's residents cost the same in a home's
        // tenth year as in its first (statuses in a fixed order, so the SQL text is one of a few).
        // The residents first (an index on status), then each one's movements (an index on the
        // resident): ordered by resident, so SQLite is not tempted to walk every movement by day.
        var movementsSQL = """
            SELECT * FROM residents_movements WHERE entered_in_error = 0 AND resident_id IN
                (SELECT id FROM residents_residents WHERE entered_in_error = ?
            """
        var arguments: [SQLValue] = [.integer(enteredInError ? 1 : 0)]
        if let statuses {
            let ordered = ResidentStatus.allCases.filter(statuses.contains)
            let list = " IN (" + ordered.map { _ in "?" }.joined(separator: ", ") + ")"
            sql += " AND status" + list
            movementsSQL += " AND status" + list
            arguments += ordered.map { .text($0.rawValue) }
        }
        var movementsByResident = [Int64: [StoredMovement]]()
        for row in try db.query(movementsSQL + ") ORDER BY resident_id, on_day, id", arguments) {
            let movement = try StoredMovement(row: row)
            movementsByResident[movement.residentID, default: []].append(movement)
        }
        return try db.query(sql, arguments)
            .map { row in try stored(row, movements: movementsByResident[row.int64("id") ?? 0] ?? []) }
            .sorted { RoomOrder.precedes($0.record.room, $0.record.fullName, $1.record.room, $1.record.fullName) }
    }

    /// Residents by id, with their movements: two queries however many ids (a JSON array argument, so
    /// the SQL text is always the same).
    func residents(ids: Set<Int64>) throws -> [StoredResident] {
        guard !ids.isEmpty else { return [] }
        let list: [SQLValue] = [.text("[" + ids.sorted().map(String.init).joined(separator: ",") + "]")]
        return try database.read { db in
            var movementsByResident = [Int64: [StoredMovement]]()
            for row in try db.query("""
                SELECT * FROM residents_movements WHERE entered_in_error = 0 AND resident_id IN (SELECT value FROM json_each(?)) ORDER BY resident_id, on_day, id
                """, list) {
                let movement = try StoredMovement(row: row)
                movementsByResident[movement.residentID, default: []].append(movement)
            }
            return try db.query("SELECT * FROM residents_residents WHERE id IN (SELECT value FROM json_each(?))", list).map { row in
                try stored(row, movements: movementsByResident[row.int64("id") ?? 0] ?? [])
            }
        }
    }

    /// The active movements, by resident, of everyone who could have slept here on or after `day`:
    /// today's residents and those with a movement on or after it (not those who had left before).
    func movementsOfResidents(hereSince day: Day, _ db: any SQLReader) throws -> [Int64: [StoredMovement]] {
        var byResident = [Int64: [StoredMovement]]()
        for row in try db.query("""
            SELECT * FROM residents_movements WHERE entered_in_error = 0 AND resident_id IN
                (SELECT id FROM residents_residents WHERE status IN ('living-here', 'in-hospital') AND entered_in_error = 0
                 UNION SELECT m.resident_id FROM residents_movements m JOIN residents_residents r ON r.id = m.resident_id
                       WHERE m.on_day >= ? AND r.entered_in_error = 0)
            ORDER BY resident_id, on_day, id
            """, [.text(day.iso)]) {
            let movement = try StoredMovement(row: row)
            byResident[movement.residentID, default: []].append(movement)
        }
        return byResident
    }

    /// Occupied bed days from `start` to `end` inclusive (NHS: residents present at midnight). The
    /// movements read are those of residents here on or after a year before `start`, kept until the
    /// next save, so the falls analytics' twelve months and the dashboard's month are one read.
    func occupiedBedDays(from start: Day, to end: Day) throws -> Int {
        let movements = try presence.movements(since: start, database: database) { floor in
            try database.read { try movementsOfResidents(hereSince: floor, $0) }
        }
        return movements.values.reduce(0) { $0 + MovementRules.nightsPresent(from: start, to: end, movements: $1) }
    }

    func activeMovements(residentID: Int64, _ db: any SQLReader) throws -> [StoredMovement] {
        try db.query("SELECT * FROM residents_movements WHERE resident_id = ? AND entered_in_error = 0 ORDER BY on_day, id",
                     [.integer(residentID)]).map(StoredMovement.init(row:))
    }

    /// Every movement including those entered in error, oldest first.
    func allMovements(residentID: Int64) throws -> [StoredMovement] {
        try database.read { db in
            try db.query("SELECT * FROM residents_movements WHERE resident_id = ? ORDER BY on_day, id",
                         [.integer(residentID)]).map(StoredMovement.init(row:))
        }
    }

    func versions(residentID: Int64) throws -> [RecordVersion] {
        try database.read { db in
            try db.query("SELECT * FROM residents_versions WHERE resident_id = ? ORDER BY version DESC", [.integer(residentID)]).map {
                RecordVersion(version: $0.int64("version") ?? 0, action: $0.string("action") ?? "", changedAt: $0.date("changed_at"),
                              changedBy: $0.string("changed_by") ?? "", summary: $0.string("summary") ?? "")
            }
        }
    }

    func stored(_ row: SQLRow, movements: [StoredMovement]) throws -> StoredResident {
        guard let id = row.int64("id"), let json = row.string("record"),
              let status = row.string("status").flatMap(ResidentStatus.init(rawValue:)) else {
            throw CareError.badRequest("A resident's record could not be read.")
        }
        let version = row.int64("version") ?? 1
        let record: ResidentRecord
        if let cached = cache.record(id: id, version: version) {
            record = cached
        } else {
            record = try JSONCoding.decode(ResidentRecord.self, json)
            cache.store(record, id: id, version: version)
        }
        return StoredResident(id: id, record: record, status: status,
                              version: version, enteredInError: row.bool("entered_in_error") ?? false,
                              errorReason: row.string("error_reason"), movements: movements)
    }

    // MARK: Writing

    /// Creates a resident with their admission. Throws `ValidationFailure` for a duplicate NHS number.
    /// `clockTracked` is false for imported residents whose 7-day window had already closed.
    @discardableResult
    func create(_ record: ResidentRecord, admittedOn: Day, by principal: Principal, at now: Date = Date(),
                clockTracked: Bool = true) throws -> Int64 {
        try database.write { db in try create(record, admittedOn: admittedOn, by: principal, at: now, clockTracked: clockTracked, db) }
    }

    /// The same, inside a caller's transaction (the CSV import saves every row in one).
    func create(_ record: ResidentRecord, admittedOn: Day, by principal: Principal, at now: Date, clockTracked: Bool,
                _ db: any SQLWriter) throws -> Int64 {
        try checkNHSNumberFree(record.nhsNumber, exceptResident: nil, db)
        try db.execute("""
            INSERT INTO residents_residents (full_name, preferred_name, room, nhs_number, date_of_birth, status, record, version, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, 'living-here', ?, 1, ?, ?)
            """, [.text(record.fullName), .text(record.preferredName), .text(record.room), SQLValue(record.nhsNumber),
                  SQLValue(record.dateOfBirth), .text(record.snapshot()), SQLValue(now), SQLValue(now)])
        let id = db.lastInsertedRowID
        try insertMovement(residentID: id, kind: .admitted, on: admittedOn, place: "", note: "", clockTracked: clockTracked,
                           by: principal, at: now, db)
        try addVersion(residentID: id, version: 1, action: "created", summary: "Record created; admitted \(admittedOn.displayShort)",
                       record: record, by: principal, at: now, db)
        // An imported resident whose window closed long ago did not "move in" today: no event.
        if clockTracked { db.publishAfterCommit(.residentAdmitted(residentID: id, on: admittedOn)) }
        return id
    }

    /// Saves a new version of the record. Throws a conflict if someone saved since `expectedVersion`.
    func amend(residentID: Int64, to record: ResidentRecord, expectedVersion: Int64, by principal: Principal, at now: Date = Date()) throws {
        try database.write { db in
            guard let current = try resident(id: residentID, db), !current.enteredInError else { throw CareError.notFound("No such resident.") }
            // Only a change to the record itself conflicts (a movement or clock entry in between does not).
            let amendedSince = try db.scalar("SELECT COUNT(*) FROM residents_versions WHERE resident_id = ? AND version > ? AND action = 'amended'",
                                             [.integer(residentID), .integer(expectedVersion)]) ?? 0
            guard amendedSince == 0 else {
                throw CareError.conflict("Someone else changed this record while you were editing it. Open it again to see their changes, then make yours.")
            }
            if current.status.isCurrent { try checkNHSNumberFree(record.nhsNumber, exceptResident: residentID, db) }
            let changes = record.changes(from: current.record)
            guard !changes.isEmpty else { return }
            let version = current.version + 1
            try db.execute("""
                UPDATE residents_residents SET full_name = ?, preferred_name = ?, room = ?, nhs_number = ?, date_of_birth = ?,
                    record = ?, version = ?, updated_at = ? WHERE id = ?
                """, [.text(record.fullName), .text(record.preferredName), .text(record.room), SQLValue(record.nhsNumber),
                      SQLValue(record.dateOfBirth), .text(record.snapshot()), .integer(version), SQLValue(now), .integer(residentID)])
            try addVersion(residentID: residentID, version: version, action: "amended", summary: changes.joined(separator: "\n"),
                           record: record, by: principal, at: now, db)
        }
    }

    /// Marks the whole record entered in error (it disappears from lists, stays in the database).
    func markEnteredInError(residentID: Int64, reason: String, by principal: Principal, at now: Date = Date()) throws {
        try database.write { db in
            guard let current = try resident(id: residentID, db), !current.enteredInError else { throw CareError.notFound("No such resident.") }
            let version = current.version + 1
            try db.execute("UPDATE residents_residents SET entered_in_error = 1, error_reason = ?, version = ?, updated_at = ? WHERE id = ?",
                           [.text(reason), .integer(version), SQLValue(now), .integer(residentID)])
            try addVersion(residentID: residentID, version: version, action: "entered in error", summary: "Marked entered in error: \(reason)",
                           record: current.record, by: principal, at: now, db)
        }
    }

    /// Records a movement. Throws `ValidationFailure` (field `kind` or `on_day`) when it cannot happen.
    func recordMovement(residentID: Int64, kind: ResidentMovement.Kind, on day: Day, place: String, note: String,
                        by principal: Principal, today: Day, at now: Date = Date()) throws {
        try database.write { db in
            guard let current = try resident(id: residentID, db), !current.enteredInError else { throw CareError.notFound("No such resident.") }
            var errors = FormErrors()
            if !MovementRules.allowed(from: current.status).contains(kind) {
                errors.add("kind", "\(MovementRules.choiceLabel(kind)) cannot be recorded for a resident whose status is \"\(current.status.title)\"")
            }
            if day > today { errors.add("on_day", "The date must be today or in the past") }
            else if let last = current.movements.last, day < last.on {
                errors.add("on_day", "The date is before the last movement (\(Wording.midSentence(last.title)) on \(last.on.displayShort))")
            } else if let dob = current.record.dateOfBirth, day < dob {
                errors.add("on_day", "The date is before the date of birth")
            }
            if kind == .died, DeathPlace(rawValue: place) == nil { errors.add("place", "Choose where the resident died") }
            if !errors.isEmpty { throw ValidationFailure(errors: errors) }
            let newStatus = MovementRules.status(after: kind)
            // A resident coming back must not take a number another current resident now holds.
            if newStatus.isCurrent && !current.status.isCurrent {
                try checkNHSNumberFree(current.record.nhsNumber, exceptResident: residentID, db)
            }
            try insertMovement(residentID: residentID, kind: kind, on: day, place: kind == .died ? place : "", note: note,
                               clockTracked: true, by: principal, at: now, db)
            let version = current.version + 1
            try db.execute("UPDATE residents_residents SET status = ?, version = ?, updated_at = ? WHERE id = ?",
                           [.text(newStatus.rawValue), .integer(version), SQLValue(now), .integer(residentID)])
            var summary = "\(MovementRules.choiceLabel(kind)) on \(day.displayShort)"
            if kind == .died, let where_ = DeathPlace(rawValue: place) { summary += " (\(where_.title.lowercased()))" }
            summary += ". Status: \(current.status.title) → \(newStatus.title)"
            try addVersion(residentID: residentID, version: version, action: "movement", summary: summary,
                           record: current.record, by: principal, at: now, db)
            db.publishAfterCommit(MovementRules.event(for: kind, residentID: residentID, on: day))
        }
    }

    /// Marks the latest movement entered in error, or corrects its date (the wrong row is kept,
    /// marked entered in error, and a corrected copy is added). Only the latest can be changed, so
    /// that the sequence of movements stays consistent.
    func correctLatestMovement(residentID: Int64, movementID: Int64, reason: String, newDate: Day?, by principal: Principal,
                               today: Day, at now: Date = Date()) throws {
        try database.write { db in
            guard let current = try resident(id: residentID, db), !current.enteredInError else { throw CareError.notFound("No such resident.") }
            guard let latest = current.movements.last, latest.id == movementID else {
                throw CareError.conflict("Only the latest movement can be corrected. Correct the later ones first.")
            }
            var errors = FormErrors()
            if reason.isEmpty { errors.add("reason", "Say why the movement is wrong") }
            if let newDate {
                let previous = current.movements.dropLast().last
                if newDate > today { errors.add("new_date", "The date must be today or in the past") }
                else if let previous, newDate < previous.on {
                    errors.add("new_date", "The date is before the previous movement (\(previous.on.displayShort))")
                }
            } else if current.movements.count == 1 {
                errors.add("new_date", "This is the only admission: give the right date, or mark the whole record entered in error")
            }
            if !errors.isEmpty { throw ValidationFailure(errors: errors) }
            try db.execute("UPDATE residents_movements SET entered_in_error = 1, error_reason = ?, error_at = ?, error_by = ? WHERE id = ?",
                           [.text(reason), SQLValue(now), .text(principal.displayName), .integer(movementID)])
            var summary = "\(latest.title) on \(latest.on.displayShort) marked entered in error: \(reason)"
            if let newDate {
                let newID = try insertMovement(residentID: residentID, kind: latest.kind, on: newDate, place: latest.place, note: latest.note,
                                               clockTracked: latest.clockTracked, by: principal, at: now, db)
                // Clock entries belong to the admission, whatever its date.
                try db.execute("UPDATE residents_clock_entries SET movement_id = ? WHERE movement_id = ?", [.integer(newID), .integer(movementID)])
                summary = "\(latest.title): date corrected from \(latest.on.displayShort) to \(newDate.displayShort) (\(reason))"
            }
            let remaining = try activeMovements(residentID: residentID, db)
            let newStatus = MovementRules.status(from: remaining)
            if newStatus.isCurrent && !current.status.isCurrent {
                try checkNHSNumberFree(current.record.nhsNumber, exceptResident: residentID, db)
            }
            let version = current.version + 1
            try db.execute("UPDATE residents_residents SET status = ?, version = ?, updated_at = ? WHERE id = ?",
                           [.text(newStatus.rawValue), .integer(version), SQLValue(now), .integer(residentID)])
            if newStatus != current.status { summary += ". Status: \(current.status.title) → \(newStatus.title)" }
            try addVersion(residentID: residentID, version: version, action: "movement corrected", summary: summary,
                           record: current.record, by: principal, at: now, db)
        }
    }

    // MARK: Helpers

    /// Throws `ValidationFailure` on `nhs_number` when another current resident holds the number.
    func checkNHSNumberFree(_ number: String?, exceptResident: Int64?, _ db: any SQLReader) throws {
        guard let number else { return }
        let clash = try db.scalar("""
            SELECT COUNT(*) FROM residents_residents WHERE nhs_number = ? AND entered_in_error = 0
                AND status IN ('living-here', 'in-hospital') AND id != ?
            """, [.text(number), .integer(exceptResident ?? 0)]) ?? 0
        if clash > 0 {
            var errors = FormErrors()
            errors.add("nhs_number", "Another current resident already has this NHS number: check it, or open that resident's record")
            throw ValidationFailure(errors: errors)
        }
    }

    @discardableResult
    private func insertMovement(residentID: Int64, kind: ResidentMovement.Kind, on day: Day, place: String, note: String,
                                clockTracked: Bool, by principal: Principal, at now: Date, _ db: any SQLWriter) throws -> Int64 {
        try db.execute("""
            INSERT INTO residents_movements (resident_id, kind, on_day, place, note, clock_tracked, recorded_at, recorded_by_id, recorded_by)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.integer(residentID), .text(kind.rawValue), SQLValue(day), .text(place), .text(note), SQLValue(clockTracked),
                  SQLValue(now), .integer(principal.userID), .text(principal.displayName)])
        return db.lastInsertedRowID
    }

    func addVersion(residentID: Int64, version: Int64, action: String, summary: String, record: ResidentRecord,
                    by principal: Principal, at now: Date, _ db: any SQLWriter) throws {
        try db.execute("""
            INSERT INTO residents_versions (resident_id, version, action, changed_at, changed_by_id, changed_by, summary, record)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [.integer(residentID), .integer(version), .text(action), SQLValue(now), .integer(principal.userID),
                  .text(principal.displayName), .text(summary), .text(record.snapshot())])
    }

    /// Bumps the record's version for a change kept elsewhere (a clock entry) and writes its history line.
    func addSideVersion(residentID: Int64, action: String, summary: String, by principal: Principal, at now: Date, _ db: any SQLWriter) throws {
        guard let current = try resident(id: residentID, db) else { throw CareError.notFound("No such resident.") }
        let version = current.version + 1
        try db.execute("UPDATE residents_residents SET version = ?, updated_at = ? WHERE id = ?",
                       [.integer(version), SQLValue(now), .integer(residentID)])
        try addVersion(residentID: residentID, version: version, action: action, summary: summary, record: current.record,
                       by: principal, at: now, db)
    }
}

/// Rooms sort as people read them: 2 before 10, then by name.
enum RoomOrder {
    static func precedes(_ roomA: String, _ nameA: String, _ roomB: String, _ nameB: String) -> Bool {
        let a = Int(roomA.prefix { $0.isNumber }), b = Int(roomB.prefix { $0.isNumber })
        switch (a, b) {
        case let (x?, y?) where x != y: return x < y
        case (.some, nil): return true
        case (nil, .some): return false
        default:
            if roomA != roomB { return roomA < roomB }
            return nameA < nameB
        }
    }
}

/// Decoded records keyed by id, valid for one version (JSON decoding dominates list pages otherwise).
final class RecordCache: Sendable {
    private let entries = Mutex<[Int64: (version: Int64, record: ResidentRecord)]>([:])

    func record(id: Int64, version: Int64) -> ResidentRecord? {
        entries.withLock { $0[id].flatMap { $0.version == version ? $0.record : nil } }
    }

    func store(_ record: ResidentRecord, id: Int64, version: Int64) {
        entries.withLock { $0[id] = (version, record) }
    }
}

/// The movements of everyone who slept here on or after a day, kept until anything is saved. A request
/// for an earlier day reads again from a year before it, so a page that asks month by month reads once.
final class PresenceCache: Sendable {
    private let kept = Mutex<(commit: Int64, since: Day, movements: [Int64: [StoredMovement]])?>(nil)

    func movements(since day: Day, database: any CareDatabase,
                   load: (Day) throws -> [Int64: [StoredMovement]]) throws -> [Int64: [StoredMovement]] {
        guard let commit = database.commitCount else { return try load(day) }
        if let kept = kept.withLock({ $0 }), kept.commit == commit, kept.since <= day { return kept.movements }
        let floor = day.adding(days: -366)
        let movements = try load(floor)
        kept.withLock { current in
            if let current, current.commit > commit { return }
            current = (commit, floor, movements)
        }
        return movements
    }
}
