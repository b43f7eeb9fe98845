import CareHTTP
import CareKit
import CareServer
import CareTesting
import FallsLogPlugin
import Foundation
import GRDB
import ResidentsPlugin
import Testing

/// A form sent after the session ended (a fall typed while the idle timeout ran out) is kept for that
/// person and saved once when they sign in again; nobody else can save it (issue 16).
@Suite("Nothing typed is lost to the idle timeout")
struct KeptFormTests {
    func cookies(_ response: HTTPResponse) -> [String: String] {
        var found = [String: String]()
        for (name, value) in response.headers where name == "Set-Cookie" {
            let pair = value.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            if pair.count == 2 { found[String(pair[0])] = String(pair[1]) }
        }
        return found
    }

    func field(_ name: String, _ value: String) -> HTTPRequest.Field { HTTPRequest.Field(name: name, bytes: Array(value.utf8)) }

    /// Signs in through the real sign-in form; returns the session cookie and the response.
    func signIn(_ appliance: Appliance, _ username: String, resume: String? = nil) throws -> (token: String?, response: HTTPResponse) {
        let page = appliance.respond(to: HTTPRequest(method: "GET", path: "/login", query: resume.map { [(name: "resume", value: $0)] } ?? []))
        let login = try #require(cookies(page)["carehome_login"])
        var fields = [field("_csrf", login), field("username", username), field("password", "kept-form-test-42")]
        if let resume { fields.append(field("resume", resume)) }
        let response = appliance.respond(to: HTTPRequest(method: "POST", path: "/login", headers: ["cookie": "carehome_login=\(login)"], fields: fields))
        return (cookies(response)["carehome_session"], response)
    }

