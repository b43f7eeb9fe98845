import CareKit
import Foundation

/// SQL for the plugin's tables.
enum TransfersStore {
    // MARK: Transfers

    static func insert(_ t: Transfer, by principal: Principal, at now: Date, in db: any SQLWriter) throws -> Int64 {
        try db.execute("""
            INSERT INTO transfers_transfers (resident_id, left_at, left_on, reason, reason_detail, fall_id, linked_record, route, by_ambulance,
                outcome, hospital, stay_ended_on, stay_end, recorded_by_id, recorded_by_name, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.integer(t.residentID), SQLValue(t.leftAt), SQLValue(t.leftOn), .text(t.reason.rawValue), .text(t.reasonDetail), SQLValue(t.fallID),
                  .text(t.linkedRecord), .text(t.route.rawValue), SQLValue(t.byAmbulance), .text(t.outcome.rawValue), .text(t.hospital),
                  SQLValue(t.stayEndedOn), SQLValue(t.stayEnd?.rawValue), .integer(principal.userID), .text(principal.displayName), SQLValue(now)])
        return db.lastInsertedRowID
    }

    static func transfer(_ row: SQLRow) -> Transfer? {
        guard let id = row.int64("id"), let resident = row.int64("resident_id"), let leftAt = row.date("left_at"),
              let reason = row.string("reason").flatMap(TransferReason.init(rawValue:)),
              let route = row.string("route").flatMap(TransferRoute.init(rawValue:)),
              let outcome = row.string("outcome").flatMap(TransferOutcome.init(rawValue:)) else { return nil }
        var t = Transfer(residentID: resident, leftAt: leftAt, reason: reason, route: route, byAmbulance: row.bool("by_ambulance") ?? false, outcome: outcome)
        t.id = id
        t.reasonDetail = row.string("reason_detail") ?? ""
        t.fallID = row.int64("fall_id")
        t.linkedRecord = row.string("linked_record") ?? ""
        t.hospital = row.string("hospital") ?? ""
        t.stayEndedOn = row.day("stay_ended_on")
        t.stayEnd = row.string("stay_end").flatMap(StayEnd.init(rawValue:))
        t.dischargeSummaryOn = row.day("discharge_summary_on")
        t.reconciliation = row.string("reconciliation").flatMap(Reconciliation.init(rawValue:)) ?? .notYet
        t.reconciledOn = row.day("reconciled_on")
        t.medicationReviewOn = row.day("medication_review_on")
        t.followUp = row.string("follow_up") ?? ""
        t.recordedByName = row.string("recorded_by_name") ?? ""
        t.enteredInError = row.bool("entered_in_error") ?? false
        return t
    }

    static func transfer(id: Int64, in db: any SQLReader) throws -> Transfer? {
        try db.queryOne("SELECT * FROM transfers_transfers WHERE id = ?", [.integer(id)]).flatMap(transfer)
    }

    /// Transfers (not entered in error) that matter to the figures from `start` to `end`: those that left
    /// in the period, and those that left before it and were still away at its start or came back in the
    /// 30 days before it (an admission after them may be a readmission).
    static func transfers(from start: Day, to end: Day, in db: any SQLReader) throws -> [Transfer] {
        let lookback = start.adding(days: -PeriodFigures.readmissionDays)
        return try db.query("""
            SELECT * FROM transfers_transfers WHERE entered_in_error = 0 AND left_on <= ?
              AND (left_on >= ? OR stay_ended_on IS NULL OR stay_ended_on >= ?)
            ORDER BY left_on, id
            """, [SQLValue(end), SQLValue(lookback), SQLValue(lookback)]).compactMap(transfer)
    }

    /// A resident's transfers, newest first.
    static func transfers(residentID: Int64, in db: any SQLReader) throws -> [Transfer] {
        try db.query("SELECT * FROM transfers_transfers WHERE resident_id = ? ORDER BY left_on DESC, id DESC", [.integer(residentID)]).compactMap(transfer)
    }

    /// A resident's latest transfer whose stay has not ended (they are away on it), if any.
    static func openTransfer(residentID: Int64, in db: any SQLReader) throws -> Transfer? {
        try db.queryOne("""
            SELECT * FROM transfers_transfers WHERE resident_id = ? AND stay_ended_on IS NULL AND entered_in_error = 0
            ORDER BY left_at DESC, id DESC LIMIT 1
            """, [.integer(residentID)]).flatMap(transfer)
    }

    /// Transfers whose stay has not ended (they are still away), oldest first.
    static func openTransfers(in db: any SQLReader) throws -> [Transfer] {
        try db.query("SELECT * FROM transfers_transfers WHERE stay_ended_on IS NULL AND entered_in_error = 0 ORDER BY left_on, id").compactMap(transfer)
    }

    /// Records what happened after they left.
    static func update(_ t: Transfer, at now: Date, in db: any SQLWriter) throws {
        try db.execute("""
            UPDATE transfers_transfers SET outcome = ?, hospital = ?, stay_ended_on = ?, stay_end = ?, discharge_summary_on = ?, reconciliation = ?,
                reconciled_on = ?, follow_up = ?, updated_at = ? WHERE id = ? AND entered_in_error = 0
            """, [.text(t.outcome.rawValue), .text(t.hospital), SQLValue(t.stayEndedOn), SQLValue(t.stayEnd?.rawValue), SQLValue(t.dischargeSummaryOn),
                  .text(t.reconciliation.rawValue), SQLValue(t.reconciledOn), .text(t.followUp), SQLValue(now), .integer(t.id)])
        guard db.changedRowCount == 1 else { throw CareError.conflict("This transfer was marked entered in error and cannot be changed.") }
    }

    /// Ends a resident's open stay when the registry records them back, dead or gone (the movement is the
    /// record of fact). Returns how many stays it ended (0 when none was open).
    static func endOpenStay(residentID: Int64, on day: Day, how: StayEnd, in db: any SQLWriter) throws -> Int {
        try db.execute("""
            UPDATE transfers_transfers SET stay_ended_on = ?, stay_end = ? WHERE resident_id = ? AND stay_ended_on IS NULL
              AND entered_in_error = 0 AND left_on <= ?
            """, [SQLValue(day), .text(how.rawValue), .integer(residentID), SQLValue(day)])
        return db.changedRowCount
    }

    /// Notes a structured medication review on the resident's latest stay that ended with a return in
    /// the 30 days before it (the medication plugin's event). Returns whether a stay was found.
    static func noteMedicationReview(residentID: Int64, on day: Day, in db: any SQLWriter) throws -> Bool {
        try db.execute("""
            UPDATE transfers_transfers SET medication_review_on = ? WHERE id = (
                SELECT id FROM transfers_transfers WHERE resident_id = ? AND entered_in_error = 0 AND stay_end = 'returned'
                  AND stay_ended_on <= ? AND stay_ended_on >= ? AND medication_review_on IS NULL
                ORDER BY stay_ended_on DESC, id DESC LIMIT 1)
            """, [SQLValue(day), .integer(residentID), SQLValue(day), SQLValue(day.adding(days: -PeriodFigures.readmissionDays))])
        return db.changedRowCount == 1
    }

    static func markEnteredInError(id: Int64, reason: String, in db: any SQLWriter) throws {
        try db.execute("UPDATE transfers_transfers SET entered_in_error = 1, error_reason = ? WHERE id = ? AND entered_in_error = 0",
                       [.text(reason), .integer(id)])
        guard db.changedRowCount == 1 else { throw CareError.conflict("This transfer was already marked entered in error.") }
    }

    // MARK: Reviews

    static func insertReview(_ r: TransferReview, by principal: Principal, at now: Date, in db: any SQLWriter) throws {
        try db.execute("""
            INSERT INTO transfers_reviews (transfer_id, avoidable, helped, notes, reviewed_on, reviewed_by, recorded_by_id, recorded_by_name, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.integer(r.transferID), .text(r.avoidable.rawValue), .text(r.helped.rawValue), .text(r.notes), SQLValue(r.reviewedOn),
                  .text(r.reviewedBy), .integer(principal.userID), .text(principal.displayName), SQLValue(now)])
    }

