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