    @Test("a fall sent after the idle timeout is kept, the sign-in page says so in warning colours, and signing in again saves it once; another person cannot")
    func keptAcrossSignIn() throws {
        let home = try TestHome(plugins: [ResidentsPlugin(), FallsLogPlugin()])
        let appliance = home.appliance
        for (username, role) in [("jo", Role.carer), ("sam", Role.carer)] {
            try appliance.accounts.create(username: username, displayName: username.capitalized, role: role, password: "kept-form-test-42", expiresOn: nil, createdBy: nil)
        }
        let resident = try #require(Int64(try home.post("/residents/new", as: .manager, form: [
            "full_name": "Ada Test", "date_of_birth": "1940-01-01", "room": "1", "admission_type": "permanent",
            "admission_date": HomeTime.today().adding(days: -30).iso, "allergies": "None known", "plan_exists": "no",
        ]).location?.split(separator: "/").last.map(String.init) ?? ""))
        // Jo opens the fall form, then the session runs out while she types.
        let (token, _) = try signIn(appliance, "jo")
        let session = try #require(token)
        let csrf = try #require(try appliance.sessions.find(token: session)?.csrfToken)
        try appliance.home.pool.write { db in
            try db.execute(sql: "UPDATE core_sessions SET last_seen_at = ? WHERE user_id = (SELECT id FROM core_users WHERE username = 'jo')",
                           arguments: [Timestamp.format(Date().addingTimeInterval(-3600))])
        }
        let fall = [field("_csrf", csrf), field("resident_id", String(resident)), field("occurred_at", HomeTime.inputValue(Date().addingTimeInterval(-600))),
                    field("location", "lounge"), field("witnessed", "no"), field("injured", "no"), field("head_strike", "no")]
        let sent = appliance.respond(to: HTTPRequest(method: "POST", path: "/falls/new", headers: ["cookie": "carehome_session=\(session)"], fields: fall))
        #expect(sent.status == 303)
        let location = try #require(sent.headers.first { $0.name == "Location" }?.value)
        #expect(location.hasPrefix("/login?resume="))
        let resume = String(location.dropFirst("/login?resume=".count))
        func falls() throws -> Int64 { try appliance.home.pool.read { db in try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM falls_log_falls") ?? -1 } }
        #expect(try falls() == 0)
        let page = String(decoding: appliance.respond(to: HTTPRequest(method: "GET", path: "/login", query: [(name: "resume", value: resume)])).body, as: UTF8.self)
        #expect(page.contains("banner-warning"))
        #expect(page.contains("You were signed out, so that was not saved yet"))
        // Sam signs in on that screen: nothing of Jo's is saved.
        _ = try signIn(appliance, "sam", resume: resume)
        #expect(try falls() == 0)
        // Jo signs in again: the fall is saved, once, and she goes on to the post-fall check.
        let (_, again) = try signIn(appliance, "jo", resume: resume)
        #expect(again.status == 303)
        #expect(again.headers.first { $0.name == "Location" }?.value.hasSuffix("/check") == true)
        #expect(try falls() == 1)
        _ = try signIn(appliance, "jo", resume: resume)
        #expect(try falls() == 1, "the kept form is saved once")
        // A form that did not come from the ended session (no matching CSRF token) is not kept.
        let forged = appliance.respond(to: HTTPRequest(method: "POST", path: "/falls/new", headers: ["cookie": "carehome_session=\(session)"],
                                                       fields: [field("_csrf", "not-the-token")] + fall.dropFirst()))
        #expect(forged.headers.first { $0.name == "Location" }?.value == "/login")
    }

    /// Jo's session on the appliance, then left idle for an hour: the cookie and the CSRF token of the page she had open.
    func idleSession(_ appliance: Appliance, _ username: String) throws -> (token: String, csrf: String) {
        let (token, _) = try signIn(appliance, username)
        let session = try #require(token)
        let csrf = try #require(try appliance.sessions.find(token: session)?.csrfToken)
        try appliance.home.pool.write { db in
            try db.execute(sql: "UPDATE core_sessions SET last_seen_at = ? WHERE user_id = (SELECT id FROM core_users WHERE username = ?)",
                           arguments: [Timestamp.format(Date().addingTimeInterval(-3600)), username])
        }
        return (session, csrf)
    }

    func upload(_ appliance: Appliance, path: String, session: String, csrf: String, photo: [UInt8]) -> HTTPResponse {
        appliance.respond(to: HTTPRequest(method: "POST", path: path, headers: ["cookie": "carehome_session=\(session)"], fields: [
            field("_csrf", csrf), field("consent", "on"),
            HTTPRequest.Field(name: "photo", filename: "IMG_2041.PNG", contentType: "image/png", bytes: photo),
        ]))
    }

    @Test("a photo chosen as the session ran out is kept with its form and saved once when its owner signs in again; another person cannot; a file over the limit is not kept")
    func photoKeptAcrossSignIn() throws {
        let home = try TestHome(plugins: [ResidentsPlugin()])
        let appliance = home.appliance
        for username in ["jo", "sam"] {
            try appliance.accounts.create(username: username, displayName: username.capitalized, role: .nurse, password: "kept-form-test-42", expiresOn: nil, createdBy: nil)
        }
        let resident = try #require(Int64(try home.post("/residents/new", as: .manager, form: [
            "full_name": "Ada Test", "date_of_birth": "1940-01-01", "room": "1", "admission_type": "permanent",
            "admission_date": HomeTime.today().adding(days: -30).iso, "allergies": "None known", "plan_exists": "no",
        ]).location?.split(separator: "/").last.map(String.init) ?? ""))
        func photos() throws -> Int64 { try appliance.home.pool.read { db in try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM residents_photos") ?? -1 } }
        let (session, csrf) = try idleSession(appliance, "jo")
        // Before any of the body is read: a photo's worth for the ended session's cookie, the sign-in form's few KB for anyone else.
        let allowed = appliance.bodyLimit(method: "POST", path: "/residents/\(resident)/photo", cookieHeader: "carehome_session=\(session)")
        #expect(allowed > 1024 * 1024 && allowed <= PendingPosts.maxFileBytes + PendingPosts.maxBytes)
        #expect(appliance.bodyLimit(method: "POST", path: "/residents/\(resident)/photo", cookieHeader: "carehome_session=\(String(repeating: "a", count: 64))") == Appliance.unauthenticatedBodyLimit)
        #expect(appliance.bodyLimit(method: "POST", path: "/residents/\(resident)/photo", cookieHeader: nil) == Appliance.unauthenticatedBodyLimit)

        let photo = TestImages.png(width: 300, height: 400) { x, y in (UInt8(150 + x % 100), UInt8(100 + y % 100), 80) }
        let sent = upload(appliance, path: "/residents/\(resident)/photo", session: session, csrf: csrf, photo: photo)
        let location = try #require(sent.headers.first { $0.name == "Location" }?.value)
        #expect(location.hasPrefix("/login?resume="))
        let resume = String(location.dropFirst("/login?resume=".count))
        #expect(try photos() == 0)
        _ = try signIn(appliance, "sam", resume: resume)
        #expect(try photos() == 0, "another person signing in saves nothing of Jo's")
        let (_, again) = try signIn(appliance, "jo", resume: resume)
        #expect(again.headers.first { $0.name == "Location" }?.value == "/residents/\(resident)")
        #expect(try photos() == 1)
        _ = try signIn(appliance, "jo", resume: resume)
        #expect(try photos() == 1, "the kept photo is saved once")

        // Bounds: a file larger than a kept form may hold is not kept (and says so); a session idle for longer
        // than a shift gets the small limit.
        let (later, laterCSRF) = try idleSession(appliance, "jo")
        let huge = upload(appliance, path: "/residents/\(resident)/photo", session: later, csrf: laterCSRF,
                          photo: photo + [UInt8](repeating: 0, count: PendingPosts.maxFileBytes))
        #expect(huge.headers.first { $0.name == "Location" }?.value == "/login")
        let kept = try appliance.home.pool.read { db in try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM core_pending_posts") ?? -1 }
        #expect(kept == 0)
        try appliance.home.pool.write { db in
            try db.execute(sql: "UPDATE core_sessions SET last_seen_at = ?", arguments: [Timestamp.format(Date().addingTimeInterval(-PendingPosts.sessionWindow - 60))])
        }
        #expect(appliance.bodyLimit(method: "POST", path: "/residents/\(resident)/photo", cookieHeader: "carehome_session=\(later)") == Appliance.unauthenticatedBodyLimit)
    }
}
