import CareHTTP
import CareKit
import CareStore
import Foundation
import GRDB

/// The admin's screen (issue 20): what needs attention first, then backups (Back up now with progress,
/// the list, downloads, the age of the last good one), the restore drill, plugins (enable or disable,
/// a graceful restart) and the box's health. Manager and admin only; every change CSRF-checked (the
/// pipeline) and audited.
extension Appliance {
    /// Over this age the page warns about the last good backup: the nightly one runs at about 02:30, so a
    /// backup more than 26 hours old means last night's did not happen. (`/healthz` and `/metrics` say
    /// "overdue" at 36 hours, for the care group's alerts.)
    static let backupWarningAge: TimeInterval = 26 * 3600

    /// The admin screen's routes under /admin: routes of the built-in plugin, run like any plugin's.
    var adminScreenRoutes: [Route] {
        let managers: Set<Role> = [.manager, .admin]
        return [
            corePage(.post, "/admin/backups", roles: managers) { app, request in app.startBackup(request) },
            coreExchangePage(.get, "/admin/backups/download", roles: managers) { app, request, exchange in
                exchange.answer(app.downloadBackup(request, http: exchange.http, viewer: exchange.viewer))
            },
            corePage(.post, "/admin/restore-drill", roles: managers) { app, request in app.startRestoreDrill(request) },
            corePage(.get, "/admin/restore-drill", roles: managers) { app, request in try app.restoreDrillPage(request) },
            coreExchangePage(.get, "/admin/jobs/status", roles: managers) { app, _, exchange in exchange.answer(app.jobStatus()) },
            corePage(.post, "/admin/restart", roles: managers) { app, request in app.restart(request) },
            // enable, disable or default
            corePage(.post, "/admin/plugins/:id/:action", roles: managers) { app, request in
                try app.choosePlugin(request, id: request.pathParameters["id"] ?? "", action: request.pathParameters["action"] ?? "")
            },
        ]
    }

    // MARK: - The page

    /// The sections of the admin page below the links: attention first, then backups, the drill,
    /// plugins and the appliance's health.
    func adminScreenSections(_ request: Request) -> HTML {
        let now = Date()
        let backups = configuration.backupDirectory.map { BackupCatalog.list(directory: $0, pool: home.pool) } ?? []
        let lastBackup = BackupStatus.load(dataDirectory: configuration.dataDirectory)
        let drills = (try? RestoreDrill.recent(pool: home.pool, limit: 1)) ?? []
        let lastSuccess = try? RestoreDrill.lastSuccess(pool: home.pool)
        let health = systemHealth(latestBackupBytes: backups.first?.bytes)
        let choices = (try? PluginChoices.load(pool: home.pool)) ?? [:]

        var attention: [HTML] = []
        // Backups.
        if let lastBackup {
            let age = lastBackup.age(at: now)
            if age > Appliance.backupWarningAge {
                attention.append(UI.banner(.warning, title: "The last good backup is \(SystemHealth.duration(age)) old",
                    "<p>The nightly backup should be less than a day old. Check the backup drive is mounted and read <code>journalctl -u carehome-backup</code>; or press Back up now below.</p>"))
            }
        } else {
            attention.append(UI.banner(.warning, title: "No backup has been taken on this appliance",
                "<p>Press Back up now below, and check the nightly backup timer. Keep copies off the box.</p>"))
        }
        // The restore drill.
        if let last = drills.first, !last.ok {
            attention.append(UI.banner(.danger, title: "The last restore drill failed",
                "<p>\(HomeTime.display(last.finishedAt)), \(last.backupFile): \(last.detail)</p><p><a href=\"/admin/restore-drill\">What was checked</a></p>"))
        }
        if let lastSuccess {
            if now.timeIntervalSince(lastSuccess.finishedAt) > RestoreDrill.dueAfter {
                attention.append(UI.banner(.warning, title: "A restore drill is due",
                    "<p>The last one that passed was \(SystemHealth.ago(now.timeIntervalSince(lastSuccess.finishedAt))). The Data Security and Protection Toolkit asks for a tested restore at least once a year.</p>"))
            }
        } else if drills.first?.ok != false {
            attention.append(UI.banner(.warning, title: "No restore drill has passed on this appliance",
                "<p>Run one below: the Data Security and Protection Toolkit asks for a tested restore at least once a year.</p>"))
        }
        // Plugins and a restart waiting.
        let failed = host.statuses.filter { $0.state == .failed }
        if !failed.isEmpty {
            attention.append(UI.banner(.warning, title: failed.count == 1 ? "A plugin did not load" : "\(failed.count) plugins did not load",
                "<p>\(failed.map { "\($0.displayName): \($0.reason ?? "unknown reason")" }.joined(separator: ". ")). See Plugins below.</p>"))
        }
        if !pendingPluginChanges(choices: choices).isEmpty {
            attention.append(UI.banner(.info, title: "Plugin changes wait for a restart", "<p>Restart the appliance (under Plugins) to apply them.</p>"))
        }
        for warning in health.warnings {
            attention.append(UI.banner(warning.danger ? .danger : .warning, title: warning.title, "<p>\(warning.detail)</p>"))
        }
        let attentionSection = UI.section("Needs attention", attention.isEmpty
            ? UI.banner(.success, title: "Nothing needs attention", "<p>Backups, the restore drill, plugins, disk space, memory, the certificate and the clock are all in order.</p>")
            : attention.joined())

        return """
        \(jobPanel())\(attentionSection)
        \(backupSection(request, backups: backups, lastBackup: lastBackup, now: now))
        \(drillSection(request, last: drills.first, lastSuccess: lastSuccess, now: now))
        \(pluginSection(request, choices: choices))
        \(healthSection(health))
        <script src="/assets/admin.js" defer></script>
        """
    }

