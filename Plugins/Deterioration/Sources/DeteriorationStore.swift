import CareKit
import Foundation

/// SQL for the plugin's tables. Every home-wide query is bounded by a date (served by an index) or by
/// the current residents, so its cost does not grow with the home's history.
enum DeteriorationStore {
    // MARK: Soft signs

    static func insertSoftSigns(residentID: Int64, noticedAt: Date, signs: [SoftSign], notes: String, by principal: Principal,
                                at now: Date, in db: any SQLWriter) throws -> Int64 {
        try db.execute("""
            INSERT INTO deterioration_soft_signs (resident_id, noticed_at, signs, notes, recorded_by_id, recorded_by_name, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, [.integer(residentID), SQLValue(noticedAt), .text(signs.map(\.rawValue).joined(separator: ",")), .text(notes),
                  .integer(principal.userID), .text(principal.displayName), SQLValue(now)])
        return db.lastInsertedRowID
    }

    static func softSigns(_ row: SQLRow) -> SoftSignsRecord? {
        guard let id = row.int64("id"), let resident = row.int64("resident_id"), let at = row.date("noticed_at") else { return nil }
        return SoftSignsRecord(id: id, residentID: resident, noticedAt: at,
                               signs: (row.string("signs") ?? "").split(separator: ",").compactMap { SoftSign(rawValue: String($0)) },
                               notes: row.string("notes") ?? "", recordedByName: row.string("recorded_by_name") ?? "")
    }

    /// A resident's soft signs since `since`, newest first.
    static func softSigns(residentID: Int64, since: Date, in db: any SQLReader) throws -> [SoftSignsRecord] {
        try db.query("""
            SELECT * FROM deterioration_soft_signs WHERE resident_id = ? AND noticed_at >= ? AND entered_in_error = 0
            ORDER BY noticed_at DESC, id DESC
            """, [.integer(residentID), SQLValue(since)]).compactMap(softSigns)
    }

    /// Every resident's soft signs since `since`, newest first.
    static func softSigns(since: Date, in db: any SQLReader) throws -> [SoftSignsRecord] {
        try db.query("SELECT * FROM deterioration_soft_signs WHERE noticed_at >= ? AND entered_in_error = 0 ORDER BY noticed_at DESC, id DESC",
                     [SQLValue(since)]).compactMap(softSigns)
    }

    static func softSigns(id: Int64, in db: any SQLReader) throws -> SoftSignsRecord? {
        try db.queryOne("SELECT * FROM deterioration_soft_signs WHERE id = ?", [.integer(id)]).flatMap(softSigns)
    }

    // MARK: Observations

    static func insertObservation(_ set: ObservationSet, aboveUsual: Bool, by principal: Principal, at now: Date, in db: any SQLWriter) throws -> Int64 {
        let score = set.score
        try db.execute("""
            INSERT INTO deterioration_observations (resident_id, taken_at, respiration, spo2, on_oxygen, systolic, diastolic, pulse,
                consciousness, temperature, glucose, weight, scale, news2_total, band, above_usual, soft_signs_id, prompt, confirmed_unusual,
                recorded_by_id, recorded_by_name, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.integer(set.residentID), SQLValue(set.takenAt), SQLValue(set.respirationRate), SQLValue(set.oxygenSaturation),
                  SQLValue(set.onOxygen), SQLValue(set.systolic), SQLValue(set.diastolic), SQLValue(set.pulse),
                  SQLValue(set.consciousness?.rawValue), SQLValue(set.temperature), SQLValue(set.glucose), SQLValue(set.weight),
                  .integer(Int64(set.scale.rawValue)), SQLValue(score.total), SQLValue(score.band?.rawValue), SQLValue(aboveUsual),
                  SQLValue(set.softSignsID), .text(set.prompt), .text(set.confirmedUnusual),
                  .integer(principal.userID), .text(principal.displayName), SQLValue(now)])
        return db.lastInsertedRowID
    }

    static func observation(_ row: SQLRow) -> ObservationSet? {
        guard let id = row.int64("id"), let resident = row.int64("resident_id"), let at = row.date("taken_at") else { return nil }
        var set = ObservationSet(residentID: resident, takenAt: at)
        set.id = id
        set.respirationRate = row.int("respiration")
        set.oxygenSaturation = row.int("spo2")
        set.onOxygen = row.bool("on_oxygen")
        set.systolic = row.int("systolic")
        set.diastolic = row.int("diastolic")
        set.pulse = row.int("pulse")
        set.consciousness = row.string("consciousness").flatMap(NEWS2.Consciousness.init(rawValue:))
        set.temperature = row.double("temperature")
        set.glucose = row.double("glucose")
        set.weight = row.double("weight")
        set.scale = row.int("scale") == 2 ? .two : .one
        set.softSignsID = row.int64("soft_signs_id")
        set.prompt = row.string("prompt") ?? ""
        set.confirmedUnusual = row.string("confirmed_unusual") ?? ""
        set.recordedByName = row.string("recorded_by_name") ?? ""
        set.recordedAt = row.date("recorded_at") ?? at
        return set
    }

