import Foundation
import Testing

@Suite("HTTPS")
struct TLSTests {
    @Test("with a certificate and key the server speaks HTTPS, and session cookies are Secure")
    func https() throws {
        let installation = try TestInstallation(plugins: [Built.testPlugin("ProbePlugin")])
        let key = installation.root.appendingPathComponent("key.pem"), certificate = installation.root.appendingPathComponent("cert.pem")
        let made = try run(URL(fileURLWithPath: "/usr/bin/openssl"), ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                                                                     "-subj", "/CN=carehome.local", "-keyout", key.path, "-out", certificate.path])
        #expect(made.status == 0, "openssl: \(made.error)")
        let server = try installation.start(extraArguments: ["--tls-cert", certificate.path, "--tls-key", key.path])
        let health = try run(URL(fileURLWithPath: "/usr/bin/curl"), ["-s", "--cacert", certificate.path, "--resolve", "carehome.local:\(server.port):127.0.0.1",
                                                                    "https://carehome.local:\(server.port)/healthz"])
        #expect(health.output.contains("\"status\":\"ok\""), "HTTPS /healthz: \(health.output) \(health.error)")
        let login = try run(URL(fileURLWithPath: "/usr/bin/curl"), ["-s", "-i", "--cacert", certificate.path, "--resolve", "carehome.local:\(server.port):127.0.0.1",
                                                                   "https://carehome.local:\(server.port)/login"])
        #expect(login.output.contains("; Secure"))
        #expect(login.output.contains("Strict-Transport-Security: max-age=31536000"))
        let plain = try run(URL(fileURLWithPath: "/usr/bin/curl"), ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", "http://127.0.0.1:\(server.port)/healthz"])
        #expect(plain.output != "200", "plain HTTP must not be served on the HTTPS port")
    }
}

@Suite("TLS versions and suites")
struct TLSPolicyTests {
    @Test("only TLS 1.2 and 1.3 with forward-secret AEAD suites are accepted: TLS 1.0, 1.1 and CBC-SHA1 suites are refused")
    func modernOnly() throws {
        let installation = try TestInstallation(plugins: [])
        let key = installation.root.appendingPathComponent("key.pem"), certificate = installation.root.appendingPathComponent("cert.pem")
        _ = try run(URL(fileURLWithPath: "/usr/bin/openssl"), ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=carehome.local",
                                                              "-keyout", key.path, "-out", certificate.path])
        let server = try installation.start(extraArguments: ["--tls-cert", certificate.path, "--tls-key", key.path])
        func handshake(_ options: [String]) throws -> Bool {
            // SECLEVEL=0 lets the client offer what the server must refuse (OpenSSL 3 would not offer it otherwise).
            let result = try run(URL(fileURLWithPath: "/usr/bin/openssl"), ["s_client", "-brief", "-connect", "127.0.0.1:\(server.port)"] + options)
            return (result.output + result.error).contains("CONNECTION ESTABLISHED")
        }
        #expect(try handshake(["-tls1_3"]))
        #expect(try handshake(["-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"]))
        #expect(try handshake(["-tls1_2", "-cipher", "ECDHE-RSA-CHACHA20-POLY1305"]))
        #expect(try !handshake(["-tls1", "-cipher", "DEFAULT@SECLEVEL=0"]), "TLS 1.0")
        #expect(try !handshake(["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"]), "TLS 1.1")
        #expect(try !handshake(["-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA@SECLEVEL=0"]), "CBC with SHA-1")
        #expect(try !handshake(["-tls1_2", "-cipher", "AES128-SHA256@SECLEVEL=0"]), "RSA key exchange, CBC")
        #expect(try !handshake(["-tls1_2", "-cipher", "AES128-GCM-SHA256@SECLEVEL=0"]), "RSA key exchange (no forward secrecy)")
    }
}

@Suite("Around the server")
struct OperationsTests {
    @Test("with http_redirect set, plain HTTP answers only with a redirect to the same page over HTTPS")
    func httpRedirect() throws {
        let installation = try TestInstallation(plugins: [])
        let key = installation.root.appendingPathComponent("key.pem"), certificate = installation.root.appendingPathComponent("cert.pem")
        _ = try run(URL(fileURLWithPath: "/usr/bin/openssl"), ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=carehome.local",
                                                              "-keyout", key.path, "-out", certificate.path])
        let redirectPort = 20000 + Int.random(in: 0..<20000)
        let config = installation.root.appendingPathComponent("carehome.conf")
        try "tls_cert = \(certificate.path)\ntls_key = \(key.path)\nhttp_redirect = 127.0.0.1:\(redirectPort)\n".write(to: config, atomically: true, encoding: .utf8)
        let server = try installation.start(extraArguments: ["--config", config.path])
        let reply = try run(URL(fileURLWithPath: "/usr/bin/curl"), ["-s", "-i", "-H", "Host: carehome.local:\(redirectPort)", "http://127.0.0.1:\(redirectPort)/residents?q=a%20b"])
        let parsed = RunningServer.parse(reply.output)
        #expect(parsed.status == 308)
        #expect(parsed.headers["location"] == "https://carehome.local:\(server.port)/residents?q=a%20b")
    }

    @Test("a second server on the same data directory is refused while the first runs")
    func oneServerPerHome() throws {
        let installation = try TestInstallation(plugins: [])
        let first = try installation.start()
        #expect(throws: ServerDidNotStart.self) { try installation.start() }
        #expect(try first.request("GET", "/healthz", useCookies: false).status == 200)
    }

    @Test("/healthz reports the last good backup's age, and null before the first backup")
    func backupAge() throws {
        let installation = try TestInstallation(plugins: [])
        try installation.addUser("nina", role: "nurse")
        let backup = installation.root.appendingPathComponent("home-backup.sqlite")
        let made = try run(Built.carehome, ["backup", "--data-dir", installation.dataDirectory.path, "--to", backup.path])
        #expect(made.status == 0, "backup: \(made.error)")
        let database = installation.dataDirectory.appendingPathComponent("home.sqlite")
        #expect(try sqlite(database, "SELECT action || ': ' || detail FROM core_audit WHERE action = 'backup'") == "backup: backup written to home-backup.sqlite")
        let server = try installation.start()
        let health = try server.request("GET", "/healthz", useCookies: false).body
        #expect(health.contains("\"backup\":{\"finished_at\":\""))
        #expect(health.contains("\"age_hours\":0,\"overdue\":false"))
        let fresh = try TestInstallation(plugins: []).start()
        #expect(try fresh.request("GET", "/healthz", useCookies: false).body.hasSuffix("\"backup\":null}"))
    }
}
