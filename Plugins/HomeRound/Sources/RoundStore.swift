import CareKit
import CareServices
import Foundation

/// The plugin's reads and writes. Every change is one transaction.
struct RoundStore: Sendable {
    let database: any CareDatabase

    // MARK: Rounds

    func rounds() throws -> [Round] {
        try database.read { try $0.query("SELECT * FROM home_round_rounds ORDER BY round_day DESC").map(Round.init(row:)) }
    }

    /// One page of rounds, newest first: `limit` rounds held before `before` (all when nil). Keyset
    /// paging on the round day (one round a week at most), served by its index.
    func rounds(before: Day?, limit: Int) throws -> [Round] {
        try database.read {
            try $0.query("SELECT * FROM home_round_rounds WHERE round_day < ? ORDER BY round_day DESC LIMIT ?",
                         [.text(before?.iso ?? "9999-12-31"), .integer(Int64(limit))]).map(Round.init(row:))
        }
    }

    func round(_ id: Int64) throws -> Round {
        guard let row = try database.read({ try $0.queryOne("SELECT * FROM home_round_rounds WHERE id = ?", [SQLValue(id)]) }) else {
            throw CareError.notFound("There is no such round.")
        }
        return try Round(row: row)
    }

    func round(in week: RoundWeek) throws -> Round? {
        try database.read { try $0.queryOne("SELECT * FROM home_round_rounds WHERE week_start = ?", [SQLValue(week.monday)]) }.map(Round.init(row:))
    }

    /// The latest closed round before `day`.
    func lastClosedRound(before day: Day) throws -> Round? {
        try database.read {
            try $0.queryOne("SELECT * FROM home_round_rounds WHERE status = 'closed' AND round_day < ? ORDER BY round_day DESC LIMIT 1", [SQLValue(day)])
        }.map(Round.init(row:))
    }

    /// The open round, if any (the newest).
    func openRound() throws -> Round? {
        try database.read { try $0.queryOne("SELECT * FROM home_round_rounds WHERE status = 'open' ORDER BY round_day DESC LIMIT 1") }.map(Round.init(row:))
    }

    /// Opens a round on `day`; refuses a second round in the same week.
    func openRound(on day: Day, by principal: Principal, at now: Date) throws -> Int64 {
        try database.write { db in
            if try db.scalar("SELECT id FROM home_round_rounds WHERE week_start = ?", [SQLValue(RoundWeek(containing: day).monday)]) != nil {
                throw CareError.conflict("There is already a round in the week of \(RoundWeek(containing: day).monday.display).")
            }
            try db.execute("""
                INSERT INTO home_round_rounds (round_day, week_start, status, opened_by, opened_by_name, opened_at)
                VALUES (?, ?, 'open', ?, ?, ?)
                """, [SQLValue(day), SQLValue(RoundWeek(containing: day).monday), SQLValue(principal.userID), SQLValue(principal.displayName), SQLValue(now)])
            return db.lastInsertedRowID
        }
    }

    /// Closes a round in one transaction: freezes its agenda, marks the concerns of residents it
    /// reviewed as taken to it, and announces "round completed" once committed.
    func closeRound(_ round: Round, agenda: [(residentID: Int64, position: Int, score: Int, reasons: [String])], reviewed: Set<Int64>,
                    by principal: Principal, at now: Date) throws {
        try database.write { db in
            try db.execute("UPDATE home_round_rounds SET status = 'closed', closed_by = ?, closed_by_name = ?, closed_at = ? WHERE id = ? AND status = 'open'",
                           [SQLValue(principal.userID), SQLValue(principal.displayName), SQLValue(now), SQLValue(round.id)])
            guard db.changedRowCount == 1 else { throw CareError.conflict("This round has already been closed.") }
            for item in agenda {
                try db.execute("INSERT INTO home_round_agenda_final (round_id, resident_id, position, score, reasons) VALUES (?, ?, ?, ?, ?)",
                               [SQLValue(round.id), SQLValue(item.residentID), SQLValue(item.position), SQLValue(item.score),
                                SQLValue(item.reasons.joined(separator: "\n"))])
            }
            for resident in reviewed {
                try db.execute("UPDATE home_round_concerns SET status = 'taken', taken_to_round = ? WHERE resident_id = ? AND status = 'pending' AND raised_at <= ?",
                               [SQLValue(round.id), SQLValue(resident), SQLValue(now)])
            }
            db.publishAfterCommit(.roundCompleted(roundID: round.id, on: round.day))
        }
    }

