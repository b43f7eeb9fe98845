package import CareKit
package import Foundation
package import GRDB

/// One-time form tokens: the first submission of a rendered form runs; a repeat (double click,
/// resend after a timeout) is sent to where the first one went instead of saving twice.
struct FormSubmissions {
    let pool: DatabasePool

    enum Claim { case first, done(String), inProgress }

    func claim(token: String, userID: Int64) -> Claim {
        do {
            return try pool.write { db in
                if let row = try Row.fetchOne(db, sql: "SELECT location FROM core_form_submissions WHERE token = ?", arguments: [token]) {
                    let location: String? = row["location"]
                    return location.map { .done($0) } ?? .inProgress
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