    static func review(_ row: SQLRow) -> TransferReview? {
        guard let transfer = row.int64("transfer_id"), let avoidable = row.string("avoidable").flatMap(Avoidability.init(rawValue:)),
              let helped = row.string("helped").flatMap(WhatWouldHaveHelped.init(rawValue:)), let on = row.day("reviewed_on") else { return nil }
        return TransferReview(transferID: transfer, avoidable: avoidable, helped: helped, notes: row.string("notes") ?? "", reviewedOn: on,
                              reviewedBy: row.string("reviewed_by") ?? "")
    }

    /// The latest review of each of `transferIDs` (a later review replaces an earlier one; both are kept).
    static func reviews(transferIDs: [Int64], in db: any SQLReader) throws -> [Int64: TransferReview] {
        var out = [Int64: TransferReview]()
        for id in transferIDs {
            if let review = try db.queryOne("SELECT * FROM transfers_reviews WHERE transfer_id = ? ORDER BY id DESC LIMIT 1", [.integer(id)]).flatMap(review) {
                out[id] = review
            }
        }
        return out
    }

    /// Every review of one transfer, newest first.
    static func reviewHistory(transferID: Int64, in db: any SQLReader) throws -> [TransferReview] {
        try db.query("SELECT * FROM transfers_reviews WHERE transfer_id = ? ORDER BY id DESC", [.integer(transferID)]).compactMap(review)
    }

