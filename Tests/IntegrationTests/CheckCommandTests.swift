import Foundation
import Testing

@Suite("carehome check and audit verify")
struct CheckCommandTests {
    @Test("check and audit verify on a mistyped path, an empty file or a non-carehome file refuse and create nothing")
    func refuseWhatIsNotAHome() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("carehome-check-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let mistyped = root.appendingPathComponent("no-such-home")
        for command in [["check"], ["audit", "verify"]] {
            let result = try run(Built.carehome, command + ["--data-dir", mistyped.path])
            #expect(result.status == 1, "\(command): \(result.output)")
            #expect(result.error.contains("There is no data directory") || result.error.contains("There is no home database"))
            #expect(!FileManager.default.fileExists(atPath: mistyped.path), "nothing is created")
        }
        let empty = root.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: empty.appendingPathComponent("home.sqlite").path, contents: Data())
        let emptyResult = try run(Built.carehome, ["check", "--data-dir", empty.path])
        #expect(emptyResult.status == 1)
        #expect(emptyResult.error.contains("is empty"))
        #expect(!emptyResult.output.contains("integrity: ok"))
        let other = root.appendingPathComponent("other")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        _ = try sqlite(other.appendingPathComponent("home.sqlite"), "CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        let otherResult = try run(Built.carehome, ["check", "--data-dir", other.path])
        #expect(otherResult.status == 1)
        #expect(otherResult.error.contains("not a home's database"))
        #expect(try sqlite(other.appendingPathComponent("home.sqlite"), "SELECT COUNT(*) FROM sqlite_schema") == "1", "nothing was added to it")
    }

    @Test("audit verify on a real home: intact, then deleting the last entries with sqlite3 is reported; check checks from the checkpoint")
    func auditVerifyFindsTruncation() throws {
        let installation = try TestInstallation(plugins: [])
        try installation.addUser("nina", role: "nurse")
        let server = try installation.start()
        try server.signIn("nina")
        server.stop()
        let data = installation.dataDirectory.path
        let first = try run(Built.carehome, ["audit", "verify", "--data-dir", data])
        #expect(first.status == 0, "\(first.error)")
        #expect(first.output.contains("chain intact"))
        let again = try run(Built.carehome, ["check", "--data-dir", data])
        #expect(again.status == 0, "\(again.error)")
        #expect(again.output.contains("the last check's checkpoint"), "\(again.output)")
        let database = installation.dataDirectory.appendingPathComponent("home.sqlite")
        _ = try sqlite(database, "DROP TRIGGER core_audit_no_delete; DELETE FROM core_audit WHERE id = (SELECT MAX(id) FROM core_audit);")
        let broken = try run(Built.carehome, ["audit", "verify", "--full", "--data-dir", data])
        #expect(broken.status == 1)
        #expect(broken.error.contains("removed"), "\(broken.error)")
    }
}
