import Foundation
import Testing

/// The admin's screen (issue 20) against the real `carehome serve` with the real plugin libraries, a
/// configuration file with a backup directory and a backup key beside it (as the installer lays it out).
@Suite("The admin's screen on the real server")
struct AdminScreenTests {
    static let metricsToken = String(repeating: "m", count: 40)

    /// A home with every real plugin, an admin, a manager and a nurse, and carehome.conf with backup_dir
    /// and metrics_token; backup.key beside it.
    final class Home {
        let installation: TestInstallation
        let backups: URL
        let configFile: URL
        let keyFile: URL

        init() throws {
            let plugins = try FileManager.default.contentsOfDirectory(at: Built.realPlugins, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == "so" }
            installation = try TestInstallation(plugins: plugins)
            backups = installation.root.appendingPathComponent("backups")
            let conf = installation.root.appendingPathComponent("etc")
            try FileManager.default.createDirectory(at: backups, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: conf, withIntermediateDirectories: true)
            keyFile = conf.appendingPathComponent("backup.key")
            try Data((String(repeating: "5a", count: 32) + "\n").utf8).write(to: keyFile)
            configFile = conf.appendingPathComponent("carehome.conf")
            try Data("backup_dir = \(backups.path)\nmetrics_token = \(AdminScreenTests.metricsToken)\n".utf8).write(to: configFile)
            try installation.addUser("ada", role: "admin")
            try installation.addUser("meg", role: "manager")
            try installation.addUser("nina", role: "nurse")
        }

        func start() throws -> RunningServer {
            try installation.start(extraArguments: ["--config", configFile.path])
        }

        var database: URL { installation.dataDirectory.appendingPathComponent("home.sqlite") }

