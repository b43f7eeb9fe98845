import Foundation
import Testing

@Suite("The real server over HTTP")
struct ServerTests {
    static func probeServer() throws -> (TestInstallation, RunningServer) {
        let installation = try TestInstallation(plugins: [Built.testPlugin("ProbePlugin")])
        try installation.addUser("nina", role: "nurse")
        try installation.addUser("carl", role: "carer")
        let server = try installation.start()
        return (installation, server)
    }

    @Test("pages need sign-in: a visitor is sent to the login page and back afterwards")
    func signInRequired() throws {
        let (_, server) = try ServerTests.probeServer()
        let reply = try server.get("/probe?note=x")
        #expect(reply.status == 303)
        #expect(reply.headers["location"] == "/login?next=/probe%3Fnote%3Dx")
    }

    @Test("unknown pages are 404, wrong methods 405, a handler that throws gives a 500 page with a reference, and the server keeps serving")
    func errorPages() throws {
        let (_, server) = try ServerTests.probeServer()
        try server.signIn("nina")
        let missing = try server.get("/no-such-page")
        #expect(missing.status == 404)
        #expect(missing.body.contains("Page not found"))
        let wrongMethod = try server.request("POST", "/probe", form: [("_csrf", try server.csrfToken())])
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.headers["allow"] == "GET")
        let thrown = try server.get("/probe/throw")
        #expect(thrown.status == 500)
        #expect(thrown.body.contains("Something went wrong"))
        #expect(thrown.body.contains("Reference "))
        #expect(!thrown.body.contains("ProbeFailure"), "error details must not reach the page")
        #expect(try server.get("/probe").status == 200)
    }

    @Test("a POST without the CSRF token changes nothing")
    func csrf() throws {
        let (installation, server) = try ServerTests.probeServer()
        try server.signIn("nina")
        let reply = try server.request("POST", "/probe/save", form: [("note", "forged")])
        #expect(reply.status == 403)
        let wrong = try server.request("POST", "/probe/save", form: [("_csrf", String(repeating: "a", count: 64)), ("note", "forged")])
        #expect(wrong.status == 403)
        let database = installation.dataDirectory.appendingPathComponent("home.sqlite")
        #expect(try sqlite(database, "SELECT COUNT(*) FROM probe_saves") == "0")
    }

    @Test("a route declares its roles: a carer gets a 403 page on a nurses-only page")
    func roles() throws {
        let (_, server) = try ServerTests.probeServer()
        try server.signIn("carl")
        let reply = try server.get("/probe/nurses-only")
        #expect(reply.status == 403)
        #expect(reply.body.contains("does not allow this page"))
    }

    @Test("static assets are served, and no path outside them can be reached")
    func assets() throws {
        let (_, server) = try ServerTests.probeServer()
        let css = try server.request("GET", "/assets/app.css", useCookies: false)
        #expect(css.status == 200)
        #expect(css.headers["content-type"]?.hasPrefix("text/css") == true)
        for path in ["/assets/../Package.swift", "/assets/%2e%2e/%2e%2e/etc/passwd", "/assets//etc/passwd", "/assets/..%2fapp.css", "/assets/"] {
            #expect(try server.request("GET", path, useCookies: false).status == 404, "\(path) must be 404")
        }
    }

    @Test("a body over the limit gets a 413 page and the server keeps serving")
    func bodyLimit() throws {
        let (_, server) = try ServerTests.probeServer()
        try server.signIn("nina")
        let big = Data(repeating: UInt8(ascii: "a"), count: 9 * 1024 * 1024)
        let reply = try server.request("POST", "/probe/save", body: big)
        #expect(reply.status == 413)
        #expect(try server.request("GET", "/healthz", useCookies: false).status == 200)
    }

    @Test("security headers are on every response; pages with personal data are not cached")
    func securityHeaders() throws {
        let (_, server) = try ServerTests.probeServer()
        try server.signIn("nina")
        let page = try server.get("/probe")
        #expect(page.headers["content-security-policy"]?.contains("frame-ancestors 'none'") == true)
        #expect(page.headers["content-security-policy"]?.contains("unsafe-inline") == false)
        #expect(page.headers["x-content-type-options"] == "nosniff")
        #expect(page.headers["referrer-policy"] == "no-referrer")
        #expect(page.headers["cache-control"] == "no-store")
    }

    @Test("SIGTERM lets a request in flight finish, then the server exits cleanly")
    func gracefulStop() throws {
        let (_, server) = try ServerTests.probeServer()
        try server.signIn("nina")
        let box = ResultBox<HTTPReply>()
        let slow = Thread { box.result = Result { try server.get("/probe/slow") } }
        slow.start()
        Thread.sleep(forTimeInterval: 0.7)
        kill(server.process.processIdentifier, SIGTERM)
        while !slow.isFinished { Thread.sleep(forTimeInterval: 0.01) }
        let reply = try #require(box.result).get()
        #expect(reply.status == 200)
        #expect(reply.body == "slow done")
        server.process.waitUntilExit()
        #expect(server.process.terminationStatus == 0)
    }

    @Test("wrong arguments give a usage message and exit status 2")
    func usage() throws {
        let result = try run(Built.carehome, ["serve", "--no-such-option"])
        #expect(result.status == 2)
        #expect(result.error.contains("Usage") || result.error.contains("usage"))
        #expect(!result.error.contains("Fatal error"))
    }
}

final class ResultBox<T>: @unchecked Sendable {
    // @unchecked: written once by the thread, read after the thread has finished.
    var result: Result<T, any Error>?
}

@Suite("Metrics through the real server")
struct MetricsServerTests {
    @Test("the real server answers /metrics only with the configured bearer token, with the four plugins' figures")
    func metricsOverHTTP() throws {
        let installation = try TestInstallation(plugins: LoaderTests.firstParty)
        let token = "integration-metrics-token-0123456789abcdef"
        let config = installation.root.appendingPathComponent("carehome.conf")
        try "metrics_token = \(token)\n".write(to: config, atomically: true, encoding: .utf8)
        let server = try installation.start(extraArguments: ["--config", config.path])
        let refused = try server.request("GET", "/metrics", useCookies: false)
        #expect(refused.status == 401)
        #expect(refused.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
        let wrong = try server.request("GET", "/metrics", useCookies: false, headers: ["Authorization: Bearer \(token.dropLast())x"])
        #expect(wrong.status == 401)
        let reply = try server.request("GET", "/metrics", useCookies: false, headers: ["Authorization: Bearer \(token)"])
        #expect(reply.status == 200)
        #expect(reply.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        #expect(reply.body.contains("carehome_plugin_state{plugin=\"medication-review\",state=\"loaded\",version=\"1.0.0\"} 1"))
        #expect(reply.body.contains("carehome_residents_residents{status=\"living-here\"} 0"))
        #expect(reply.body.contains("carehome_metrics_source_up{plugin=\"residents\"} 1"))
    }
}