    static func observation(id: Int64, in db: any SQLReader) throws -> (set: ObservationSet, enteredInError: String?)? {
        guard let row = try db.queryOne("SELECT * FROM deterioration_observations WHERE id = ?", [.integer(id)]),
              let set = observation(row) else { return nil }
        return (set, row.bool("entered_in_error") == true ? (row.string("error_reason") ?? "") : nil)
    }

    /// A resident's sets since `since`, oldest first (for trends).
    static func observations(residentID: Int64, since: Date, in db: any SQLReader) throws -> [ObservationSet] {
        try db.query("""
            SELECT * FROM deterioration_observations WHERE resident_id = ? AND taken_at >= ? AND entered_in_error = 0
            ORDER BY taken_at, id
            """, [.integer(residentID), SQLValue(since)]).compactMap(observation)
    }

    /// The latest set of each resident taken since `since`. The recent sets are found by time: left to
    /// itself, SQLite walks every set ever taken in resident order to save the window's sort (2.3 times
    /// the CPU of /deterioration on a ten-year home).
    static func latestObservations(since: Date, in db: any SQLReader) throws -> [Int64: (set: ObservationSet, aboveUsual: Bool)] {
        let rows = try db.query("""
            SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY resident_id ORDER BY taken_at DESC, id DESC) AS position
                           FROM deterioration_observations INDEXED BY deterioration_observations_by_time
                           WHERE taken_at >= ? AND entered_in_error = 0)
            WHERE position = 1
            """, [SQLValue(since)])
        var out = [Int64: (ObservationSet, Bool)]()
        for row in rows { if let set = observation(row) { out[set.residentID] = (set, row.bool("above_usual") == true) } }
        return out
    }

    /// Sets since `since` that were in a NEWS2 trigger band or above the resident's usual.
    static func concerningObservations(since: Date, in db: any SQLReader) throws -> [(set: ObservationSet, aboveUsual: Bool)] {
        try db.query("""
            SELECT * FROM deterioration_observations WHERE taken_at >= ? AND entered_in_error = 0 AND (band >= 2 OR above_usual = 1)
            ORDER BY taken_at DESC
            """, [SQLValue(since)]).compactMap { row in observation(row).map { ($0, row.bool("above_usual") == true) } }
    }

    static func markObservationEnteredInError(id: Int64, reason: String, in db: any SQLWriter) throws {
        try db.execute("UPDATE deterioration_observations SET entered_in_error = 1, error_reason = ? WHERE id = ? AND entered_in_error = 0",
                       [.text(reason), .integer(id)])
        guard db.changedRowCount == 1 else { throw CareError.conflict("This set was already marked entered in error.") }
    }

    // MARK: Baselines and targets

    static func baseline(_ row: SQLRow) -> Baseline? {
        guard let resident = row.int64("resident_id"), let usual = row.int("usual_news2"), let on = row.day("agreed_on") else { return nil }
        var baseline = Baseline(residentID: resident, usualNEWS2: usual,
                                usual: NEWS2.Inputs(respirationRate: row.int("respiration"), oxygenSaturation: row.int("spo2"),
                                                    onOxygen: row.bool("on_oxygen"), systolic: row.int("systolic"), pulse: row.int("pulse"),
                                                    consciousness: row.string("consciousness").flatMap(NEWS2.Consciousness.init(rawValue:)),
                                                    temperature: row.double("temperature")),
                                agreedBy: row.string("agreed_by") ?? "", agreedByRole: row.string("agreed_by_role") ?? "", agreedOn: on)
        baseline.id = row.int64("id") ?? 0
        baseline.notes = row.string("notes") ?? ""
        baseline.recordedByName = row.string("recorded_by_name") ?? ""
        return baseline
    }

    /// Every version of a resident's baseline, newest first.
    static func baselines(residentID: Int64, in db: any SQLReader) throws -> [Baseline] {
        try db.query("SELECT * FROM deterioration_baselines WHERE resident_id = ? ORDER BY id DESC", [.integer(residentID)]).compactMap(baseline)
    }

    /// The baseline in force for each resident.
    static func currentBaselines(in db: any SQLReader) throws -> [Int64: Baseline] {
        let rows = try db.query("""
            SELECT * FROM deterioration_baselines b WHERE id = (SELECT MAX(id) FROM deterioration_baselines WHERE resident_id = b.resident_id)
            """)
        return Dictionary(rows.compactMap(baseline).map { ($0.residentID, $0) }, uniquingKeysWith: { a, _ in a })
    }