    /// The running (or just finished) backup or drill, with progress; the script refreshes it.
    private func jobPanel() -> HTML {
        guard let job = admin.jobs.current else { return .empty }
        if job.isRunning {
            return """
            <div class="banner banner-info job-progress" id="job-progress"><p class="banner-title" id="job-progress-text" role="status">\(Appliance.jobText(job))</p>\
            <progress id="job-progress-bar" max="100" value="\(job.percent)" aria-labelledby="job-progress-text">\(job.percent)%</progress>\
            <p class="hint">Started by \(job.startedBy) at \(HomeTime.displayTime(job.startedAt)). Staff can keep working. \
            This page follows it by itself; without JavaScript, <a href="/admin">reload the page</a> to see how it is going.</p></div>
            """
        }
        // The outcome stays on the page for an hour; the lasting record is the list, the drill and the audit trail.
        guard let finishedAt = job.finishedAt, Date().timeIntervalSince(finishedAt) < 3600 else { return .empty }
        let finished = " at \(HomeTime.displayTime(finishedAt))"
        return job.succeeded == true
            ? UI.banner(.success, title: "\(job.kind.title) finished\(finished)", "<p>\(job.outcome ?? "")</p>")
            : UI.banner(.danger, title: "\(job.kind.title) failed\(finished)", "<p>\(job.outcome ?? "")</p>")
    }

    static func jobText(_ job: BackupJobs.Job) -> String {
        "\(job.kind == .backup ? "Backup" : "Restore drill") running… \(job.percent)% (\(job.step))"
    }