    /// Unplanned transfers since `since` with no review, oldest first.
    static func awaitingReview(since: Day, in db: any SQLReader) throws -> [Transfer] {
        try db.query("""
            SELECT * FROM transfers_transfers t WHERE entered_in_error = 0 AND reason <> 'planned' AND left_on >= ?
              AND NOT EXISTS (SELECT 1 FROM transfers_reviews r WHERE r.transfer_id = t.id)
            ORDER BY left_on, id
            """, [SQLValue(since)]).compactMap(transfer)
    }

    // MARK: Deaths

    static func death(_ row: SQLRow) -> DeathRecord? {
        guard let resident = row.int64("resident_id"), let on = row.day("died_on") else { return nil }
        return DeathRecord(id: row.int64("id") ?? 0, residentID: resident, diedOn: on, place: row.string("place").flatMap(DeathPlace.init(rawValue:)),
                           preferred: row.string("preferred").flatMap(PreferredPlace.init(rawValue:)) ?? .notKnown,
                           planExisted: row.bool("plan_existed") ?? false, completed: row.bool("completed") ?? false)
    }

    /// Records a death heard from the registry, once per resident (a second event changes nothing).
    static func insertDeath(_ d: DeathRecord, by name: String, at now: Date, in db: any SQLWriter) throws {
        try db.execute("""
            INSERT INTO transfers_deaths (resident_id, died_on, place, preferred, plan_existed, completed, recorded_by_name, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (resident_id) DO NOTHING
            """, [.integer(d.residentID), SQLValue(d.diedOn), SQLValue(d.place?.rawValue), .text(d.preferred.rawValue), SQLValue(d.planExisted),
                  SQLValue(d.completed), .text(name), SQLValue(now)])
    }

    static func completeDeath(id: Int64, place: DeathPlace, preferred: PreferredPlace, planExisted: Bool, by name: String, at now: Date, in db: any SQLWriter) throws {
        try db.execute("UPDATE transfers_deaths SET place = ?, preferred = ?, plan_existed = ?, completed = 1, recorded_by_name = ?, recorded_at = ? WHERE id = ?",
                       [.text(place.rawValue), .text(preferred.rawValue), SQLValue(planExisted), .text(name), SQLValue(now), .integer(id)])
        guard db.changedRowCount == 1 else { throw CareError.notFound("No such death record.") }
    }

    static func death(id: Int64, in db: any SQLReader) throws -> DeathRecord? {
        try db.queryOne("SELECT * FROM transfers_deaths WHERE id = ?", [.integer(id)]).flatMap(death)
    }

    static func deaths(from start: Day, to end: Day, in db: any SQLReader) throws -> [DeathRecord] {
        try db.query("SELECT * FROM transfers_deaths WHERE died_on >= ? AND died_on <= ? ORDER BY died_on", [SQLValue(start), SQLValue(end)]).compactMap(death)
    }

    static func deathsToComplete(in db: any SQLReader) throws -> [DeathRecord] {
        try db.query("SELECT * FROM transfers_deaths WHERE completed = 0 ORDER BY died_on").compactMap(death)
    }

    // MARK: Voice

    static func insertVoice(_ v: VoiceRecord, by principal: Principal, at now: Date, in db: any SQLWriter) throws {
        let answers = VoiceQuestion.allCases.map { "\($0.rawValue)=\((v.answers[$0] ?? .notAnswered).rawValue)" }.joined(separator: ",")
        try db.execute("""
            INSERT INTO transfers_voice (resident_id, asked_on, respondent, answers, comment, recorded_by_id, recorded_by_name, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [.integer(v.residentID), SQLValue(v.askedOn), .text(v.respondent.rawValue), .text(answers), .text(v.comment),
                  .integer(principal.userID), .text(principal.displayName), SQLValue(now)])
    }

    static func voice(_ row: SQLRow) -> VoiceRecord? {
        guard let resident = row.int64("resident_id"), let on = row.day("asked_on"),
              let respondent = row.string("respondent").flatMap(VoiceRespondent.init(rawValue:)) else { return nil }
        var answers = [VoiceQuestion: VoiceAnswer]()
        for pair in (row.string("answers") ?? "").split(separator: ",") {
            let parts = pair.split(separator: "=").map(String.init)
            if parts.count == 2, let q = VoiceQuestion(rawValue: parts[0]), let a = VoiceAnswer(rawValue: parts[1]) { answers[q] = a }
        }
        return VoiceRecord(id: row.int64("id") ?? 0, residentID: resident, askedOn: on, respondent: respondent, answers: answers, comment: row.string("comment") ?? "")
    }

    static func voice(from start: Day, to end: Day, in db: any SQLReader) throws -> [VoiceRecord] {
        try db.query("SELECT * FROM transfers_voice WHERE asked_on >= ? AND asked_on <= ? ORDER BY asked_on", [SQLValue(start), SQLValue(end)]).compactMap(voice)
    }
}
