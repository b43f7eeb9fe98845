import CareHTTP
import CareKit
@testable import CareServer
import CareTesting
import Foundation
import GRDB
import Testing

/// Signs in through the real sign-in form, in process; returns the response.
func postSignIn(_ home: TestHome, username: String, password: String, address: String = "10.1.1.1", device: String? = nil) -> HTTPResponse {
    let token = String(repeating: "5a", count: 32)
    var cookie = "carehome_login=\(token)"
    if let device { cookie += "; \(DeviceCookies.name)=\(device)" }
    let fields = [("_csrf", token), ("username", username), ("password", password)].map { HTTPRequest.Field(name: $0.0, bytes: Array($0.1.utf8)) }
    let response = home.appliance.respond(to: HTTPRequest(method: "POST", path: "/login", headers: ["cookie": cookie], fields: fields, remoteAddress: address))
    home.appliance.audit.flush()
    return response
}

func setCookie(_ response: HTTPResponse, _ name: String) -> String? {
    response.headers.filter { $0.name == "Set-Cookie" }.compactMap { header -> String? in
        guard header.value.hasPrefix(name + "=") else { return nil }
        return String(header.value.dropFirst(name.count + 1).prefix { $0 != ";" })
    }.first
}

@Suite("Sign-in cannot be used to fill the box or lock a person out")
struct SignInHardeningTests {
    @Test("a 1 MB username costs the audit trail a few bytes, not a megabyte")
    func hugeUsernameIsNotStored() throws {
        let home = try TestHome(plugins: [])
        let huge = String(repeating: "x", count: 1_000_000)
        let reply = postSignIn(home, username: huge, password: "whatever-it-is")
        #expect(reply.status == 401)
        let longest = try home.appliance.home.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT MAX(LENGTH(username) + LENGTH(detail)) FROM core_audit WHERE action = 'login-failed'")
        }
        #expect((longest ?? 0) > 0, "the failure is still recorded")
        #expect((longest ?? .max) < 200)
        #expect(Accounts.auditName(typed: huge) == "(not a username: 1000000 bytes)")
        #expect(Accounts.auditName(typed: " J.Smith ") == "j.smith")
    }

    @Test("while an address is held back, the audit trail gets one entry a minute from it, not one per attempt")
    func throttledAttemptsAreAuditedOnce() throws {
        let home = try TestHome(plugins: [])
        for attempt in 0..<60 { _ = postSignIn(home, username: "guess\(attempt)", password: "wrong password \(attempt)", address: "10.9.9.9") }
        let (failed, throttled) = try home.appliance.home.pool.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM core_audit WHERE action = 'login-failed'") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM core_audit WHERE action = 'login-throttled'") ?? 0)
        }
        // 20 failures, then a wait of 1 s, 2 s, 4 s …: a slow machine may let one or two more through.
        #expect(failed >= 20 && failed <= 23, "the address is held back after 20 failures (\(failed))")
        #expect(throttled == 1)
    }

    @Test("the throttle keeps at most 10,000 keys and never a username that cannot exist")
    func throttleIsBounded() {
        let throttle = LoginThrottle()
        let now = Date()
        throttle.recordFailure(username: String(repeating: "y", count: 5000), address: "10.0.0.1", now: now)
        #expect(throttle.keyCount == 1, "only the address is remembered for an impossible username")
        for index in 0..<12_000 {
            throttle.recordFailure(username: "user\(index)", address: "10.\(index / 65536).\(index / 256 % 256).\(index % 256)", now: now)
        }
        #expect(throttle.keyCount <= LoginThrottle.maximumKeys)
        for _ in 0..<100 { throttle.recordFailure(username: "victim", address: "10.0.0.2", now: now) }
        #expect(throttle.keyCount <= LoginThrottle.maximumKeys)
    }

    @Test("someone guessing a person's password cannot keep them out on the browser they signed in with before")
    func deviceCookieSurvivesThrottling() throws {
        let home = try TestHome(plugins: [])
        let accounts = home.appliance.accounts
        try accounts.create(username: "victim", displayName: "V", role: .carer, password: "a good long password", expiresOn: nil, createdBy: nil)
        // Through the real sign-in form: a success sets the device cookie.
        let first = postSignIn(home, username: "victim", password: "a good long password", address: "10.0.0.5")
        #expect(first.status == 303)
        let device = try #require(setCookie(first, DeviceCookies.name))
        // The guesser works from the same shared address as the victim's tablet, all within one second.
        let now = Date()
        for attempt in 0..<30 { _ = accounts.signIn(username: "victim", password: "guess number \(attempt)", address: "10.0.0.5", now: now) }
        guard case .throttled = accounts.signIn(username: "victim", password: "a good long password", address: "10.0.0.5", now: now) else {
            Issue.record("a browser without the device cookie is held back"); return
        }
        guard case .success = accounts.signIn(username: "victim", password: "a good long password", address: "10.0.0.5", deviceCookie: device, now: now) else {
            Issue.record("the victim's own browser is not held back"); return
        }
        let forged = "victim:\(Int(now.timeIntervalSince1970)):0123456789abcdef0123456789abcdef"
        guard case .throttled = accounts.signIn(username: "victim", password: "a good long password", address: "10.0.0.5", deviceCookie: forged, now: now) else {
            Issue.record("a forged device cookie does not help"); return
        }
        let otherPersons = accounts.devices.issue(username: "someone.else", cookie: nil, now: now)
        guard case .throttled = accounts.signIn(username: "victim", password: "a good long password", address: "10.0.0.5", deviceCookie: otherPersons, now: now) else {
            Issue.record("another person's device cookie does not help"); return
        }
    }

    @Test("a manager's password reset ends the wait at once")
    func resetClearsThrottle() throws {
        let home = try TestHome(plugins: [])
        let account = try home.appliance.accounts.create(username: "victim", displayName: "V", role: .carer, password: "a good long password", expiresOn: nil, createdBy: nil)
        let start = Date()
        for attempt in 0..<8 { _ = home.appliance.accounts.signIn(username: "victim", password: "guess \(attempt)", address: "10.0.0.\(attempt)", now: start) }
        guard case .throttled = home.appliance.accounts.signIn(username: "victim", password: "a good long password", address: "10.0.1.1", now: start) else {
            Issue.record("the username must be held back"); return
        }
        try home.appliance.accounts.setPassword(userID: account.id, username: "victim", password: "a brand new passphrase")
        guard case .success = home.appliance.accounts.signIn(username: "victim", password: "a brand new passphrase", address: "10.0.1.1", now: start) else {
            Issue.record("after the reset the person signs in at once"); return
        }
    }

    @Test("before any body is read: the sign-in form and requests without a live session may send 16 KB, a signed-in user the configured maximum")
    func bodyLimits() throws {
        let home = try TestHome(plugins: [])
        let appliance = home.appliance
        #expect(appliance.bodyLimit(method: "POST", path: "/login", cookieHeader: nil) == Appliance.unauthenticatedBodyLimit)
        #expect(appliance.bodyLimit(method: "POST", path: "/residents/new", cookieHeader: nil) == Appliance.unauthenticatedBodyLimit)
        #expect(appliance.bodyLimit(method: "POST", path: "/residents/new", cookieHeader: "carehome_session=\(String(repeating: "0", count: 64))") == Appliance.unauthenticatedBodyLimit)
        let account = try appliance.accounts.create(username: "nurse1", displayName: "N", role: .nurse, password: "a good long password", expiresOn: nil, createdBy: nil)
        let (token, _) = try appliance.sessions.start(account: account, address: "127.0.0.1")
        #expect(appliance.bodyLimit(method: "POST", path: "/residents/new", cookieHeader: "a=b; carehome_session=\(token)") == appliance.configuration.maxBodyBytes)
        var tooLarge = HTTPRequest(method: "POST", path: "/residents/new", bodyTooLarge: true)
        tooLarge.bodyLimit = Appliance.unauthenticatedBodyLimit
        let reply = appliance.respond(to: tooLarge)
        #expect(reply.status == 413)
        #expect(String(decoding: reply.body, as: UTF8.self).contains("Sign in and try again"))
    }

    @Test("a newline or escape in anything logged is written escaped, so no one can forge a log line")
    func logLinesCannotBeForged() {
        #expect(LineSafeLogHandler.escape("/x\n2026-01-01 info carehome : forged") == "/x\\n2026-01-01 info carehome : forged")
        #expect(LineSafeLogHandler.escape("a\r\u{1b}[31mb\u{2028}") == "a\\r\\u{1b}[31mb\\u{2028}")
        #expect(LineSafeLogHandler.escape(String(repeating: "p", count: 5000)).count == LineSafeLogHandler.maximumValueLength + 1)
    }
}
