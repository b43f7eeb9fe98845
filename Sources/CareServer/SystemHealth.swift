package import CareKit
import CLinuxSystem
package import Foundation

/// The box's state as the admin page shows it: disk space, memory, uptime, the certificate and the clock,
/// and the warnings that follow from them, in plain words, before they bite.
package struct SystemHealth: Sendable {
    package struct Disk: Sendable {
        package var label: String
        package var path: String
        package var free: Int64
        package var total: Int64
        /// The most one job (a backup, a restore drill) needs here.
        package var needed: Int64

        package init(label: String, path: String, free: Int64, total: Int64, needed: Int64) {
            (self.label, self.path, self.free, self.total, self.needed) = (label, path, free, total, needed)
        }
    }

    package enum Clock: Sendable, Equatable {
        case synchronised(how: String)
        case notSynchronised(how: String)
        case unknown(why: String)
    }

    package struct Warning: Sendable, Equatable {
        package var danger: Bool
        package var title: String
        package var detail: String
    }

    package var disks: [Disk] = []
    /// The backup directory is on the same file system as the records (a drive not mounted, or none
    /// fitted): one failing disk would lose both.
    package var backupsBesideRecords = false
    package var problems: [Warning] = []
    package var memoryTotal: Int64?
    /// What the kernel could give without swapping (MemAvailable); nil where /proc/meminfo is hidden
    /// (the service's sandbox, ProcSubset=pid).
    package var memoryAvailable: Int64?
    package var swapTotal: Int64?
    package var swapUsed: Int64?
    /// The appliance's own resident memory.
    package var processResident: Int64?
    package var boxUptime: TimeInterval?
    package var applianceUptime: TimeInterval
    package var certificateFile: String?
    package var certificateExpires: Date?
    package var clock: Clock
    /// The newest time written in the audit trail (every save is audited).
    package var newestRecord: Date?
    package var now: Date

    package init(applianceUptime: TimeInterval, clock: Clock, newestRecord: Date?, now: Date) {
        self.applianceUptime = applianceUptime
        self.clock = clock
        self.newestRecord = newestRecord
        self.now = now
    }

    // MARK: Gathering

    /// Reads everything (a few system calls and small files; `timedatectl` only as a last resort).
    package static func gather(configuration: ApplianceConfiguration, databaseBytes: Int64, latestBackupBytes: Int64?,
                               newestRecord: Date?, startedAt: Date, now: Date = Date()) -> SystemHealth {
        var health = SystemHealth(applianceUptime: now.timeIntervalSince(startedAt), clock: clockState(), newestRecord: newestRecord, now: now)
        func disk(_ label: String, _ directory: URL, needed: Int64) {
            var info = statvfs()
            if statvfs(directory.path, &info) == 0 {
                health.disks.append(Disk(label: label, path: directory.path, free: Int64(info.f_bavail) * Int64(info.f_frsize),
                                         total: Int64(info.f_blocks) * Int64(info.f_frsize), needed: needed))
            } else {
                health.problems.append(Warning(danger: true, title: "The \(label.lowercased()) cannot be read",
                                               detail: "\(directory.path): \(String(cString: strerror(errno))). Is the drive mounted, and does the carehome user own it?"))
            }
        }
        // A backup (encrypted) and a drill each need about the database's size in the data directory.
        disk("Data directory", configuration.dataDirectory, needed: databaseBytes + databaseBytes / 10)
        if let backups = configuration.backupDirectory {
            disk("Backup directory", backups, needed: (latestBackupBytes ?? databaseBytes) + (latestBackupBytes ?? databaseBytes) / 10)
            var data = stat(), backup = stat()
            if stat(configuration.dataDirectory.path, &data) == 0, stat(backups.path, &backup) == 0 {
                health.backupsBesideRecords = data.st_dev == backup.st_dev
            }
        }
        var info = CLinuxSystem.sysinfo()
        if linux_sysinfo(&info) == 0 {
            let unit = Int64(max(1, info.mem_unit))
            health.memoryTotal = Int64(info.totalram) * unit
            health.swapTotal = Int64(info.totalswap) * unit
            health.swapUsed = Int64(info.totalswap - info.freeswap) * unit
            health.boxUptime = TimeInterval(info.uptime)
        }
        if let meminfo = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
           let line = meminfo.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
           let kib = Int64(line.split(separator: " ").dropFirst().first ?? "") {
            health.memoryAvailable = kib * 1024
        }
        if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
           let pages = Int64(statm.split(separator: " ").dropFirst().first ?? "") {
            health.processResident = pages * Int64(sysconf(Int32(_SC_PAGESIZE)))
        }
        if let certificate = configuration.tlsCertificate {
            health.certificateFile = certificate.path
            health.certificateExpires = (try? String(contentsOf: certificate, encoding: .utf8)).flatMap(CertificateExpiry.notAfter(pem:))
        }
        return health
    }

    /// Whether the kernel's clock is kept in step by a time server. The kernel knows (adjtimex, as
    /// `timedatectl` asks it); the service's seccomp filter refuses that call, so then the marker
    /// systemd-timesyncd leaves, then `timedatectl` itself; failing all, it says it cannot tell.
    static func clockState() -> Clock {
        var tx = timex()
        let state = adjtimex(&tx)
        if state >= 0 {
            // As systemd decides NTPSynchronized: not STA_UNSYNC, and an error estimate under 16 s.
            return (tx.status & Int32(STA_UNSYNC)) == 0 && tx.maxerror < 16_000_000
                ? .synchronised(how: "the kernel's clock is kept in step by a time server")
                : .notSynchronised(how: "the kernel reports its clock is not synchronised with a time server")
        }
        if FileManager.default.fileExists(atPath: "/run/systemd/timesync/synchronized") {
            return .synchronised(how: "systemd-timesyncd has synchronised the clock since the box started")
        }
        for program in ["/usr/bin/timedatectl", "/bin/timedatectl"] where FileManager.default.isExecutableFile(atPath: program) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = ["show", "-p", "NTPSynchronized", "--value"]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { break }
            let deadline = Date().addingTimeInterval(2)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { process.terminate(); break }
            let answer = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if answer == "yes" { return .synchronised(how: "timedatectl reports the clock synchronised") }
            if answer == "no" { return .notSynchronised(how: "timedatectl reports the clock is not synchronised") }
            break
        }
        return .unknown(why: "the appliance cannot tell whether the clock is synchronised (no answer from the kernel, systemd-timesyncd or timedatectl)")
    }

    // MARK: Warnings

    /// Below this much free space a disk is short (besides room for the next job).
    static let lowFraction = 0.10
    /// A certificate is renewed in good time this long before it expires.
    package static let certificateWarning: TimeInterval = 30 * 86_400

    /// What needs doing, most urgent first.
    package var warnings: [Warning] {
        var found = problems
        for disk in disks {
            let fraction = disk.total > 0 ? Double(disk.free) / Double(disk.total) : 1
            if disk.free < disk.needed + 64 * 1024 * 1024 {
                found.append(Warning(danger: true, title: "The \(disk.label.lowercased()) is nearly full",
                                     detail: "\(SystemHealth.size(disk.free)) free on \(disk.path): not enough for the next backup or restore drill (about \(SystemHealth.size(disk.needed))). Delete old files there or fit a larger drive."))
            } else if fraction < SystemHealth.lowFraction || disk.free < 3 * disk.needed {
                found.append(Warning(danger: false, title: "The \(disk.label.lowercased()) is filling up",
                                     detail: "\(SystemHealth.size(disk.free)) free of \(SystemHealth.size(disk.total)) on \(disk.path) (\(Int(fraction * 100))%). Plan to free space or fit a larger drive."))
            }
        }
        if backupsBesideRecords, let backups = disks.first(where: { $0.label == "Backup directory" }) {
            found.append(Warning(danger: false, title: "The backups are on the same disk as the records",
                                 detail: "\(backups.path) is on the same drive as the home's database, so one failing disk would lose both. Mount the backup drive there (INSTALLING.md, Backups), or if it should be mounted, check it is plugged in."))
        }
        if let total = memoryTotal, total > 0 {
            if let available = memoryAvailable, Double(available) / Double(total) < 0.10 {
                found.append(Warning(danger: false, title: "The box is short of memory",
                                     detail: "\(SystemHealth.size(available)) of \(SystemHealth.size(total)) available. Pages may slow down; a restart of the appliance frees what it holds."))
            }
            if let resident = processResident, Double(resident) / Double(total) > 0.5 {
                found.append(Warning(danger: false, title: "The appliance is using much of the box's memory",
                                     detail: "\(SystemHealth.size(resident)) of \(SystemHealth.size(total)). Restart it (below) and tell the supplier if this comes back."))
            }
            if let swap = swapTotal, swap > 0, let used = swapUsed, Double(used) / Double(swap) > 0.5 {
                found.append(Warning(danger: false, title: "The box is swapping",
                                     detail: "\(SystemHealth.size(used)) of \(SystemHealth.size(swap)) swap in use: it has too little memory for what runs on it."))
            }
        }
        if let file = certificateFile {
            if let expires = certificateExpires {
                let left = expires.timeIntervalSince(now)
                if left <= 0 {
                    found.append(Warning(danger: true, title: "The HTTPS certificate has expired",
                                         detail: "It expired \(HomeTime.display(expires)). Tablets will warn or refuse to connect. Renew \(file) (INSTALLING.md, Install, item 1) and restart the appliance."))
                } else if left < SystemHealth.certificateWarning {
                    found.append(Warning(danger: left < 7 * 86_400, title: "The HTTPS certificate expires \(SystemHealth.inWords(left))",
                                         detail: "On \(HomeTime.display(expires)). Renew \(file) before then (INSTALLING.md, Install, item 1) and restart the appliance."))
                }
            } else {
                found.append(Warning(danger: false, title: "The HTTPS certificate cannot be read",
                                     detail: "\(file) could not be read as a PEM certificate, so its expiry is unknown."))
            }
        }
        if case .notSynchronised = clock {
            found.append(Warning(danger: false, title: "The clock is not synchronised",
                                 detail: "Every deadline (the 7-working-day clock, checks due, overdue reviews) is worked out from this box's clock. Check the network's time server (timedatectl status)."))
        }
        if let newest = newestRecord, newest.timeIntervalSince(now) > 120 {
            found.append(Warning(danger: true, title: "The clock is behind the records",
                                 detail: "The newest entry in the audit trail was written at \(HomeTime.display(newest)), after this box's time now (\(HomeTime.display(now))). The clock has gone back: deadlines and the order of records are wrong until it is put right."))
        }
        return found.sorted { $0.danger && !$1.danger }
    }

    // MARK: Words

    /// `1.4 GB`, `350 MB`, `12 KB`.
    package static func size(_ bytes: Int64) -> String {
        let units = ["bytes", "KB", "MB", "GB", "TB"]
        var value = Double(max(0, bytes))
        var unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        if unit == 0 { return "\(Int(value)) bytes" }
        return value < 10 ? String(format: "%.1f %@", value, units[unit]) : "\(Int(value.rounded())) \(units[unit])"
    }

    /// A length of time in words: `3 hours`, `2 days`, `under a minute`.
    package static func duration(_ seconds: TimeInterval) -> String {
        let s = max(0, seconds)
        func plural(_ n: Int, _ unit: String) -> String { "\(n) \(unit)\(n == 1 ? "" : "s")" }
        if s < 60 { return "under a minute" }
        if s < 3600 { return plural(Int(s / 60), "minute") }
        if s < 2 * 86_400 { return plural(Int(s / 3600), "hour") }
        if s < 60 * 86_400 { return plural(Int(s / 86_400), "day") }
        if s < 730 * 86_400 { return plural(Int(s / (30.44 * 86_400)), "month") }
        return plural(Int(s / (365.25 * 86_400)), "year")
    }

    /// `3 hours ago`, `just now`.
    package static func ago(_ seconds: TimeInterval) -> String { seconds < 60 ? "just now" : duration(seconds) + " ago" }

    /// `in 12 days`.
    package static func inWords(_ seconds: TimeInterval) -> String { seconds < 60 ? "now" : "in " + duration(seconds) }
}