    private func backupSection(_ request: Request, backups: [BackupFile], lastBackup: BackupStatus?, now: Date) -> HTML {
        var lines: [HTML] = []
        if let lastBackup {
            let age = lastBackup.age(at: now)
            let tag = age > Appliance.backupWarningAge ? UI.tag("Over a day old", colour: "orange") : UI.tag("Up to date", colour: "green")
            lines.append("<p class=\"lead\">Last good backup: \(SystemHealth.ago(age)) \(tag)</p><p>\(HomeTime.display(lastBackup.finishedAt)), \(SystemHealth.size(Int64(lastBackup.bytes))), \(lastBackup.encrypted ? "encrypted" : "not encrypted"), <code>\(lastBackup.file)</code>.</p>")
        } else {
            lines.append("<p class=\"lead\">Last good backup: none yet \(UI.tag("No backup", colour: "red"))</p>")
        }
        let where_: HTML
        let encryption: HTML
        if let directory = configuration.backupDirectory {
            where_ = "<p>Backups are written to <code>\(directory.path)</code> (<code>backup_dir</code>): on an installed appliance the nightly one at about 02:30, and one whenever Back up now is pressed. The newest of each of 14 days, 8 weeks and 12 months is kept.</p>"
            if let key = configuration.resolvedBackupKeyFile, configuration.backupKeyFile != nil || FileManager.default.fileExists(atPath: key.path) {
                encryption = "<p>They are encrypted with the key <code>\(key.path)</code>. A copy taken off the box is useless without that key: keep the key apart from the drives, in the home's safe or the IT provider's password manager.</p>"
            } else {
                encryption = "<p>Backups taken here are <strong>not encrypted</strong>: no backup key was found (<code>backup_key</code> in carehome.conf, or <code>backup.key</code> beside it). Each has a keyed digest beside it, which restore checks.</p>"
            }
        } else {
            where_ = "<p>No backup directory is set: add <code>backup_dir</code> to carehome.conf and restart the appliance.</p>"
            encryption = .empty
        }
        let button: HTML = configuration.backupDirectory == nil ? .empty : """
        \(Form.start(action: "/admin/backups", request: request))<button type="submit" class="button button-primary" id="f-backup-now">Back up now</button>\
        <span class="hint">One backup at a time; staff can keep working while it runs.</span>\(Form.end)
        """
        let rows = backups.map { file -> [HTML] in
            let checked: HTML
            if let check = file.check {
                checked = check.ok
                    ? "\(UI.tag("Verified", colour: "green")) <span class=\"hint\">\(check.how), \(HomeTime.display(check.checkedAt))</span>"
                    : "\(UI.tag("Failed", colour: "red")) <span class=\"hint\">\(check.how), \(HomeTime.display(check.checkedAt)): \(check.detail)</span>"
            } else if file.changedSinceCheck {
                checked = "\(UI.tag("Changed since checked", colour: "orange"))"
            } else {
                checked = "\(UI.tag("Not checked here", colour: "grey"))"
            }
            let link = "/admin/backups/download?file=" + Appliance.percentEncode(file.name)
            var download: HTML = "<a href=\"\(link)\" download>Download<span class=\"visually-hidden\"> \(file.name)</span></a>"
            if !file.encrypted, FileManager.default.fileExists(atPath: BackupDigest.file(for: file.url).path) {
                let digest = "/admin/backups/download?file=" + Appliance.percentEncode(file.name + ".digest")
                download += " · <a href=\"\(digest)\" download>digest<span class=\"visually-hidden\"> of \(file.name)</span></a>"
            }
            return [HTML(text: HomeTime.display(file.madeAt)), "<code>\(file.name)</code>", HTML(text: SystemHealth.size(file.bytes)),
                    HTML(text: file.encrypted ? "Yes" : "No"), checked, download]
        }
        let table = UI.actionTable(caption: "Backups in the backup directory, newest first",
                                   headerCells: ["Made", "File", "Size", "Encrypted", "Checked", "Download"].map { HTML(text: $0) },
                                   rows: rows, emptyMessage: "There are no backups in the backup directory yet.")
        let offsite: HTML = backups.isEmpty ? .empty : "<p class=\"hint\">Download a backup for the off-site copy (the DSPT asks for one kept away from the box); each download is recorded in the audit trail.</p>"
        return UI.section("Backups", lines.joined() + button + where_ + encryption + table + offsite)
    }

    private func drillSection(_ request: Request, last: RestoreDrillRecord?, lastSuccess: RestoreDrillRecord?, now: Date) -> HTML {
        var body: HTML = "<p>A restore drill restores the newest backup into a scratch directory on this box, checks it (SQLite's integrity check, the audit trail against the live one), counts its records beside the live home's, records the result and deletes the copy. The live records are not touched.</p>"
        if let last {
            let result = last.ok ? UI.tag("Passed", colour: "green") : UI.tag("Failed", colour: "red")
            body += UI.summaryList([
                ("Last drill", "\(HomeTime.display(last.finishedAt)) (\(SystemHealth.ago(now.timeIntervalSince(last.finishedAt)))) \(result)"),
                ("Backup restored", "<code>\(last.backupFile)</code>\(last.backupMadeAt.map { ", made \(HomeTime.display($0))" } ?? "")"),
                ("Took", HTML(text: last.seconds < 60 ? "\(last.seconds) seconds" : SystemHealth.duration(TimeInterval(last.seconds)))),
                ("Run by", HTML(text: last.runBy)),
            ])
            body += "<p><a href=\"/admin/restore-drill\">What was checked, and the record counts side by side</a></p>"
        } else {
            body += "<p class=\"lead\">No restore drill has been run on this appliance.</p>"
        }
        if let lastSuccess, last?.ok == false {
            body += "<p>The last drill that passed: \(HomeTime.display(lastSuccess.finishedAt)).</p>"
        }
        body += """
        \(Form.start(action: "/admin/restore-drill", request: request))<button type="submit" class="button button-secondary" id="f-restore-drill">Run a restore drill</button>\
        <span class="hint">It needs free space in the data directory about the size of the backup, and takes about as long as a backup.</span>\(Form.end)
        """
        return UI.section("Restore drill", body)
    }

