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
    let gate = PasswordCheckGate()
    let devices: DeviceCookies

    package init(home: HomeDatabase) throws {
        pool = home.pool
        devices = try DeviceCookies(pool: home.pool)
    }

    static let usernameCharacters = Set("abcdefghijklmnopqrstuvwxyz0123456789._-")

    /// Whether text could be a username at all (2 to 40 of the allowed characters). Text that cannot is
    /// never stored as typed: not in the throttle, not in the audit trail.
    static func isPossibleUsername(_ text: String) -> Bool {
        text.utf8.count <= 40 && (2...40).contains(text.count) && text.allSatisfy { usernameCharacters.contains($0) }
    }

    /// What the audit trail records for a username someone typed at the sign-in page: the username when it
    /// could be one, else only its length (so a 4 MB "username" costs the trail a few bytes).
    static func auditName(typed text: String) -> String {
        let username = text.trimmingWhitespace().lowercased()
        return isPossibleUsername(username) ? username : "(not a username: \(text.utf8.count) bytes)"
    }

    /// Creates an account. Throws `AccountError` naming the field at fault.
    @discardableResult
    package func create(username rawUsername: String, displayName rawDisplayName: String, role: Role, password: String,
                        expiresOn: Day?, createdBy: Int64?) throws -> Account {
        let username = rawUsername.trimmingWhitespace().lowercased()
        let displayName = rawDisplayName.trimmingWhitespace().isEmpty ? username : rawDisplayName.trimmingWhitespace()
        guard Accounts.isPossibleUsername(username) else {
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

    /// Checks a username and password, with throttling per username and per address, or per device when
    /// `deviceCookie` holds a valid entry for this username (see `LoginThrottle`).
    package func signIn(username rawUsername: String, password: String, address: String, deviceCookie: String? = nil,
                        now: Date = Date()) -> SignIn {
        let username = rawUsername.trimmingWhitespace().lowercased()
        let device = devices.device(for: username, cookie: deviceCookie, now: now)
        if let wait = throttle.wait(username: username, address: address, device: device, now: now) {
            return .throttled("Too many failed attempts. Try again in \(wait) or ask the home's manager to reset the password.")
        }
        guard Accounts.isPossibleUsername(username), password.utf8.count <= PasswordHasher.maximumLength * 4 else {
            // Cannot match any account, by rules anyone can read: no need to spend a hash to hide that.
            throttle.recordFailure(username: username, address: address, device: device, now: now)
            return .rejected("The username or password is not right. Check them and try again.")
        }
        // A password check takes a core for a fraction of a second on one of the HTTP threads: at most one
        // at a time for attempts without a device cookie, so guessing cannot starve the pages of staff
        // already signed in; a device cookie's attempt has a second place of its own.
        guard let place = gate.enter(withDevice: device != nil) else {
            return .throttled("The appliance is busy checking other sign-ins. Try again in a few seconds.")
        }
        defer { gate.leave(place) }
        let row = try? pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM core_users WHERE username = ?", arguments: [username])
        }
        let stored: String = row?["password_hash"] ?? PasswordHasher.decoy
        let matches = PasswordHasher.verify(password, against: stored)
        guard let row, matches else {
            throttle.recordFailure(username: username, address: address, device: device, now: now)
            return .rejected("The username or password is not right. Check them and try again.")
        }
        throttle.recordSuccess(username: username, address: address, device: device)
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
        // A new password is the way back in for someone the throttle is holding back.
        throttle.clear(username: username.lowercased())
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

/// How many password checks may run at once: one for attempts without a device cookie, one more for
/// attempts with one. Never waits: a check that finds no place is answered "busy" at once, so no HTTP
/// thread is held waiting.
final class PasswordCheckGate: Sendable {
    enum Place { case general, device }
    private let busy = Mutex<(general: Bool, device: Bool)>((false, false))

    func enter(withDevice: Bool) -> Place? {
        busy.withLock { busy in
            if !busy.general { busy.general = true; return .general }
            if withDevice && !busy.device { busy.device = true; return .device }
            return nil
        }
    }

    func leave(_ place: Place) {
        busy.withLock { busy in
            switch place {
            case .general: busy.general = false
            case .device: busy.device = false
            }
        }
    }
}
