import CareKit
import CareServer
import CareTesting
import Foundation
import GRDB
import Testing

@Suite("Accounts, sign-in and sessions")
struct AccountsTests {
    @Test("a password is hashed with PBKDF2 at 600,000 rounds, verifies, and a wrong one does not")
    func passwordHash() throws {
        let home = try TestHome(plugins: [])
        let account = try home.appliance.accounts.create(username: "J.Smith", displayName: "Jo Smith", role: .nurse,
                                                         password: "correct horse battery", expiresOn: nil, createdBy: nil)
        #expect(account.username == "j.smith")
        let stored = try home.appliance.home.pool.read { db in try String.fetchOne(db, sql: "SELECT password_hash FROM core_users WHERE id = ?", arguments: [account.id]) }
        #expect(stored?.hasPrefix("pbkdf2-sha256$600000$") == true)
        guard case .success = home.appliance.accounts.signIn(username: "j.smith", password: "correct horse battery", address: "10.0.0.1") else {
            Issue.record("the right password must sign in"); return
        }
        guard case .rejected(let message) = home.appliance.accounts.signIn(username: "j.smith", password: "wrong horse battery", address: "10.0.0.1") else {
            Issue.record("a wrong password must be rejected"); return
        }
        #expect(message.contains("username or password is not right"))
    }

    @Test("a short password, or one containing the username, is refused with the reason")
    func passwordRules() throws {
        let home = try TestHome(plugins: [])
        #expect(throws: AccountError.self) { try home.appliance.accounts.create(username: "amy", displayName: "Amy", role: .carer, password: "short", expiresOn: nil, createdBy: nil) }
        do {
            try home.appliance.accounts.create(username: "amy", displayName: "Amy", role: .carer, password: "amy-is-my-password", expiresOn: nil, createdBy: nil)
            Issue.record("a password containing the username must be refused")
        } catch let error as AccountError {
            #expect(error.field == "password")
            #expect(error.message == "The password must not contain the username.")
        }
    }

    @Test("after five failures a username must wait, the wait is short and ends, and other users are not affected")
    func throttling() throws {
        let home = try TestHome(plugins: [])
        try home.appliance.accounts.create(username: "victim", displayName: "V", role: .carer, password: "a good long password", expiresOn: nil, createdBy: nil)
        try home.appliance.accounts.create(username: "other", displayName: "O", role: .carer, password: "second long passphrase", expiresOn: nil, createdBy: nil)
        let start = Date()
        for attempt in 0..<5 { _ = home.appliance.accounts.signIn(username: "victim", password: "guess \(attempt)", address: "10.0.0.9", now: start) }
        guard case .throttled(let message) = home.appliance.accounts.signIn(username: "victim", password: "a good long password", address: "10.0.0.2", now: start) else {
            Issue.record("the sixth attempt must be throttled"); return
        }
        #expect(message.contains("Try again in"))
        guard case .success = home.appliance.accounts.signIn(username: "other", password: "second long passphrase", address: "10.0.0.3", now: start) else {
            Issue.record("another user must still sign in"); return
        }
        guard case .success = home.appliance.accounts.signIn(username: "victim", password: "a good long password", address: "10.0.0.2", now: start.addingTimeInterval(301)) else {
            Issue.record("the wait must end (5 minutes at most)"); return
        }
    }

    @Test("a disabled or expired account cannot sign in; its past audit entries keep its name")
    func blockedAccounts() throws {
        let home = try TestHome(plugins: [])
        let account = try home.appliance.accounts.create(username: "locum", displayName: "Dr Locum", role: .clinician, password: "a good long password",
                                                         expiresOn: HomeTime.today().adding(days: -1), createdBy: nil)
        guard case .blocked(let reason) = home.appliance.accounts.signIn(username: "locum", password: "a good long password", address: "10.0.0.1") else {
            Issue.record("an expired account must not sign in"); return
        }
        #expect(reason.contains("expired"))
        try home.appliance.accounts.setExpiry(userID: account.id, expiresOn: nil)
        try home.appliance.accounts.setDisabled(userID: account.id, disabled: true)
        guard case .blocked(let disabled) = home.appliance.accounts.signIn(username: "locum", password: "a good long password", address: "10.0.0.1") else {
            Issue.record("a disabled account must not sign in"); return
        }
        #expect(disabled.contains("disabled"))
    }