    /// Plugins whose state after a restart differs from now: (id, will load).
    private func pendingPluginChanges(choices: [String: PluginChoice]) -> [(String, Bool)] {
        host.statuses.compactMap { status in
            let willLoad = PluginChoices.isEnabled(status.id, choices: choices, configured: configuration.enabledPlugins)
            return willLoad == (status.state == .disabled) ? (status.id, willLoad) : nil
        }
    }

    private func pluginSection(_ request: Request, choices: [String: PluginChoice]) -> HTML {
        let requirements = host.requirements
        let pending = Dictionary(pendingPluginChanges(choices: choices), uniquingKeysWith: { a, _ in a })
        let rows = host.statuses.map { status -> [HTML] in
            let colour = status.state == .loaded ? "green" : (status.state == .disabled ? "grey" : "red")
            var state: HTML = UI.tag(status.state.rawValue.capitalized, colour: colour)
            if let willLoad = pending[status.id] {
                state += " <span class=\"hint\">\(willLoad ? "Enabled after a restart" : "Disabled after a restart")</span>"
            }
            let willLoad = PluginChoices.isEnabled(status.id, choices: choices, configured: configuration.enabledPlugins)
            let dependents = requirements.filter { $0.value.contains(status.id) }.map(\.key).sorted()
            var actions: HTML = "\(Form.start(action: "/admin/plugins/\(status.id)/\(willLoad ? "disable" : "enable")", request: request))\(Form.submit(willLoad ? "Disable" : "Enable", kind: "secondary"))<span class=\"visually-hidden\"> \(status.displayName)</span>\(Form.end)"
            if willLoad, !dependents.isEmpty {
                actions += "<span class=\"hint\">Also stops: \(dependents.joined(separator: ", "))</span>"
            }
            if let choice = choices[status.id] {
                actions += "<span class=\"hint\">\(choice.enabled ? "Enabled" : "Disabled") here by \(choice.changedBy), \(HomeTime.display(choice.changedAt)).</span>"
                actions += "\(Form.start(action: "/admin/plugins/\(status.id)/default", request: request))\(Form.submit("Use carehome.conf", kind: "secondary"))\(Form.end)"
            }
            return [HTML(text: status.displayName), "<code>\(status.id)</code>", HTML(text: status.version), state, HTML(text: status.reason ?? "—"), actions]
        }
        let table = UI.actionTable(caption: "Plugins found in the plugins directory",
                                   headerCells: ["Name", "Id", "Version", "State", "Why not loaded", "Change"].map { HTML(text: $0) },
                                   rows: rows, emptyMessage: "No plugins were found.")
        let explain: HTML = """
        <p>Enabling or disabling a plugin takes effect when the appliance restarts. The choice made here is kept in the home's \
        database (so it survives upgrades and comes back with a restored backup) and overrides <code>plugins_enabled</code> in \
        carehome.conf, which the appliance cannot change while it runs under systemd. \"Use carehome.conf\" forgets the choice. \
        A disabled plugin's records are kept; they come back when it is enabled again.</p>
        """
        let underSystemd = ProcessInfo.processInfo.environment["INVOCATION_ID"] != nil
        let how: HTML = underSystemd
            ? "<p>The appliance finishes the requests in progress, stops, and starts again in its place in about 10 seconds; staff stay signed in. Should it fail to start again, systemd (carehome.service, <code>Restart=on-failure</code>) brings it back.</p>"
            : "<p>The appliance finishes the requests in progress, stops, and starts again in its place (the same command and address) in about 10 seconds; staff stay signed in. It is not running under systemd here, so if it cannot start again it stays stopped: start it by hand (<code>make run</code>).</p>"
        let restartForm: HTML = admin.canRestart ? """
        \(Form.start(action: "/admin/restart", request: request))<button type="submit" class="button button-warning" id="f-restart">Restart the appliance</button>\(Form.end)
        """ : "<p>This copy of the appliance cannot restart itself: stop it and start it again.</p>"
        return UI.section("Plugins", table + explain + "<h3>Restart</h3>" + how + restartForm)
    }

