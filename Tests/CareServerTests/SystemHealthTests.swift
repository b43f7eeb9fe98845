import CareServer
import Foundation
import Testing

/// The admin page's health warnings: in plain words, before they bite, most urgent first.
@Suite("The box's health on the admin page")
struct SystemHealthTests {
    static let now = Date(timeIntervalSince1970: 1_796_000_000)

    func health(_ change: (inout SystemHealth) -> Void = { _ in }) -> SystemHealth {
        var health = SystemHealth(applianceUptime: 3600, clock: .synchronised(how: "test"), newestRecord: SystemHealthTests.now.addingTimeInterval(-60),
                                  now: SystemHealthTests.now)
        health.disks = [SystemHealth.Disk(label: "Data directory", path: "/data", free: 50_000_000_000, total: 100_000_000_000, needed: 1_000_000_000)]
        health.memoryTotal = 2_000_000_000
        health.memoryAvailable = 1_000_000_000
        change(&health)
        return health
    }

    @Test("a healthy box has no warnings")
    func healthy() { #expect(health().warnings.isEmpty) }

    @Test("a certificate expiring within 30 days warns; within a week or expired is a danger")
    func certificate() {
        let soon = health { $0.certificateFile = "/etc/carehome/tls/cert.pem"; $0.certificateExpires = SystemHealthTests.now.addingTimeInterval(20 * 86_400) }
        #expect(soon.warnings.map(\.title) == ["The HTTPS certificate expires in 20 days"])
        #expect(soon.warnings.first?.danger == false)
        let later = health { $0.certificateFile = "/x.pem"; $0.certificateExpires = SystemHealthTests.now.addingTimeInterval(40 * 86_400) }
        #expect(later.warnings.isEmpty)
        let expired = health { $0.certificateFile = "/x.pem"; $0.certificateExpires = SystemHealthTests.now.addingTimeInterval(-86_400) }
        #expect(expired.warnings.first?.title == "The HTTPS certificate has expired")
        #expect(expired.warnings.first?.danger == true)
    }

    @Test("a disk without room for the next backup is a danger; one under 10% free warns")
    func disks() {
        let full = health { $0.disks[0].free = 900_000_000 }
        #expect(full.warnings.first?.title == "The data directory is nearly full")
        #expect(full.warnings.first?.danger == true)
        let filling = health { $0.disks[0].free = 8_000_000_000 }
        #expect(filling.warnings.first?.title == "The data directory is filling up")
        #expect(filling.warnings.first?.danger == false)
    }

    @Test("backups on the same disk as the records warn (a backup drive not mounted)")
    func sameDisk() {
        let beside = health {
            $0.disks.append(SystemHealth.Disk(label: "Backup directory", path: "/var/backups/carehome", free: 50_000_000_000, total: 100_000_000_000, needed: 1_000_000_000))
            $0.backupsBesideRecords = true
        }
        #expect(beside.warnings.map(\.title) == ["The backups are on the same disk as the records"])
    }

    @Test("a clock behind the newest record is a danger, listed first; an unsynchronised clock warns; an unknown one does not")
    func clock() {
        let behind = health {
            $0.newestRecord = SystemHealthTests.now.addingTimeInterval(3 * 86_400)
            $0.clock = .notSynchronised(how: "test")
            $0.memoryAvailable = 100_000_000
        }
        #expect(behind.warnings.map(\.title) == ["The clock is behind the records", "The box is short of memory", "The clock is not synchronised"])
        #expect(health { $0.clock = .unknown(why: "test") }.warnings.isEmpty)
    }

    @Test("the expiry date is read from a real certificate")
    func certificateFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "12",
                             "-subj", "/CN=carehome.local", "-keyout", directory.appendingPathComponent("key.pem").path,
                             "-out", directory.appendingPathComponent("cert.pem").path]
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let pem = try String(contentsOf: directory.appendingPathComponent("cert.pem"), encoding: .utf8)
        let expires = try #require(CertificateExpiry.notAfter(pem: pem))
        #expect(abs(expires.timeIntervalSinceNow - 12 * 86_400) < 120)
        #expect(CertificateExpiry.notAfter(pem: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----") == nil)
    }

    @Test("ages and sizes in words")
    func words() {
        #expect(SystemHealth.ago(3 * 3600 + 120) == "3 hours ago")
        #expect(SystemHealth.ago(30) == "just now")
        #expect(SystemHealth.duration(3 * 86_400) == "3 days")
        #expect(SystemHealth.duration(400 * 86_400) == "13 months")
        #expect(SystemHealth.size(1_400_000_000) == "1.4 GB")
        #expect(SystemHealth.size(350_000_000) == "350 MB")
    }
}