    // MARK: Agenda

    /// Staff changes to a round's agenda, latest per resident.
    func agendaChanges(round: Int64) throws -> [Int64: AgendaChange] {
        let rows = try database.read { try $0.query("SELECT * FROM home_round_agenda_changes WHERE round_id = ? ORDER BY id", [SQLValue(round)]) }
        var latest = [Int64: AgendaChange]()
        for row in rows {
            guard let resident = row.int64("resident_id") else { continue }
            latest[resident] = AgendaChange(residentID: resident, isAddition: row.string("change") == "add", reason: row.string("reason") ?? "",
                                            byName: row.string("by_name") ?? "", at: row.date("at") ?? Date(timeIntervalSince1970: 0))
        }
        return latest
    }

    func changeAgenda(round: Int64, resident: Int64, add: Bool, reason: String, by principal: Principal, at now: Date) throws {
        try database.write { db in
            try db.execute("""
                INSERT INTO home_round_agenda_changes (round_id, resident_id, change, reason, by_user, by_name, at) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, [SQLValue(round), SQLValue(resident), SQLValue(add ? "add" : "remove"), SQLValue(reason),
                      SQLValue(principal.userID), SQLValue(principal.displayName), SQLValue(now)])
        }
    }

    /// The frozen agenda of a closed round, in order.
    func finalAgenda(round: Int64) throws -> [(residentID: Int64, position: Int, score: Int, reasons: [String])] {
        try database.read { try $0.query("SELECT * FROM home_round_agenda_final WHERE round_id = ? ORDER BY position", [SQLValue(round)]) }.map {
            ($0.int64("resident_id") ?? 0, $0.int("position") ?? 0, $0.int("score") ?? 0,
             ($0.string("reasons") ?? "").split(separator: "\n").map(String.init))
        }
    }

    // MARK: Concerns

    func raiseConcern(resident: Int64, reason: String, by principal: Principal, at now: Date) throws {
        try database.write { db in
            try db.execute("""
                INSERT INTO home_round_concerns (resident_id, reason, raised_by, raised_by_name, raised_at, raised_on) VALUES (?, ?, ?, ?, ?, ?)
                """, [SQLValue(resident), SQLValue(reason), SQLValue(principal.userID), SQLValue(principal.displayName), SQLValue(now),
                      SQLValue(HomeTime.day(of: now))])
        }
    }

    /// Concerns not yet taken to a round (all residents when nil).
    func pendingConcerns(resident: Int64? = nil) throws -> [Concern] {
        try database.read { db in
            if let resident {
                return try db.query("SELECT * FROM home_round_concerns WHERE status = 'pending' AND resident_id = ? ORDER BY id", [SQLValue(resident)])
            }
            return try db.query("SELECT * FROM home_round_concerns WHERE status = 'pending' ORDER BY id")
        }.map(Concern.init(row:))
    }

    /// Concerns the system closed because the resident left or died (newest first).
    func closedConcerns(resident: Int64) throws -> [Concern] {
        try database.read {
            try $0.query("SELECT * FROM home_round_concerns WHERE status = 'closed' AND resident_id = ? ORDER BY id DESC", [SQLValue(resident)])
        }.map(Concern.init(row:))
    }

    // MARK: A resident leaving or dying

    /// Who closes a resident's items when they leave or die: no person did it.
    static let systemName = "System"

    /// Closes, never deletes, a resident's pending concerns and open actions in one transaction,
    /// attributed to the system with `reason` ("Resident died on Mon 23 Nov 2026"). Items already
    /// done, taken or entered in error keep their state. Returns how many of each were closed.
    @discardableResult
    func closeOpenItems(resident: Int64, reason: String, at now: Date) throws -> (concerns: Int, actions: Int) {
        try database.write { db in
            try db.execute("""
                UPDATE home_round_concerns SET status = 'closed', closed_reason = ?, closed_at = ?, closed_by_name = ?
                WHERE resident_id = ? AND status = 'pending'
                """, [SQLValue(reason), SQLValue(now), SQLValue(RoundStore.systemName), SQLValue(resident)])
            let concerns = db.changedRowCount
            try db.execute("""
                UPDATE home_round_actions SET status = 'closed', closed_reason = ?, closed_at = ?, closed_by_name = ?
                WHERE resident_id = ? AND status = 'open'
                """, [SQLValue(reason), SQLValue(now), SQLValue(RoundStore.systemName), SQLValue(resident)])
            return (concerns, db.changedRowCount)
        }
    }

    // MARK: Attendees

    func attendees(round: Int64) throws -> [(id: Int64, attendee: Attendee)] {
        try database.read { try $0.query("SELECT * FROM home_round_attendees WHERE round_id = ? AND status = 'present' ORDER BY id", [SQLValue(round)]) }.map {
            ($0.int64("id") ?? 0, Attendee(name: $0.string("name") ?? "", role: $0.string("role") ?? "", organisation: $0.string("organisation") ?? ""))
        }
    }

    func addAttendee(round: Int64, _ attendee: Attendee, by principal: Principal, at now: Date) throws {
        try database.write { db in
            try db.execute("INSERT INTO home_round_attendees (round_id, name, role, organisation, added_by, added_at) VALUES (?, ?, ?, ?, ?, ?)",
                           [SQLValue(round), SQLValue(attendee.name), SQLValue(attendee.role), SQLValue(attendee.organisation),
                            SQLValue(principal.userID), SQLValue(now)])
        }
    }

    func attendeeEnteredInError(round: Int64, attendee: Int64) throws {
        try database.write { db in
            try db.execute("UPDATE home_round_attendees SET status = 'entered-in-error' WHERE id = ? AND round_id = ?", [SQLValue(attendee), SQLValue(round)])
            guard db.changedRowCount == 1 else { throw CareError.notFound("No such attendee.") }
        }
    }

    // MARK: Entries

    func entry(round: Int64, resident: Int64) throws -> StoredEntry {
        try database.read { try $0.queryOne("SELECT * FROM home_round_entries WHERE round_id = ? AND resident_id = ?", [SQLValue(round), SQLValue(resident)]) }
            .map(StoredEntry.init(row:)) ?? .empty
    }

    func entries(round: Int64) throws -> [Int64: StoredEntry] {
        let rows = try database.read { try $0.query("SELECT * FROM home_round_entries WHERE round_id = ?", [SQLValue(round)]) }
        var result = [Int64: StoredEntry]()
        for row in rows { if let resident = row.int64("resident_id") { result[resident] = StoredEntry(row: row) } }
        return result
    }

    /// Every version saved for an entry, newest first, with refused (conflicting) saves.
    func entryVersions(round: Int64, resident: Int64) throws -> [StoredEntry] {
        try database.read {
            try $0.query("SELECT * FROM home_round_entry_versions WHERE round_id = ? AND resident_id = ? ORDER BY id DESC", [SQLValue(round), SQLValue(resident)])
        }.map(StoredEntry.init(row:))
    }

    /// The outcome of saving an entry.
    enum SaveOutcome: Equatable {
        /// Saved as this version.
        case saved(version: Int)
        /// Someone saved first: nothing was overwritten; the user's version is kept as a conflict version.
        case conflict(current: StoredEntry)
    }

    /// Saves an entry if nobody has saved since `basedOn` (optimistic concurrency). Either way the
    /// submitted values are kept in the versions table, so neither person's work is lost.
    func saveEntry(round: Int64, resident: Int64, _ entry: RoundEntry, basedOn: Int, by principal: Principal, at now: Date) throws -> SaveOutcome {
        try database.write { db in
            let currentRow = try db.queryOne("SELECT * FROM home_round_entries WHERE round_id = ? AND resident_id = ?", [SQLValue(round), SQLValue(resident)])
            let current = currentRow.map(StoredEntry.init(row:)) ?? .empty
            let values: [SQLValue] = [
                SQLValue(entry.outcome.rawValue), SQLValue(entry.notSeenReason), SQLValue(entry.findings), SQLValue(entry.assessmentDone),
                SQLValue(entry.carePlanDone), SQLValue(entry.medicationReviewFlagged), SQLValue(entry.advanceCarePlanDiscussed),
                SQLValue(entry.advanceCarePlanNotes), SQLValue(entry.referralList.map(\.rawValue).joined(separator: ",")),
                SQLValue(entry.medicinesChanged), SQLValue(entry.medicinesNotes), SQLValue(entry.familyToBeInformed), SQLValue(entry.familyNotes),
                SQLValue(entry.gpRecordUpdated), SQLValue(principal.userID), SQLValue(principal.displayName), SQLValue(now),
            ]
            let columns = """
                outcome, not_seen_reason, findings, assessment_done, care_plan_done, smr_flagged, acp_discussed, acp_notes, referrals,
                medicines_changed, medicines_notes, family_to_inform, family_notes, gp_record_updated, saved_by, saved_by_name, saved_at
                """
            let placeholders = Array(repeating: "?", count: values.count).joined(separator: ", ")
            if current.version != basedOn {
                try db.execute("INSERT INTO home_round_entry_versions (round_id, resident_id, version, kind, based_on_version, \(columns)) VALUES (?, ?, ?, 'conflict', ?, \(placeholders))",
                               [SQLValue(round), SQLValue(resident), SQLValue(current.version), SQLValue(basedOn)] + values)
                return .conflict(current: current)
            }
            let version = current.version + 1
            if currentRow == nil {
                try db.execute("INSERT INTO home_round_entries (round_id, resident_id, version, \(columns)) VALUES (?, ?, ?, \(placeholders))",
                               [SQLValue(round), SQLValue(resident), SQLValue(version)] + values)
            } else {
                let assignments = columns.split(separator: ",").map { "\(String($0).trimmingWhitespace()) = ?" }.joined(separator: ", ")
                try db.execute("UPDATE home_round_entries SET version = ?, \(assignments) WHERE round_id = ? AND resident_id = ? AND version = ?",
                               [SQLValue(version)] + values + [SQLValue(round), SQLValue(resident), SQLValue(basedOn)])
                guard db.changedRowCount == 1 else { throw CareError.conflict("Someone saved this entry at the same moment. Reload and try again.") }
            }
            try db.execute("INSERT INTO home_round_entry_versions (round_id, resident_id, version, kind, based_on_version, \(columns)) VALUES (?, ?, ?, 'saved', ?, \(placeholders))",
                           [SQLValue(round), SQLValue(resident), SQLValue(version), SQLValue(basedOn)] + values)
            // EHCH items newly ticked go on the resident's 7-working-day clock (delivered after commit,
            // through the outbox, so a crash cannot lose them): nobody records them twice.
            let before = current.entry
            let ticked = [(entry.assessmentDone && !before.assessmentDone, ClockItem.assessment),
                          (entry.carePlanDone && !before.carePlanDone, .carePlan),
                          (entry.medicationReviewFlagged && !before.medicationReviewFlagged, .medicationReviewFlag)]
                .filter(\.0).map(\.1)
            if !ticked.isEmpty, let day = try db.queryOne("SELECT round_day FROM home_round_rounds WHERE id = ?", [SQLValue(round)])?.day("round_day") {
                // Done when ticked (a round opened ahead of its day can be written up early).
                db.publishAfterCommit(.clockItemsDone(residentID: resident, items: ticked, on: HomeTime.day(of: now),
                                                      source: "the home round of \(day.display)", by: principal.displayName))
            }
            return .saved(version: version)
        }
    }

    /// The most recent entry for a resident in a round before `round` (the last round's findings).
    func previousEntry(resident: Int64, before day: Day) throws -> (round: Round, entry: StoredEntry)? {
        try database.read { db -> (Round, StoredEntry)? in
            guard let row = try db.queryOne("""
                SELECT e.*, r.id AS r_id FROM home_round_entries e JOIN home_round_rounds r ON r.id = e.round_id
                WHERE e.resident_id = ? AND r.round_day < ? ORDER BY r.round_day DESC LIMIT 1
                """, [SQLValue(resident), SQLValue(day)]),
                  let roundID = row.int64("r_id"),
                  let roundRow = try db.queryOne("SELECT * FROM home_round_rounds WHERE id = ?", [SQLValue(roundID)]) else { return nil }
            return (try Round(row: roundRow), StoredEntry(row: row))
        }
    }

    /// The last day a round recorded an advance care plan discussion for each resident.
    func advanceCarePlanDiscussions(residentIDs: [Int64]) throws -> [Int64: Day] {
        // Only the residents asked for (today's), through the index on the resident: not every entry of every round.
        let rows = try database.read {
            try $0.query("""
                SELECT e.resident_id, MAX(r.round_day) AS day FROM home_round_entries e JOIN home_round_rounds r ON r.id = e.round_id
                WHERE e.acp_discussed = 1 AND e.resident_id IN (SELECT value FROM json_each(?)) GROUP BY e.resident_id
                """, [.text("[" + residentIDs.map(String.init).joined(separator: ",") + "]")])
        }
        var result = [Int64: Day]()
        for row in rows { if let id = row.int64("resident_id"), let day = row.day("day") { result[id] = day } }
        return result
    }

    // MARK: Actions

    @discardableResult
    func addAction(round: Int64, resident: Int64, description: String, ownerName: String, ownerRole: Role, due: Day, by principal: Principal, at now: Date) throws -> Int64 {
        try database.write { db in
            try db.execute("""
                INSERT INTO home_round_actions (round_id, resident_id, description, owner_name, owner_role, due_on, created_by, created_by_name, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [SQLValue(round), SQLValue(resident), SQLValue(description), SQLValue(ownerName), SQLValue(ownerRole.rawValue), SQLValue(due),
                      SQLValue(principal.userID), SQLValue(principal.displayName), SQLValue(now)])
            return db.lastInsertedRowID
        }
    }

    func action(_ id: Int64) throws -> RoundAction {
        guard let row = try database.read({ try $0.queryOne("SELECT * FROM home_round_actions WHERE id = ?", [SQLValue(id)]) }) else {
            throw CareError.notFound("There is no such action.")
        }
        return try RoundAction(row: row)
    }

    /// Actions, newest due first within each filter.
    /// Actions due from `start` through `end` (for figures over a period: bounded by the period, not the history).
    func actions(dueFrom start: Day, through end: Day) throws -> [RoundAction] {
        try database.read {
            try $0.query("SELECT * FROM home_round_actions WHERE due_on >= ? AND due_on <= ? ORDER BY due_on, id", [SQLValue(start), SQLValue(end)])
        }.map(RoundAction.init(row:))
    }

    func actions(round: Int64? = nil, resident: Int64? = nil, outstandingOnly: Bool = false) throws -> [RoundAction] {
        var conditions = [String]()
        var arguments = [SQLValue]()
        if let round { conditions.append("round_id = ?"); arguments.append(SQLValue(round)) }
        if let resident { conditions.append("resident_id = ?"); arguments.append(SQLValue(resident)) }
        if outstandingOnly { conditions.append("status = 'open'") }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try database.read { try $0.query("SELECT * FROM home_round_actions \(whereClause) ORDER BY due_on, id", arguments) }.map(RoundAction.init(row:))
    }

    /// The latest actions done, entered in error or closed, newest first (`limit` of them): the "Done"
    /// list shows these, not every action of every round ever held.
    func finishedActions(limit: Int) throws -> [RoundAction] {
        try database.read {
            try $0.query("SELECT * FROM home_round_actions WHERE status <> 'open' ORDER BY COALESCE(done_on, due_on) DESC, id DESC LIMIT ?",
                         [.integer(Int64(limit))])
        }.map(RoundAction.init(row:))
    }

    func markActionDone(_ id: Int64, on day: Day, note: String, by principal: Principal, at now: Date) throws {
        try database.write { db in
            try db.execute("""
                UPDATE home_round_actions SET status = 'done', done_on = ?, done_at = ?, done_by = ?, done_by_name = ?, done_note = ?
                WHERE id = ? AND status = 'open'
                """, [SQLValue(day), SQLValue(now), SQLValue(principal.userID), SQLValue(principal.displayName), SQLValue(note), SQLValue(id)])
            guard db.changedRowCount == 1 else { throw CareError.conflict("This action is no longer open: it was marked done, entered in error or closed.") }
        }
    }

    /// Gives an open action to someone else, keeping who held it before (home_round_action_handovers).
    func reassignAction(_ id: Int64, to ownerName: String, role ownerRole: Role, by principal: Principal, at now: Date) throws {
        try database.write { db in
            guard let row = try db.queryOne("SELECT owner_name, owner_role FROM home_round_actions WHERE id = ? AND status = 'open'", [SQLValue(id)]) else {
                throw CareError.conflict("This action is no longer open: it was marked done, entered in error or closed.")
            }
            try db.execute("""
                INSERT INTO home_round_action_handovers (action_id, from_name, from_role, to_name, to_role, changed_by, changed_by_name, changed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, [SQLValue(id), SQLValue(row.string("owner_name") ?? ""), SQLValue(row.string("owner_role") ?? ""), SQLValue(ownerName),
                      SQLValue(ownerRole.rawValue), SQLValue(principal.userID), SQLValue(principal.displayName), SQLValue(now)])
            try db.execute("UPDATE home_round_actions SET owner_name = ?, owner_role = ? WHERE id = ? AND status = 'open'",
                           [SQLValue(ownerName), SQLValue(ownerRole.rawValue), SQLValue(id)])
        }
    }

    /// Who held an action before, oldest first: "from → to, by whom, when".
    func handovers(action id: Int64) throws -> [(from: String, to: String, byName: String, at: Date?)] {
        try database.read {
            try $0.query("SELECT from_name, to_name, changed_by_name, changed_at FROM home_round_action_handovers WHERE action_id = ? ORDER BY id", [SQLValue(id)])
        }.map { (from: $0.string("from_name") ?? "", to: $0.string("to_name") ?? "", byName: $0.string("changed_by_name") ?? "", at: $0.date("changed_at")) }
    }

    func markActionEnteredInError(_ id: Int64, reason: String, by principal: Principal, at now: Date) throws {
        try database.write { db in
            try db.execute("""
                UPDATE home_round_actions SET status = 'entered-in-error', error_reason = ?, done_at = ?, done_by = ?, done_by_name = ?
                WHERE id = ? AND status = 'open'
                """, [SQLValue(reason), SQLValue(now), SQLValue(principal.userID), SQLValue(principal.displayName), SQLValue(id)])
            guard db.changedRowCount == 1 else { throw CareError.conflict("This action is no longer open.") }
        }
    }

    // MARK: Falls heard by event

    func recordFallEvent(fallID: Int64, resident: Int64, at: Date, headStrike: Bool?, injured: Bool, now: Date) throws {
        try database.write { db in
            try db.execute("""
                INSERT INTO home_round_fall_events (fall_id, resident_id, occurred_at, head_strike, injured, heard_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(fall_id) DO UPDATE SET occurred_at = excluded.occurred_at, head_strike = excluded.head_strike, injured = excluded.injured
                """, [SQLValue(fallID), SQLValue(resident), SQLValue(at), SQLValue(headStrike), SQLValue(injured), SQLValue(now)])
        }
    }

    func fallEvents(since: Date) throws -> [FallSummary] {
        // Heard when recorded: a fall that happened before `since` but was recorded after it still counts.
        try database.read { try $0.query("SELECT * FROM home_round_fall_events WHERE occurred_at >= ? OR heard_at >= ?", [SQLValue(since), SQLValue(since)]) }.compactMap { row in
            guard let id = row.int64("fall_id"), let resident = row.int64("resident_id"), let at = row.date("occurred_at") else { return nil }
            return FallSummary(id: id, residentID: resident, occurredAt: at, headStrike: row.bool("head_strike"), injured: row.bool("injured") ?? false,
                               summary: "", recordedAt: row.date("heard_at"))
        }
    }

    // MARK: Figures

    /// What each round held, oldest first; `from`...`through` bound the round days (all when nil).
    func roundFacts(from: Day? = nil, through: Day? = nil) throws -> [WeeklyFigures.RoundFact] {
        try database.read { db in
            try db.query("""
                SELECT r.id, r.round_day, r.status,
                  (SELECT COUNT(*) FROM home_round_agenda_final f WHERE f.round_id = r.id) AS agenda,
                  (SELECT COUNT(*) FROM home_round_entries e WHERE e.round_id = r.id AND e.outcome = 'reviewed') AS reviewed,
                  (SELECT COUNT(*) FROM home_round_entries e WHERE e.round_id = r.id AND e.outcome = 'not-seen') AS not_seen
                FROM home_round_rounds r WHERE r.round_day >= ? AND r.round_day <= ? ORDER BY r.round_day
                """, [.text(from?.iso ?? "0000-01-01"), .text(through?.iso ?? "9999-12-31")])
        }.compactMap { row in
            guard let id = row.int64("id"), let day = row.day("round_day") else { return nil }
            return WeeklyFigures.RoundFact(id: id, day: day, closed: row.string("status") == "closed", agenda: row.int("agenda") ?? 0,
                                           reviewed: row.int("reviewed") ?? 0, notSeen: row.int("not_seen") ?? 0)
        }
    }
}