    private func healthSection(_ health: SystemHealth) -> HTML {
        var rows: [(key: String, value: HTML)] = []
        for disk in health.disks {
            rows.append((disk.label, "\(SystemHealth.size(disk.free)) free of \(SystemHealth.size(disk.total)) <span class=\"hint\"><code>\(disk.path)</code></span>"))
        }
        var memory: [String] = []
        if let total = health.memoryTotal { memory.append("\(SystemHealth.size(total)) in the box") }
        if let available = health.memoryAvailable { memory.append("\(SystemHealth.size(available)) available") }
        if let resident = health.processResident { memory.append("the appliance uses \(SystemHealth.size(resident))") }
        if let swap = health.swapTotal, swap > 0, let used = health.swapUsed { memory.append("swap \(SystemHealth.size(used)) of \(SystemHealth.size(swap)) in use") }
        if health.memoryAvailable == nil { memory.append("free memory cannot be read inside the service's sandbox") }
        rows.append(("Memory", HTML(text: memory.joined(separator: "; "))))
        var uptime = "The appliance has been running for \(SystemHealth.duration(health.applianceUptime))"
        if let box = health.boxUptime { uptime += "; the box for \(SystemHealth.duration(box))" }
        rows.append(("Uptime", HTML(text: uptime + ".")))
        if let file = health.certificateFile {
            let expiry = health.certificateExpires.map { "expires \(HomeTime.display($0)) (\($0 > health.now ? SystemHealth.inWords($0.timeIntervalSince(health.now)) : "expired"))" } ?? "expiry unknown"
            rows.append(("HTTPS certificate", "<code>\(file)</code>, \(expiry)"))
        } else {
            rows.append(("HTTPS certificate", "None: served over plain HTTP (tls_cert is not set)."))
        }
        let clock: String
        switch health.clock {
        case .synchronised(let how): clock = "Synchronised: \(how)."
        case .notSynchronised(let how): clock = "Not synchronised: \(how)."
        case .unknown(let why): clock = "Unknown: \(why)."
        }
        rows.append(("Clock", HTML(text: "\(HomeTime.display(health.now)). \(clock)")))
        rows.append(("Database", "<code>\(home.url.path)</code>, schema \((try? home.schemaVersion()) ?? 0), carehome \(Appliance.version)"))
        let monitoring: HTML = configuration.metricsToken == nil
            ? "<code>/metrics</code> is off. Set <code>metrics_token</code> in carehome.conf to let the care group's or ICB's Prometheus read the home's figures (counts only, no personal data)."
            : "<code>/metrics</code> is on, for requests that carry the token set as <code>metrics_token</code> in carehome.conf."
        rows.append(("Monitoring", monitoring))
        return UI.section("Appliance", UI.summaryList(rows))
    }

    /// The box's health, cached for a few seconds.
    func systemHealth(latestBackupBytes: Int64?) -> SystemHealth {
        admin.health.value {
            let databaseBytes = ["", "-wal"].reduce(Int64(0)) { total, suffix in
                total + (((try? FileManager.default.attributesOfItem(atPath: home.url.path + suffix))?[.size] as? NSNumber)?.int64Value ?? 0)
            }
            let newest = try? home.pool.read { db in try String.fetchOne(db, sql: "SELECT MAX(at) FROM core_audit") }.flatMap(Timestamp.parse)
            return SystemHealth.gather(configuration: configuration, databaseBytes: databaseBytes, latestBackupBytes: latestBackupBytes,
                                       newestRecord: newest ?? nil, startedAt: admin.startedAt)
        }
    }

    // MARK: - Back up now

    func startBackup(_ request: Request) -> Response {
        var errors = FormErrors()
        let cipher: BackupCipher?
        do { cipher = try ApplianceBackup.cipher(for: configuration) } catch {
            errors.add("backup-now", "The backup key cannot be used: \(error). Nothing was backed up.")
            return adminPage(request, errors: errors, status: 422)
        }
        guard let directory = configuration.backupDirectory else {
            errors.add("backup-now", "No backup directory is set: add backup_dir to carehome.conf and restart the appliance.")
            return adminPage(request, errors: errors, status: 422)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            errors.add("backup-now", "The backup directory \(directory.path) does not exist. Is the backup drive plugged in and mounted?")
            return adminPage(request, errors: errors, status: 422)
        }
        let who = request.principal.username
        let address = request.remoteAddress
        let userID = request.principal.userID
        let running = admin.jobs.start(.backup, by: who, firstStep: "Starting") { [self] progress in
            do {
                let outcome = try ApplianceBackup.take(home: home, configuration: configuration, to: .directory(directory), cipher: cipher,
                                                       keepRetention: true) { step in
                    try progress.report(step.percent < 100 ? "Copying the database" : "Checking\(cipher == nil ? "" : ", encrypting") and verifying the copy",
                                        percent: step.percent * 9 / 10)
                }
                audit.record(AuditEntry(userID: userID, username: who, address: address, source: "core", action: "backup",
                                        detail: "backup written to \(outcome.file.lastPathComponent)\(cipher == nil ? "" : " (encrypted)") from the admin page"), durable: true)
                outcome.problems.forEach { logger.warning("retention", metadata: ["detail": .string($0)]) }
                return "\(outcome.file.lastPathComponent): \(SystemHealth.size(Int64(outcome.summary.bytes))), checked (integrity ok, schema \(outcome.summary.schemaVersion), \(outcome.summary.tableCount) tables)."
            } catch {
                logger.error("backup from the admin page failed", metadata: ["error": .string("\(error)")])
                audit.record(AuditEntry(userID: userID, username: who, address: address, source: "core", action: "backup-failed", detail: "\(error)"), durable: true)
                throw error
            }
        }
        if let running {
            errors.add("backup-now", "A \(running.kind.title.lowercased()) is already running (started by \(running.startedBy) at \(HomeTime.displayTime(running.startedAt))). Wait for it to finish.")
            return adminPage(request, errors: errors, status: 409)
        }
        audit.record(AuditEntry(userID: userID, username: who, address: address, source: "core", action: "backup-started", detail: "Back up now, to \(directory.path)"), durable: true)
        return .redirect(to: "/admin", flash: "Backup started. This page shows how it is going.")
    }

