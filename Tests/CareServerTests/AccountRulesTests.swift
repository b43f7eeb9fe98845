import CareHTTP
import CareKit
@testable import CareServer
import CareTesting
import Foundation
import GRDB
import Testing

@Suite("Account rules that keep one stolen session or one person from taking an account")
struct AccountRulesTests {
    @Test("common passwords are refused (ASVS 2.1.7), with digits or symbols around them too; a sentence is fine")
    func commonPasswords() throws {
        for common in ["password12", "1234567890", "Password123!", "qwertyuiop", "iloveyou12", "Welcome2026!", "zzzzzzzzzzzz", "carehome123"] {
            #expect(PasswordHasher.problem(with: common, username: "kim")?.contains("most common") == true, "\(common) must be refused")
        }
        #expect(PasswordHasher.problem(with: "a good long password", username: "kim") == nil)
        #expect(PasswordHasher.problem(with: "tea at four in the garden", username: "kim") == nil)
        let home = try TestHome(plugins: [])
        let refused = try home.post("/admin/users", as: .manager, form: ["username": "kim.lee", "display_name": "Kim Lee", "role": "nurse", "password": "password12"])
        #expect(refused.status == 422)
        #expect(refused.body.contains("one of the most common"))
    }

    @Test("changing one's password signs out every other session of the account, not this one")
    func passwordChangeEndsOtherSessions() throws {
        let home = try TestHome(plugins: [])
        let account = try home.appliance.accounts.create(username: "nina", displayName: "Nina", role: .nurse, password: "first long passphrase", expiresOn: nil, createdBy: nil)
        let (stolen, _) = try home.appliance.sessions.start(account: account, address: "10.0.0.66")
        let (mine, session) = try home.appliance.sessions.start(account: account, address: "10.0.0.5")
        let fields = [("_csrf", session.csrfToken), ("current", "first long passphrase"), ("password", "second long passphrase"), ("confirm", "second long passphrase")]
        let reply = home.appliance.respond(to: HTTPRequest(method: "POST", path: "/account", headers: ["cookie": "carehome_session=\(mine)"],
                                                           fields: fields.map { HTTPRequest.Field(name: $0.0, bytes: Array($0.1.utf8)) }))
        #expect(reply.status == 303)
        #expect(try home.appliance.sessions.find(token: stolen) == nil, "the other session has ended")
        #expect(try home.appliance.sessions.find(token: mine) != nil, "the session that changed it carries on")
    }

    @Test("a manager cannot reset their own password from the accounts page: Your account asks for the current one")
    func noOwnResetWithoutCurrent() throws {
        let home = try TestHome(plugins: [])
        let manager = try home.principal(.manager)
        let reply = try home.post("/admin/users/\(manager.userID)/reset", as: .manager, form: ["password": "taken over by a thief"])
        #expect(reply.status == 403)
        guard case .success = home.appliance.accounts.signIn(username: "test-manager", password: "taken over by a thief", address: "10.0.0.1") else { return }
        Issue.record("the password must not have changed")
    }

    @Test("the administrator creates only administrator accounts and cannot reset a clinical one; the manager adds staff")
    func adminCannotMakeClinicalAccounts() throws {
        let home = try TestHome(plugins: [])
        let nurseByAdmin = try home.post("/admin/users", as: .admin, form: ["username": "sneaky", "display_name": "S", "role": "nurse", "password": "a good long password"])
        #expect(nurseByAdmin.status == 422)
        #expect(nurseByAdmin.body.contains("The administrator creates only administrator accounts"))
        #expect(try home.appliance.accounts.account(username: "sneaky") == nil)
        let adminByAdmin = try home.post("/admin/users", as: .admin, form: ["username": "it2", "display_name": "IT", "role": "admin", "password": "a good long password"])
        #expect(adminByAdmin.status == 303)
        let nurse = try home.principal(.nurse)
        #expect(try home.post("/admin/users/\(nurse.userID)/reset", as: .admin, form: ["password": "the admin's choice now"]).status == 403)
        #expect(try home.post("/admin/users/\(nurse.userID)/enable", as: .admin, form: [:]).status == 403)
        #expect(try home.post("/admin/users/\(nurse.userID)/disable", as: .admin, form: [:]).status == 303, "stopping a leaver's access is allowed")
        #expect(Appliance.mayCreate(.nurse, as: .manager) && !Appliance.mayCreate(.admin, as: .manager))
    }

    @Test("after sign-in, `next` is only ever a path on this appliance")
    func safeNext() {
        for bad in ["//evil.example", "/\\evil.example", "/\t/evil.example", "/\n/evil.example", "/%2f%2fevil.example", "/%2F/evil.example",
                    "/%5cevil.example", "https://evil.example", "evil.example", "/login?next=//evil", "/ /x", "/\u{0}x", "/é"] {
            #expect(Appliance.safeNext(bad) == "/", "\(bad.debugDescription) must not be followed")
        }
        #expect(Appliance.safeNext("/residents/3?tab=falls") == "/residents/3?tab=falls")
        #expect(Appliance.safeNext(nil) == "/")
    }
}
