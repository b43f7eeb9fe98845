package import CareKit
package import Foundation
package import GRDB

/// One-time form tokens: the first submission of a rendered form runs; a repeat (double click,
/// resend after a timeout) is sent to where the first one went instead of saving twice.
struct FormSubmissions {
    let pool: DatabasePool

    enum Claim { case first, done(String), inProgress }
    static let abandonedAfter: TimeInterval = 120

    /// At start-up no request is running, so any submission still "in progress" was cut off by the stop:
    /// the same form may be sent again.
    func abandonInProgress() {
        _ = try? pool.write { db in try db.execute(sql: "DELETE FROM core_form_submissions WHERE location IS NULL") }
    }

    func claim(token: String, userID: Int64) -> Claim {
        do {
            return try pool.write { db in
                if let row = try Row.fetchOne(db, sql: "SELECT location, created_at FROM core_form_submissions WHERE token = ?", arguments: [token]) {
                    let location: String? = row["location"]
                    if let location { return .done(location) }
                    // A save still "in progress" after two minutes was cut off (no request runs that long): this one goes ahead.
                    let started = (row["created_at"] as String?).flatMap { Timestamp.parse($0) } ?? .distantPast
                    guard Date().timeIntervalSince(started) > FormSubmissions.abandonedAfter else { return .inProgress }
                    try db.execute(sql: "UPDATE core_form_submissions SET created_at = ?, user_id = ? WHERE token = ?",
                                   arguments: [Timestamp.format(Date()), userID, token])
                    return .first
                }
                try db.execute(sql: "INSERT INTO core_form_submissions (token, user_id, created_at) VALUES (?, ?, ?)",
                               arguments: [token, userID, Timestamp.format(Date())])
                return .first
            }
        } catch {
            return .first
        }
    }

    func complete(token: String, location: String) {
        _ = try? pool.write { db in
            try db.execute(sql: "UPDATE core_form_submissions SET location = ? WHERE token = ?", arguments: [location, token])
        }
    }

    /// The form was not saved (errors shown, or a failure): the same form may be sent again.
    func release(token: String) {
        _ = try? pool.write { db in
            try db.execute(sql: "DELETE FROM core_form_submissions WHERE token = ? AND location IS NULL", arguments: [token])
        }
    }
}