    // MARK: - Download

    /// Streams one backup (or its digest) from the backup directory: never read into memory.
    func downloadBackup(_ request: Request, http: HTTPRequest, viewer: Shell.Viewer) -> HTTPResponse {
        let name = request.query["file"] ?? ""
        let backupName = name.hasSuffix(".digest") ? String(name.dropLast(".digest".count)) : name
        // Only a file the list shows (by exact name) can be fetched: no path, no hidden file, no link.
        // Plain names only (they go into a header): what this appliance and the installer write.
        let plain = !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
        guard plain, let directory = configuration.backupDirectory, BackupCatalog.isBackupName(backupName),
              BackupCatalog.list(directory: directory, pool: nil).contains(where: { $0.name == backupName }) else {
            return notFound(viewer: viewer, http: http, requestID: request.requestID)
        }
        let path = directory.appendingPathComponent(name).path
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return notFound(viewer: viewer, http: http, requestID: request.requestID) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            return notFound(viewer: viewer, http: http, requestID: request.requestID)
        }
        if request.method == .head {
            close(fd)
            return HTTPResponse(status: 200, headers: [("Content-Type", "application/octet-stream"), ("Cache-Control", "no-store")])
        }
        audit.record(AuditEntry(userID: request.principal.userID, username: request.principal.username, address: request.remoteAddress,
                                source: "core", action: "backup-download", detail: "\(name), \(info.st_size) bytes"), durable: true)
        var response = HTTPResponse(status: 200, headers: [("Content-Type", "application/octet-stream"),
                                                           ("Content-Disposition", "attachment; filename=\"\(name)\""),
                                                           ("Cache-Control", "no-store")])
        response.file = ResponseFile(descriptor: fd, size: UInt64(info.st_size))
        return response
    }

    // MARK: - Progress for the script

    func jobStatus() -> HTTPResponse {
        let job = admin.jobs.current
        var json = "{\"running\":\(job?.isRunning == true),\"started\":\"\(Timestamp.format(admin.startedAt))\""
        if let job {
            json += ",\"kind\":\"\(job.kind.rawValue)\",\"percent\":\(job.percent),\"text\":\"\(Appliance.jsonEscape(Appliance.jobText(job)))\""
        }
        json += "}"
        return HTTPResponse(status: 200, headers: [("Content-Type", "application/json"), ("Cache-Control", "no-store")], body: Array(json.utf8))
    }

    // MARK: - Restore drill

    func startRestoreDrill(_ request: Request) -> Response {
        var errors = FormErrors()
        let cipher: BackupCipher?
        do { cipher = try ApplianceBackup.cipher(for: configuration) } catch {
            errors.add("restore-drill", "The backup key cannot be used: \(error). The drill did not run.")
            return adminPage(request, errors: errors, status: 422)
        }
        let setup = RestoreDrill.Setup(home: home, configuration: configuration, cipher: cipher, auditAnchor: audit.anchor,
                                       runBy: request.principal.username)
        let (who, address, userID) = (request.principal.username, request.remoteAddress, request.principal.userID)
        let running = admin.jobs.start(.restoreDrill, by: who, firstStep: "Starting") { [self] progress in
            let record = try RestoreDrill.run(setup) { step, percent in try progress.report(step, percent: percent) }
            audit.record(AuditEntry(userID: userID, username: who, address: address, source: "core", action: "restore-drill",
                                    detail: "\(record.ok ? "passed" : "failed"): \(record.backupFile)\(record.ok ? "" : ": " + record.detail)"), durable: true)
            guard record.ok else { throw DrillFailure(record.detail) }
            return "Passed in \(record.seconds) s: \(record.backupFile) restored and checked. See the record counts under Restore drill."
        }
        if let running {
            errors.add("restore-drill", "A \(running.kind.title.lowercased()) is already running (started by \(running.startedBy) at \(HomeTime.displayTime(running.startedAt))). Wait for it to finish.")
            return adminPage(request, errors: errors, status: 409)
        }
        return .redirect(to: "/admin", flash: "Restore drill started. This page shows how it is going.")
    }

    func restoreDrillPage(_ request: Request) throws -> Response {
        let drills = try RestoreDrill.recent(pool: home.pool, limit: 10)
        var body: HTML = ""
        if let last = drills.first {
            body += last.ok
                ? UI.banner(.success, title: "The last drill passed", "<p>\(HomeTime.display(last.finishedAt)): \(last.detail)</p>")
                : UI.banner(.danger, title: "The last drill failed", "<p>\(HomeTime.display(last.finishedAt)): \(last.detail)</p>")
            let rows = last.counts.map { count -> [HTML] in
                let difference: HTML = count.live.map { live in
                    live == count.backup ? "same" : HTML(text: live > count.backup ? "+\(live - count.backup) since" : "\(live - count.backup)")
                } ?? "not in the live home"
                return ["<code>\(count.table)</code>", HTML(text: String(count.backup)), HTML(text: count.live.map(String.init) ?? "—"), difference]
            }
            let made = last.backupMadeAt.map { " (made \(HomeTime.display($0)))" } ?? ""
            // The records people ask about first, in their words; every table follows.
            let headline: [(String, String)] = [("residents_residents", "Residents (all stays, past and present)"), ("falls_log_falls", "Falls"),
                                                ("deterioration_observations", "Observations"), ("transfers_transfers", "Hospital transfers"),
                                                ("medication_review_reviews", "Medication reviews"), ("home_round_rounds", "Home rounds"),
                                                ("core_users", "Staff accounts"), ("core_audit", "Audit trail entries")]
            let headlineRows = headline.compactMap { table, words -> (key: String, value: HTML)? in
                guard let count = last.counts.first(where: { $0.table == table }) else { return nil }
                return (words, HTML(text: "\(count.backup) in the backup, \(count.live.map(String.init) ?? "none") in the live home now"))
            }
            let headlineList = headlineRows.isEmpty ? HTML.empty : UI.summaryList(headlineRows)
            body += UI.section("Records in \(last.backupFile) beside the live home", headlineList + "<p>Rows in each table of the restored copy\(made), and in the live home now: the live home has the records added since the backup.</p>"
                + UI.table(caption: "Rows per table: backup and live home", headers: ["Table", "In the backup", "Live now", "Difference"], rows: rows,
                           emptyMessage: "The drill failed before the records were counted."))
        } else {
            body += "<p class=\"lead\">No restore drill has been run on this appliance. Run one from the administration page.</p>"
        }
        let history = drills.map { drill -> [HTML] in
            [HTML(text: HomeTime.display(drill.finishedAt)), drill.ok ? UI.tag("Passed", colour: "green") : UI.tag("Failed", colour: "red"),
             "<code>\(drill.backupFile)</code>", HTML(text: "\(drill.seconds) s"), HTML(text: drill.runBy)]
        }
        body += UI.section("Drills", UI.table(caption: "The last 10 restore drills, newest first", headers: ["When", "Result", "Backup", "Took", "Run by"],
                                              rows: history, emptyMessage: "None yet."))
        body += "<p><a href=\"/admin\">Back to administration</a></p>"
        return .page(Page(title: "Restore drill", breadcrumbs: [("Administration", "/admin")], containsPersonalData: false, body: body))
    }

    // MARK: - Plugins

    func choosePlugin(_ request: Request, id: String, action: String) throws -> Response {
        guard let status = host.statuses.first(where: { $0.id == id }), ["enable", "disable", "default"].contains(action) else {
            throw CareError.notFound("There is no such plugin.")
        }
        switch action {
        case "default": try PluginChoices.clear(id, pool: home.pool)
        default: try PluginChoices.set(id, enabled: action == "enable", by: request.principal.username, pool: home.pool)
        }
        audit.record(AuditEntry(userID: request.principal.userID, username: request.principal.username, address: request.remoteAddress,
                                source: "core", action: "plugin-\(action)", detail: "\(id): takes effect at the next restart"), durable: true)
        let what = action == "default" ? "will follow carehome.conf" : (action == "enable" ? "will be enabled" : "will be disabled")
        return .redirect(to: "/admin", flash: "\(status.displayName) \(what) when the appliance restarts. Restart it under Plugins when convenient.")
    }

    // MARK: - Restart

    func restart(_ request: Request) -> Response {
        var errors = FormErrors()
        // The process starts again in its own place (exec, same PID): systemd sees no stop and no start,
        // so its limit of 5 starts in 10 minutes does not come into it.
        if let job = admin.jobs.current, job.isRunning {
            errors.add("restart", "A \(job.kind.title.lowercased()) is running: restart when it has finished, or it would be cut off.")
        } else if !admin.canRestart {
            errors.add("restart", "This copy of the appliance cannot restart itself: stop it and start it again.")
        }
        guard errors.isEmpty else { return adminPage(request, errors: errors, status: 409) }
        audit.record(AuditEntry(userID: request.principal.userID, username: request.principal.username, address: request.remoteAddress,
                                source: "core", action: "restart", detail: "graceful restart from the admin page"), durable: true)
        audit.flush()
        _ = admin.requestRestart()
        logger.info("restart requested from the admin page", metadata: ["user.id": .stringConvertible(request.principal.userID)])
        let body: HTML = """
        <div class="banner banner-info" id="restart-wait" data-started="\(Timestamp.format(admin.startedAt))"><p class="banner-title" role="status" id="restart-text">The appliance is restarting</p>\
        <p>It finishes the requests in progress, stops and starts again: wait about 10 seconds, then <a href="/admin">open the administration page again</a>. \
        With JavaScript on, this page goes back there by itself when the appliance answers.</p></div>
        <script src="/assets/admin.js" defer></script>
        """
        return .page(Page(title: "Restarting", breadcrumbs: [("Administration", "/admin")], containsPersonalData: false, body: body))
    }
}