    @Test("a session ends after the idle timeout and after the absolute lifetime, and at logout")
    func sessionTimeouts() throws {
        let home = try TestHome(plugins: [])
        let account = try home.appliance.accounts.create(username: "nurse1", displayName: "N", role: .nurse, password: "a good long password", expiresOn: nil, createdBy: nil)
        let start = Date()
        let (token, _) = try home.appliance.sessions.start(account: account, address: "10.0.0.1", now: start)
        #expect(token.count == 64, "256 bits as hex")
        #expect(try home.appliance.sessions.find(token: token, now: start.addingTimeInterval(14 * 60)) != nil)
        #expect(try home.appliance.sessions.find(token: token, now: start.addingTimeInterval(14 * 60 + 16 * 60)) == nil, "idle more than 15 minutes")
        let (second, session) = try home.appliance.sessions.start(account: account, address: "10.0.0.1", now: start)
        var now = start
        while now.timeIntervalSince(start) < 11.5 * 3600 {
            now = now.addingTimeInterval(10 * 60)
            #expect(try home.appliance.sessions.find(token: second, now: now) != nil)
        }
        #expect(try home.appliance.sessions.find(token: second, now: start.addingTimeInterval(12 * 3600 + 60)) == nil, "12 hours at most")
        let (third, thirdSession) = try home.appliance.sessions.start(account: account, address: "10.0.0.1")
        try home.appliance.sessions.end(tokenHash: thirdSession.tokenHash)
        #expect(try home.appliance.sessions.find(token: third) == nil)
        _ = session
        let stored = try home.appliance.home.pool.read { db in try String.fetchAll(db, sql: "SELECT token_hash FROM core_sessions") }
        #expect(!stored.contains(token), "only a hash of the token is stored")
    }

    @Test("the manager adds an account in the UI; bad input comes back beside the field with the input kept")
    func addAccountInUI() throws {
        let home = try TestHome(plugins: [])
        let bad = try home.post("/admin/users", as: .manager, form: ["username": "Bad Name!", "display_name": "Kim Lee", "role": "nurse", "password": "a good long password", "expires": "31/02/2027"])
        #expect(bad.status == 422)
        #expect(bad.body.contains("Enter a real date, such as 31/12/2026."))
        #expect(bad.body.contains("value=\"Kim Lee\""))
        let adminByManager = try home.post("/admin/users", as: .manager, form: ["username": "it2", "display_name": "IT", "role": "admin", "password": "a good long password"])
        #expect(adminByManager.status == 422)
        #expect(adminByManager.body.contains("Only the administrator can create administrator accounts."))
        let good = try home.post("/admin/users", as: .manager, form: ["username": "kim.lee", "display_name": "Kim Lee", "role": "nurse", "password": "a good long password"])
        #expect(good.status == 303)
        #expect(good.flash == "Account kim.lee added.")
        #expect(try home.appliance.accounts.account(username: "kim.lee")?.role == .nurse)
    }
}

@Suite("Account administration in the UI")
struct AccountAdministrationTests {
    @Test("disabling an account ends its sessions at once; re-enabling lets it sign in again")
    func disableEndsSessions() throws {
        let home = try TestHome(plugins: [NotesPlugin()])
        let carer = try home.principal(.carer)
        #expect(try home.get("/", as: .carer).status == 200)
        let disabled = try home.post("/admin/users/\(carer.userID)/disable", as: .manager, form: [:])
        #expect(disabled.flash == "Account test-carer disabled.")
        let after = try home.get("/", as: .carer)
        #expect(after.status == 303 && after.location == "/login", "a disabled account's session must end")
    }

    @Test("a clinician's access end date can be set and cleared; a bad date changes nothing")
    func expiry() throws {
        let home = try TestHome(plugins: [])
        let gp = try home.principal(.clinician)
        let bad = try home.post("/admin/users/\(gp.userID)/expiry", as: .manager, form: ["expires": "30/02/2027"])
        #expect(bad.flash == "End date not changed: enter a real date, such as 31/12/2026.")
        #expect(try home.appliance.accounts.account(id: gp.userID)?.expiresOn == nil)
        _ = try home.post("/admin/users/\(gp.userID)/expiry", as: .manager, form: ["expires": "2027-03-31"])
        #expect(try home.appliance.accounts.account(id: gp.userID)?.expiresOn == Day(year: 2027, month: 3, day: 31))
        _ = try home.post("/admin/users/\(gp.userID)/expiry", as: .manager, form: ["expires": ""])
        #expect(try home.appliance.accounts.account(id: gp.userID)?.expiresOn == nil)
    }

    @Test("a carer cannot manage accounts, and a manager cannot change the administrator's")
    func whoMayManage() throws {
        let home = try TestHome(plugins: [])
        let admin = try home.principal(.admin)
        #expect(try home.post("/admin/users", as: .carer, form: ["username": "x"]).status == 403)
        #expect(try home.post("/admin/users/\(admin.userID)/disable", as: .manager, form: [:]).status == 403)
    }
}