        func backupFiles() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: backups.path).filter { !$0.hasPrefix(".") }.sorted()
        }
    }

    /// POSTs a button's form (CSRF token from the admin page) and returns the reply.
    static func press(_ server: RunningServer, _ path: String) throws -> HTTPReply {
        let token = RunningServer.hiddenValue("_csrf", in: try server.get("/admin").body) ?? ""
        return try server.request("POST", path, form: [("_csrf", token)])
    }

    /// Waits until the background job has finished (the status the page's script polls).
    static func waitForJob(_ server: RunningServer, timeout: TimeInterval = 120) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let status = try server.get("/admin/jobs/status").body
            if status.contains("\"running\":false") { return status }
            usleep(200_000)
        }
        Issue.record("the job did not finish in \(timeout) s")
        return ""
    }

    /// Downloads with curl straight to a file (binary-safe); returns the HTTP status.
    static func download(_ server: RunningServer, _ path: String, to file: URL) throws -> Int {
        let result = try run(URL(fileURLWithPath: "/usr/bin/curl"),
                             ["-s", "-b", server.cookies.path, "-o", file.path, "-w", "%{http_code}", server.base + path])
        return Int(result.output) ?? 0
    }

    static func text(_ html: String) -> String {
        html.replacingOccurrences(of: "<[^>]*>", with: " ", options: .regularExpression)
            .replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
            .replacingOccurrences(of: "\\s+", with: " ", options: .regularExpression)
    }

    @Test("Back up now writes an encrypted backup that verifies; the page lists it as verified with its size; the download is the same bytes, and audited")
    func backUpNow() throws {
        let home = try Home()
        let server = try home.start()
        try server.signIn("ada")
        let before = AdminScreenTests.text(try server.get("/admin").body)
        #expect(before.contains("No backup has been taken on this appliance"))
        #expect(before.contains("Last good backup: none yet"))

        let pressed = try AdminScreenTests.press(server, "/admin/backups")
        #expect(pressed.status == 303)
        #expect(pressed.headers["location"] == "/admin")
        let status = try AdminScreenTests.waitForJob(server)
        #expect(status.contains("\"kind\":\"backup\""))

        let files = try home.backupFiles()
        #expect(files.count == 1, "one backup expected, found \(files)")
        let name = try #require(files.first)
        #expect(name.hasPrefix("carehome-") && name.hasSuffix(".sqlite.enc"), "encrypted with backup.key beside carehome.conf: \(name)")
        // The backup is what `carehome backup verify` accepts with the same key.
        let verify = try run(Built.carehome, ["backup", "verify", home.backups.appendingPathComponent(name).path, "--key-file", home.keyFile.path])
        #expect(verify.status == 0, "verify: \(verify.output) \(verify.error)")
        #expect(verify.output.contains("Good backup"))

        let page = try server.get("/admin")
        let words = AdminScreenTests.text(page.body)
        #expect(words.contains("Last good backup: just now"))
        #expect(!words.contains("No backup has been taken"))
        #expect(page.body.contains(name))
        #expect(words.contains("Verified when written"), "the list says the backup was checked: \(words)")
        #expect(words.contains("Backup finished"))

        let copy = home.installation.root.appendingPathComponent("downloaded.enc")
        #expect(try AdminScreenTests.download(server, "/admin/backups/download?file=\(name)", to: copy) == 200)
        #expect(try Data(contentsOf: copy) == Data(contentsOf: home.backups.appendingPathComponent(name)))
        // Nothing but a listed backup: no path, no other file.
        for bad in ["../data/home.sqlite", "%2e%2e/data/home.sqlite", "carehome.conf", "nothing.sqlite", ""] {
            #expect(try AdminScreenTests.download(server, "/admin/backups/download?file=\(bad)", to: copy) == 404, "\(bad)")
        }
        server.stop()
        #expect(try sqlite(home.database, "SELECT COUNT(*) FROM core_audit WHERE action = 'backup-download' AND detail LIKE '\(name)%'") == "1")
        #expect(try sqlite(home.database, "SELECT COUNT(*) FROM core_audit WHERE action = 'backup' AND username = 'ada'") == "1")
        #expect(try sqlite(home.database, "SELECT ok FROM core_backup_checks WHERE file_name = '\(name)'") == "1")
    }

    @Test("the restore drill passes on a good backup with counts beside the live home; a damaged backup is refused and recorded failed; /metrics shows both")
    func restoreDrill() throws {
        let home = try Home()
        let server = try home.start()
        try server.signIn("meg")
        let metrics = { try server.request("GET", "/metrics", useCookies: false, headers: ["Authorization: Bearer \(AdminScreenTests.metricsToken)"]).body }
        #expect(try metrics().contains("carehome_restore_drill_last_success_timestamp_seconds 0"))
        #expect(try !metrics().contains("carehome_restore_drill_last_result"))
        #expect(AdminScreenTests.text(try server.get("/admin").body).contains("No restore drill has passed on this appliance"))

        // No backup yet: the drill fails and says why.
        #expect(try AdminScreenTests.press(server, "/admin/restore-drill").status == 303)
        _ = try AdminScreenTests.waitForJob(server)
        #expect(AdminScreenTests.text(try server.get("/admin").body).contains("There is no backup in"))

        #expect(try AdminScreenTests.press(server, "/admin/backups").status == 303)
        _ = try AdminScreenTests.waitForJob(server)
        #expect(try AdminScreenTests.press(server, "/admin/restore-drill").status == 303)
        _ = try AdminScreenTests.waitForJob(server)
        let good = AdminScreenTests.text(try server.get("/admin/restore-drill").body)
        #expect(good.contains("The last drill passed"), "\(good.prefix(800))")
        #expect(good.contains("passed SQLite's integrity check") || good.contains("integrity check"))
        #expect(good.contains("audit trail"))
        #expect(good.contains("residents_residents"), "record counts side by side")
        #expect(good.contains("core_users 3 3 same"), "three accounts in the backup and live: \(good)")
        #expect(try metrics().contains("carehome_restore_drill_last_result 1"))
        #expect(try !metrics().contains("carehome_restore_drill_last_success_timestamp_seconds 0\n"))
        #expect(try metrics().contains("carehome_restore_drill_due 0"))
        let passedAt = try sqlite(home.database, "SELECT finished_at FROM core_restore_drills WHERE ok = 1")
        #expect(!passedAt.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: home.installation.dataDirectory.path).filter { $0.hasPrefix("restore-drill") }.isEmpty,
                "the scratch copy is deleted")

        // Damage the backup (flip bytes in the middle of the encrypted file): refused, recorded failed.
        let name = try #require(try home.backupFiles().first)
        let file = home.backups.appendingPathComponent(name)
        var bytes = try Data(contentsOf: file)
        for offset in stride(from: bytes.count / 2, to: bytes.count / 2 + 64, by: 1) { bytes[offset] ^= 0xFF }
        try bytes.write(to: file)
        #expect(try AdminScreenTests.press(server, "/admin/restore-drill").status == 303)
        _ = try AdminScreenTests.waitForJob(server)
        let failedPage = AdminScreenTests.text(try server.get("/admin").body)
        #expect(failedPage.contains("The last restore drill failed"))
        #expect(failedPage.contains("cannot be opened") || failedPage.contains("does not authenticate"), "\(failedPage.prefix(1500))")
        #expect(failedPage.contains("Changed since checked") || failedPage.contains("Failed"), "the list no longer calls it verified")
        #expect(try sqlite(home.database, "SELECT ok FROM core_restore_drills ORDER BY id DESC LIMIT 1") == "0")
        let text = try metrics()
        #expect(text.contains("carehome_restore_drill_last_result 0"))
        // The last success is still the earlier drill's.
        let success = text.split(separator: "\n").first { $0.hasPrefix("carehome_restore_drill_last_success_timestamp_seconds ") }
        #expect(success.map { !$0.hasSuffix(" 0") } == true)
        server.stop()
        #expect(try sqlite(home.database, "SELECT COUNT(*) FROM core_audit WHERE action = 'restore-drill'") == "3")

        // The command line's drill on the same damaged file: exit 1, recorded failed too.
        let cli = try run(Built.carehome, ["restore-drill", "--data-dir", home.installation.dataDirectory.path, "--backup-dir", home.backups.path,
                                           "--key-file", home.keyFile.path])
        #expect(cli.status == 1, "\(cli.output) \(cli.error)")
        #expect(cli.error.contains("Restore drill FAILED"))
        #expect(try sqlite(home.database, "SELECT COUNT(*) FROM core_restore_drills WHERE ok = 0") == "3")
    }

    @Test("carehome restore-drill passes on a good backup from the nightly command, prints the counts and records it")
    func commandLineDrill() throws {
        let home = try Home()
        let server = try home.start()
        server.stop()
        let backup = try run(Built.carehome, ["backup", "--data-dir", home.installation.dataDirectory.path, "--to-dir", home.backups.path,
                                              "--key-file", home.keyFile.path, "--quiet"])
        #expect(backup.status == 0, "\(backup.error)")
        let drill = try run(Built.carehome, ["restore-drill", "--data-dir", home.installation.dataDirectory.path, "--backup-dir", home.backups.path,
                                             "--key-file", home.keyFile.path])
        #expect(drill.status == 0, "\(drill.output) \(drill.error)")
        #expect(drill.output.contains("Restore drill passed"))
        #expect(drill.output.contains("core_users"))
        #expect(try sqlite(home.database, "SELECT ok || ' ' || run_by FROM core_restore_drills").hasPrefix("1 console: "))
        // The nightly command's backup is listed as verified on the page too.
        #expect(try sqlite(home.database, "SELECT how FROM core_backup_checks") == "by a restore drill")
    }

    @Test("a nurse can use none of it; a POST without the CSRF token changes nothing")
    func guarded() throws {
        let home = try Home()
        let server = try home.start()
        try server.signIn("nina")
        #expect(try server.get("/admin").status == 403)
        #expect(try server.get("/admin/restore-drill").status == 403)
        #expect(try server.get("/admin/jobs/status").status == 403)
        let token = try server.csrfToken()
        for path in ["/admin/backups", "/admin/restore-drill", "/admin/restart", "/admin/plugins/falls-log/disable"] {
            #expect(try server.request("POST", path, form: [("_csrf", token)]).status == 403, "\(path)")
        }
        #expect(try server.request("GET", "/admin/backups/download?file=x.sqlite").status == 403)
        try server.signIn("ada")
        for path in ["/admin/backups", "/admin/restore-drill", "/admin/restart", "/admin/plugins/falls-log/disable"] {
            #expect(try server.request("POST", path, form: []).status == 403, "\(path) without CSRF")
        }
        #expect(try home.backupFiles().isEmpty)
        #expect(try server.request("GET", "/healthz", useCookies: false).body.contains("\"id\":\"falls-log\",\"version\":\"1.0.0\",\"state\":\"loaded\""))
        server.stop()
        #expect(try sqlite(home.database, "SELECT COUNT(*) FROM core_plugin_choices") == "0")
        #expect(try sqlite(home.database, "SELECT COUNT(*) FROM core_restore_drills") == "0")
    }

    @Test("disabling a plugin takes effect when the server starts again on the same data directory; Restart on the page does it in place")
    func pluginChoiceAndRestart() throws {
        let home = try Home()
        var server = try home.start()
        try server.signIn("ada")
        let health = { (server: RunningServer) in try server.request("GET", "/healthz", useCookies: false).body }
        #expect(try health(server).contains("\"id\":\"falls-log\",\"version\":\"1.0.0\",\"state\":\"loaded\""))
        #expect(try AdminScreenTests.press(server, "/admin/plugins/falls-log/disable").status == 303)
        let waiting = AdminScreenTests.text(try server.get("/admin").body)
        #expect(waiting.contains("Disabled after a restart"))
        #expect(waiting.contains("Plugin changes wait for a restart"))
        #expect(try health(server).contains("\"id\":\"falls-log\",\"version\":\"1.0.0\",\"state\":\"loaded\""), "nothing changes before a restart")
        #expect(try AdminScreenTests.press(server, "/admin/plugins/nothing-such/disable").status == 404)

        // Stopped and started again by hand on the same data directory: the choice holds.
        server.stop()
        server = try home.start()
        let after = try health(server)
        #expect(after.contains("\"id\":\"falls-log\",\"version\":\"1.0.0\",\"state\":\"disabled\",\"reason\":\"disabled on the administration page by ada"), "\(after)")
        #expect(after.contains("\"id\":\"residents\",\"version\":\"1.0.0\",\"state\":\"loaded\""))

        // Enabled again, then Restart on the page: the same process starts again in place and loads it.
        try server.signIn("ada")
        #expect(try AdminScreenTests.press(server, "/admin/plugins/falls-log/enable").status == 303)
        let pid = server.process.processIdentifier
        let restarting = try AdminScreenTests.press(server, "/admin/restart")
        #expect(restarting.status == 200)
        #expect(AdminScreenTests.text(restarting.body).contains("The appliance is restarting"))
        try server.waitForRestart()
        #expect(server.process.processIdentifier == pid && server.process.isRunning)
        #expect(try health(server).contains("\"id\":\"falls-log\",\"version\":\"1.0.0\",\"state\":\"loaded\""))
        #expect(try server.get("/admin").status == 200, "still signed in after the restart")
        // It still stops cleanly on SIGTERM after starting again in place.
        server.stop()
        #expect(server.process.terminationStatus == 0)
        #expect(try sqlite(home.database, "SELECT group_concat(action, ',') FROM (SELECT action FROM core_audit WHERE action LIKE 'plugin-%' OR action = 'restart' ORDER BY id)")
                == "plugin-disable,plugin-enable,restart")
    }
}