extension Appliance {
    /// The admin screen's figures for `/metrics`: the restore drill (the DSPT's yearly test), and the
    /// health warnings a care group would want before they bite. No personal data.
    func adminMetrics(now: Date) -> [Metric] {
        var metrics: [Metric] = []
        let last = (try? RestoreDrill.recent(pool: home.pool, limit: 1))?.first
        let success = try? RestoreDrill.lastSuccess(pool: home.pool)
        metrics.append(Metric("carehome_restore_drill_last_success_timestamp_seconds",
                              help: "When the last restore drill that passed finished (Unix time); 0 when none has passed",
                              samples: [Metric.Sample((success?.finishedAt.timeIntervalSince1970 ?? 0).rounded())]))
        if let last {
            metrics.append(Metric("carehome_restore_drill_last_result", help: "1 when the last restore drill passed, 0 when it failed (absent before the first)",
                                  value: last.ok ? 1 : 0))
        }
        metrics.append(Metric("carehome_restore_drill_due", help: "1 when no restore drill has passed in the last year",
                              value: success.map { now.timeIntervalSince($0.finishedAt) > RestoreDrill.dueAfter } ?? true ? 1 : 0))
        let health = systemHealth(latestBackupBytes: configuration.backupDirectory.flatMap { BackupCatalog.latest(directory: $0)?.bytes })
        metrics.append(Metric("carehome_disk_free_bytes", help: "Free space for the appliance on the file system of its data and backup directories",
                              samples: health.disks.map { Metric.Sample(Double($0.free), labels: ["directory": $0.label == "Data directory" ? "data" : "backup"]) }))
        if let expires = health.certificateExpires {
            metrics.append(Metric("carehome_tls_certificate_expiry_timestamp_seconds", help: "When the HTTPS certificate expires (Unix time)",
                                  samples: [Metric.Sample(expires.timeIntervalSince1970.rounded())]))
        }
        let clock: Int
        switch health.clock {
        case .synchronised: clock = 1
        case .notSynchronised: clock = 0
        case .unknown: clock = -1
        }
        metrics.append(Metric("carehome_clock_synchronised", help: "1 when the clock is synchronised with a time server, 0 when not, -1 when it cannot be told",
                              value: clock))
        metrics.append(Metric("carehome_health_warnings", help: "Warnings the admin page shows about the box (disk, memory, certificate, clock)",
                              value: health.warnings.count))
        return metrics
    }
}

extension Appliance {
    /// Called (once) when the admin page asks for a restart; `serve` stops gracefully and starts again.
    package func onRestartRequested(_ handler: @escaping @Sendable () -> Void) { admin.onRestart(handler) }

    /// Whether the stop under way is a restart asked for on the admin page.
    package var restartRequested: Bool { admin.restartRequested }

    /// The admin page's background job (tests wait for it).
    package var backgroundJobs: BackupJobs { admin.jobs }
}
