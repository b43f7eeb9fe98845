import Foundation
import Testing

/// `carehome audit archive` with the real binary on a generated home: killed at any moment it loses nothing;
/// run to the end, `audit verify --full` reads archive and live trail as one chain; a tampered segment is
/// named; a backup restored elsewhere carries the archive.
@Suite("carehome audit archive", .serialized)
struct AuditArchiveCommandTests {
    /// A year of history at 60 audit entries a day (about 22,000 entries).
    static func generatedHome() throws -> TestInstallation {
        let installation = try TestInstallation(plugins: LoaderTests.firstParty)
        let generated = try run(Built.carehome, ["generate-home", "--data-dir", installation.dataDirectory.path, "--plugins-dir", installation.pluginsDirectory.path,
                                                 "--years", "1", "--beds", "10", "--seed", "3", "--audit-per-day", "60"],
                                environment: ["CAREHOME_LOG_LEVEL": "warning"])
        #expect(generated.status == 0, "generate-home failed: \(generated.error)")
        return installation
    }

    static let archiveArguments = ["--keep-months", "3", "--segment-size", "400"]

    /// Entries live plus entries archived, and the newest id: equal when every entry is in exactly one place
    /// (a finished run adds its own entry saying what it moved).
    static func counts(_ database: URL) throws -> (held: Int, newest: Int, segments: Int) {
        let row = try sqlite(database, """
            SELECT (SELECT COUNT(*) FROM core_audit) + (SELECT COALESCE(SUM(entries), 0) FROM core_audit_segments),
                   (SELECT MAX(id) FROM core_audit), (SELECT COUNT(*) FROM core_audit_segments)
            """).split(separator: "|").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        return (row.first ?? -1, row.count > 1 ? row[1] : -2, row.count > 2 ? row[2] : -1)
    }

    @Test("killed with SIGKILL at any moment, archiving loses no entry and leaves a chain that verifies; run to the end, it verifies as one chain")
    func crashSafeAndVerifiable() throws {
        let installation = try Self.generatedHome()
        let data = installation.dataDirectory.path
        let database = installation.dataDirectory.appendingPathComponent("home.sqlite")
        let before = try Self.counts(database)
        #expect(before.held == before.newest && before.segments == 0)
        var segmentsAtKill: [Int] = []
        for delay in [0.05, 0.2, 0.5, 1.0] {
            let process = Process()
            process.executableURL = Built.carehome
            // Small segments: many short transactions, so that the kill lands inside the run.
            process.arguments = ["audit", "archive", "--data-dir", data, "--keep-months", "3", "--segment-size", "25"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(useconds_t(delay * 1_000_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let after = try Self.counts(database)
            segmentsAtKill.append(after.segments)
            #expect(after.held == after.newest && after.newest >= before.newest, "killed after \(delay) s: every entry is live or archived, exactly once")
            let verify = try run(Built.carehome, ["audit", "verify", "--full", "--data-dir", data])
            #expect(verify.status == 0, "killed after \(delay) s: \(verify.error)")
        }
        let finished = try run(Built.carehome, ["audit", "archive", "--data-dir", data, "--keep-months", "3", "--segment-size", "25"])
        #expect(finished.status == 0, "\(finished.error)")
        #expect(finished.output.contains("entries in"), "\(finished.output)")
        let end = try Self.counts(database)
        #expect(segmentsAtKill.contains { $0 > 0 && $0 < end.segments }, "at least one kill landed inside the run: \(segmentsAtKill) of \(end.segments)")
        #expect(end.segments > 500, "about nine months of a year moved: \(end.segments) segments")
        #expect(end.held == end.newest)
        let verify = try run(Built.carehome, ["audit", "verify", "--full", "--data-dir", data])
        #expect(verify.status == 0, "\(verify.error)")
        #expect(verify.output.contains("chain intact"))
        #expect(try run(Built.carehome, ["check", "--data-dir", data]).status == 0)
        let again = try run(Built.carehome, ["audit", "archive", "--data-dir", data, "--keep-months", "3", "--segment-size", "25"])
        #expect(again.output.contains("nothing to move"), "\(again.output)")
    }

    @Test("a backup carries the archive: restored on another box with the key, the trail verifies in full and the segments are there; a tampered segment is named")
    func backupRestoreAndTamper() throws {
        let installation = try Self.generatedHome()
        let data = installation.dataDirectory.path
        let database = installation.dataDirectory.appendingPathComponent("home.sqlite")
        #expect(try run(Built.carehome, ["audit", "archive", "--data-dir", data] + Self.archiveArguments).status == 0)
        let segments = try sqlite(database, "SELECT COUNT(*) || ':' || SUM(entries) FROM core_audit_segments")

        let backup = installation.root.appendingPathComponent("home-backup.sqlite")
        let taken = try run(Built.carehome, ["backup", "--data-dir", data, "--to", backup.path])
        #expect(taken.status == 0, "\(taken.error)")
        let elsewhere = installation.root.appendingPathComponent("replacement")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: installation.dataDirectory.appendingPathComponent("audit.key"), to: elsewhere.appendingPathComponent("audit.key"))
        let restored = try run(Built.carehome, ["restore", "--data-dir", elsewhere.path, "--from", backup.path])
        #expect(restored.status == 0, "\(restored.error)")
        #expect(try sqlite(elsewhere.appendingPathComponent("home.sqlite"), "SELECT COUNT(*) || ':' || SUM(entries) FROM core_audit_segments") == segments)
        let verify = try run(Built.carehome, ["audit", "verify", "--full", "--data-dir", elsewhere.path])
        #expect(verify.status == 0, "\(verify.error)")

        // Someone with the file cuts the end off the second segment.
        _ = try sqlite(database, "DROP TRIGGER core_audit_segments_no_update; UPDATE core_audit_segments SET data = substr(data, 1, length(data) - 100) WHERE id = 2;")
        let broken = try run(Built.carehome, ["audit", "verify", "--full", "--data-dir", data])
        #expect(broken.status == 1)
        #expect(broken.error.contains("archive segment 2 (entries 401 to 800"), "\(broken.error)")
    }
}