    static func insertBaseline(_ b: Baseline, by principal: Principal, at now: Date, in db: any SQLWriter) throws {
        try db.execute("""
            INSERT INTO deterioration_baselines (resident_id, usual_news2, respiration, spo2, on_oxygen, systolic, pulse, consciousness,
                temperature, notes, agreed_by, agreed_by_role, agreed_on, recorded_by_id, recorded_by_name, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.integer(b.residentID), .integer(Int64(b.usualNEWS2)), SQLValue(b.usual.respirationRate), SQLValue(b.usual.oxygenSaturation),
                  SQLValue(b.usual.onOxygen), SQLValue(b.usual.systolic), SQLValue(b.usual.pulse), SQLValue(b.usual.consciousness?.rawValue),
                  SQLValue(b.usual.temperature), .text(b.notes), .text(b.agreedBy), .text(b.agreedByRole), SQLValue(b.agreedOn),
                  .integer(principal.userID), .text(principal.displayName), SQLValue(now)])
    }

    /// The SpO2 target in force: scale 2 only while the latest record says so.
    static func spo2Target(residentID: Int64, in db: any SQLReader) throws -> SpO2Target? {
        try db.queryOne("SELECT * FROM deterioration_spo2_targets WHERE resident_id = ? ORDER BY id DESC LIMIT 1", [.integer(residentID)]).flatMap { row in
            guard let on = row.day("set_on") else { return nil }
            return SpO2Target(scale: row.int("scale") == 2 ? .two : .one, setBy: row.string("set_by") ?? "", setByRole: row.string("set_by_role") ?? "",
                              reason: row.string("reason") ?? "", setOn: on)
        }
    }

    static func insertSpO2Target(residentID: Int64, _ target: SpO2Target, by principal: Principal, at now: Date, in db: any SQLWriter) throws {
        try db.execute("""
            INSERT INTO deterioration_spo2_targets (resident_id, scale, set_by, set_by_role, reason, set_on, recorded_by_id, recorded_by_name, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.integer(residentID), .integer(Int64(target.scale.rawValue)), .text(target.setBy), .text(target.setByRole), .text(target.reason),
                  SQLValue(target.setOn), .integer(principal.userID), .text(principal.displayName), SQLValue(now)])
    }

    // MARK: Escalations

    struct Escalation: Sendable, Equatable {
        var id: Int64
        var residentID: Int64
        var calledAt: Date
        var route: EscalationRoute?
        var calledWho: String
        var advice: String
        var outcome: EscalationOutcome?
        var decision: String
        var news2: Int?
        var sbard: String
        var recordedByName: String
    }

    static func escalation(_ row: SQLRow) -> Escalation? {
        guard let id = row.int64("id"), let resident = row.int64("resident_id"), let at = row.date("called_at") else { return nil }
        return Escalation(id: id, residentID: resident, calledAt: at, route: row.string("route").flatMap(EscalationRoute.init(rawValue:)),
                          calledWho: row.string("called_who") ?? "", advice: row.string("advice") ?? "",
                          outcome: row.string("outcome").flatMap(EscalationOutcome.init(rawValue:)), decision: row.string("decision") ?? "",
                          news2: row.int("news2_total"), sbard: row.string("sbard") ?? "", recordedByName: row.string("recorded_by_name") ?? "")
    }

    static func insertEscalation(_ e: Escalation, observationID: Int64?, by principal: Principal, at now: Date, in db: any SQLWriter) throws -> Int64 {
        try db.execute("""
            INSERT INTO deterioration_escalations (resident_id, called_at, route, called_who, advice, outcome, decision, observation_id,
                news2_total, sbard, recorded_by_id, recorded_by_name, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.integer(e.residentID), SQLValue(e.calledAt), SQLValue(e.route?.rawValue), .text(e.calledWho), .text(e.advice),
                  SQLValue(e.outcome?.rawValue), .text(e.decision), SQLValue(observationID), SQLValue(e.news2), .text(e.sbard),
                  .integer(principal.userID), .text(principal.displayName), SQLValue(now)])
        return db.lastInsertedRowID
    }

    static func escalations(residentID: Int64, since: Date, in db: any SQLReader) throws -> [Escalation] {
        try db.query("SELECT * FROM deterioration_escalations WHERE resident_id = ? AND called_at >= ? AND entered_in_error = 0 ORDER BY called_at DESC",
                     [.integer(residentID), SQLValue(since)]).compactMap(escalation)
    }

    static func escalations(since: Date, in db: any SQLReader) throws -> [Escalation] {
        try db.query("SELECT * FROM deterioration_escalations WHERE called_at >= ? AND entered_in_error = 0 ORDER BY called_at DESC",
                     [SQLValue(since)]).compactMap(escalation)
    }
}
