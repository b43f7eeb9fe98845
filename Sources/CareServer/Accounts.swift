package import CareKit
package import CareStore
package import Foundation
package import GRDB
import Synchronization

/// A staff account.
package struct Account: Sendable, Equatable {
    package var id: Int64
    package var username: String
    package var displayName: String
    package var role: Role
    package var expiresOn: Day?
    package var disabledAt: Date?
    package var createdAt: Date

    package var principal: Principal { Principal(userID: id, username: username, displayName: displayName, role: role) }

    /// Why the account cannot sign in today, or nil.
    package func blockReason(today: Day) -> String? {
        if disabledAt != nil { return "This account has been disabled. Ask the home's manager." }
        if let expiresOn, expiresOn < today { return "This account expired on \(expiresOn.display). Ask the home's manager to extend it." }
        return nil
    }
}

/// An error about accounts with a message for the person at the keyboard; `field` names the form field.
package struct AccountError: Error, CustomStringConvertible, Sendable {
    package let field: String
    package let message: String
    package var description: String { message }
}

/// Staff accounts: creation, password changes, disabling, sign-in checks with throttling.
package final class Accounts: Sendable {
    let pool: DatabasePool
    let throttle = LoginThrottle()

    package init(home: HomeDatabase) { pool = home.pool }

    static let usernameCharacters = Set("abcdefghijklmnopqrstuvwxyz0123456789._-")

    /// Creates an account. Throws `AccountError` naming the field at fault.
    @discardableResult
    package func create(username rawUsername: String, displayName rawDisplayName: String, role: Role, password: String,
                        expiresOn: Day?, createdBy: Int64?) throws -> Account {
        let username = rawUsername.trimmingWhitespace().lowercased()
        let displayName = rawDisplayName.trimmingWhitespace().isEmpty ? username : rawDisplayName.trimmingWhitespace()
        guard (2...40).contains(username.count), username.allSatisfy({ Accounts.usernameCharacters.contains($0) }) else {
            throw AccountError(field: "username", message: "Use 2 to 40 lower-case letters, digits, dots, hyphens or underscores, such as j.smith.")
        }
        if let problem = PasswordHasher.problem(with: password, username: username) {
            throw AccountError(field: "password", message: problem)
        }
        let hash = try PasswordHasher.hash(password)
        let now = Timestamp.format(Date())
        return try pool.write { db in
            if try Int.fetchOne(db, sql: "SELECT 1 FROM core_users WHERE username = ?", arguments: [username]) != nil {
                throw AccountError(field: "username", message: "The username \(username) is taken. Choose another.")
            }
            try db.execute(sql: """
                INSERT INTO core_users (username, display_name, role, password_hash, created_at, created_by, expires_on, password_changed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [username, displayName, role.rawValue, hash, now, createdBy, expiresOn?.iso, now])
            return Account(id: db.lastInsertedRowID, username: username, displayName: displayName, role: role,
                           expiresOn: expiresOn, disabledAt: nil, createdAt: Date())
        }
    }

    package func account(id: Int64) throws -> Account? {
        try pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM core_users WHERE id = ?", arguments: [id]).map(Accounts.account) }
    }

    package func account(username: String) throws -> Account? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM core_users WHERE username = ?", arguments: [username.lowercased()]).map(Accounts.account)
        }
    }

    package func all() throws -> [Account] {
        try pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM core_users ORDER BY disabled_at IS NOT NULL, role, username").map(Accounts.account) }
    }

    package func count() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM core_users") ?? 0 }
    }

    static func account(_ row: Row) -> Account {
        Account(id: row["id"], username: row["username"], displayName: row["display_name"],
                role: Role(rawValue: row["role"]) ?? .carer,
                expiresOn: (row["expires_on"] as String?).flatMap { Day(iso: $0) },
                disabledAt: (row["disabled_at"] as String?).flatMap { Timestamp.parse($0) },
                createdAt: (row["created_at"] as String?).flatMap { Timestamp.parse($0) } ?? Date())
    }

    /// The outcome of a sign-in attempt.
    package enum SignIn: Sendable {
        case success(Account)
        /// Wrong username or password (deliberately not saying which).
        case rejected(String)
        /// Too many failures: wait.
        case throttled(String)
        /// The account exists and the password is right, but it is disabled or expired.
        case blocked(String)
    }

    /// Checks a username and password, with throttling per username and per address.
    package func signIn(username rawUsername: String, password: String, address: String, now: Date = Date()) -> SignIn {
        let username = rawUsername.trimmingWhitespace().lowercased()
        if let wait = throttle.wait(username: username, address: address, now: now) {
            return .throttled("Too many failed attempts. Try again in \(wait) or ask the home's manager to reset the password.")
        }
        let row = try? pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM core_users WHERE username = ?", arguments: [username])
        }
        let stored: String = row?["password_hash"] ?? PasswordHasher.decoy
        let matches = PasswordHasher.verify(password, against: stored)
        guard let row, matches else {
            throttle.recordFailure(username: username, address: address, now: now)
            return .rejected("The username or password is not right. Check them and try again.")
        }
        throttle.recordSuccess(username: username, address: address)
        let account = Accounts.account(row)
        if let reason = account.blockReason(today: HomeTime.today(now)) { return .blocked(reason) }
        return .success(account)
    }

    /// Changes a password after checking the current one.
    package func changePassword(userID: Int64, current: String, new: String) throws {
        guard let row = try pool.read({ db in try Row.fetchOne(db, sql: "SELECT * FROM core_users WHERE id = ?", arguments: [userID]) }) else {
            throw AccountError(field: "current", message: "Your account no longer exists.")
        }
        guard PasswordHasher.verify(current, against: row["password_hash"]) else {
            throw AccountError(field: "current", message: "Your current password is not right.")
        }
        try setPassword(userID: userID, username: row["username"], password: new)
    }

    /// Sets a password (a manager's reset, or after checking the current one).
    package func setPassword(userID: Int64, username: String, password: String) throws {
        if let problem = PasswordHasher.problem(with: password, username: username) {
            throw AccountError(field: "password", message: problem)
        }
        let hash = try PasswordHasher.hash(password)
        try pool.write { db in
            try db.execute(sql: "UPDATE core_users SET password_hash = ?, password_changed_at = ? WHERE id = ?",
                           arguments: [hash, Timestamp.format(Date()), userID])
        }
    }

    /// Disables or re-enables an account. Disabled accounts keep their name on past entries.
    package func setDisabled(userID: Int64, disabled: Bool) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE core_users SET disabled_at = ? WHERE id = ?",
                           arguments: [disabled ? Timestamp.format(Date()) : nil, userID])
        }
    }

    /// Changes an account's expiry date (clinicians' time-limited access).
    package func setExpiry(userID: Int64, expiresOn: Day?) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE core_users SET expires_on = ? WHERE id = ?", arguments: [expiresOn?.iso, userID])
        }
    }
}

/// Slows down password guessing without letting anyone lock a real user out for long: after 5
/// failures for a username, each further attempt waits 2^(n-5) seconds, at most 5 minutes; after
/// 20 failures from one address, that address waits likewise. Failures older than 15 minutes are forgotten.
final class LoginThrottle: Sendable {
    struct Record { var failures: [Date] = [] }
    private let records = Mutex<[String: Record]>([:])
    static let window: TimeInterval = 15 * 60
    static let maximumWait: TimeInterval = 5 * 60

    func wait(username: String, address: String, now: Date) -> String? {
        records.withLock { records in
            let waits = [("user:" + username, 5), ("addr:" + address, 20)].compactMap { key, free -> TimeInterval? in
                guard var record = records[key] else { return nil }
                record.failures.removeAll { now.timeIntervalSince($0) > LoginThrottle.window }
                records[key] = record
                guard record.failures.count >= free, let last = record.failures.last else { return nil }
                let delay = min(LoginThrottle.maximumWait, pow(2, Double(record.failures.count - free)))
                let remaining = delay - now.timeIntervalSince(last)
                return remaining > 0 ? remaining : nil
            }
            guard let longest = waits.max() else { return nil }
            let seconds = Int(longest.rounded(.up))
            return seconds < 60 ? "\(seconds) seconds" : "\((seconds + 59) / 60) minutes"
        }
    }

    func recordFailure(username: String, address: String, now: Date) {
        records.withLock { records in
            records["user:" + username, default: Record()].failures.append(now)
            records["addr:" + address, default: Record()].failures.append(now)
        }
    }

    func recordSuccess(username: String, address: String) {
        records.withLock { records in records["user:" + username] = nil }
    }
}
