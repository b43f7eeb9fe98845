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

    /// A home whose server ran and signed someone in, so that its audit trail has keyed entries.
    static func homeWithATrail() throws -> TestInstallation {
        let installation = try TestInstallation(plugins: [])
        try installation.addUser("nina", role: "nurse")
        let server = try installation.start()
        try server.signIn("nina")
        server.stop()
        return installation
    }

    @Test("audit verify on a real home: intact, then deleting the last entries with sqlite3 is reported; check checks from the checkpoint")
    func auditVerifyFindsTruncation() throws {
        let installation = try CheckCommandTests.homeWithATrail()
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

    @Test("a plain backup carries a keyed digest: changed by one byte, backup verify and restore refuse it; the file is 0600")
    func plainBackupDigest() throws {
        let installation = try TestInstallation(plugins: [])
        try installation.addUser("nina", role: "nurse")
        let data = installation.dataDirectory.path
        let backup = installation.root.appendingPathComponent("plain.sqlite")
        let taken = try run(Built.carehome, ["backup", "--data-dir", data, "--to", backup.path])
        #expect(taken.status == 0, "\(taken.error)")
        let mode = try FileManager.default.attributesOfItem(atPath: backup.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let good = try run(Built.carehome, ["backup", "verify", backup.path, "--data-dir", data])
        #expect(good.status == 0, "\(good.error)")
        // One byte changed inside a text value: SQLite's integrity check would still pass it.
        let bytes = try Data(contentsOf: backup)
        let marker = Data("nina".utf8)
        let at = try #require(bytes.range(of: marker))
        var changed = bytes
        changed[at.lowerBound] = UInt8(ascii: "m")
        try changed.write(to: backup)
        let verify = try run(Built.carehome, ["backup", "verify", backup.path, "--data-dir", data])
        #expect(verify.status == 1)
        #expect(verify.error.contains("has been changed since it was written"), "\(verify.error)")
        let restore = try run(Built.carehome, ["restore", "--data-dir", data, "--from", backup.path])
        #expect(restore.status == 1)
        #expect(restore.error.contains("Nothing was changed"))
        try FileManager.default.removeItem(at: URL(fileURLWithPath: backup.path + ".digest"))
        #expect(try run(Built.carehome, ["backup", "verify", backup.path, "--data-dir", data]).error.contains("has no digest"))
    }

    @Test("each backup records the audit chain's head: a backup says how far its trail is complete, and a trail cut short before the backup was taken makes the backup fail, not pass")
    func backupCarriesTheChainHead() throws {
        let installation = try CheckCommandTests.homeWithATrail()
        let data = installation.dataDirectory.path
        let database = installation.dataDirectory.appendingPathComponent("home.sqlite")
        let good = installation.root.appendingPathComponent("good.sqlite")
        let taken = try run(Built.carehome, ["backup", "--data-dir", data, "--to", good.path])
        #expect(taken.status == 0, "\(taken.error)")
        let verified = try run(Built.carehome, ["backup", "verify", good.path, "--data-dir", data])
        #expect(verified.status == 0, "\(verified.error)")
        #expect(verified.output.contains("audit trail complete to entry"), "\(verified.output)")

        // Someone with the database file removes the trail's last entry (the backup's own), then a backup is taken.
        let last = try sqlite(database, "SELECT MAX(id) FROM core_audit")
        _ = try sqlite(database, "DROP TRIGGER core_audit_no_delete; DELETE FROM core_audit WHERE id = \(last);")
        let cut = installation.root.appendingPathComponent("cut.sqlite")
        let refused = try run(Built.carehome, ["backup", "--data-dir", data, "--to", cut.path])
        #expect(refused.status != 0, "a backup of a trail cut short must not pass as good")
        #expect(refused.error.contains("does not reach entry \(last)"), "\(refused.error)")
        #expect(!FileManager.default.fileExists(atPath: cut.path), "nothing left that looks like a backup")
    }

    @Test("check compares each record with the version the appliance last saved: a record changed, added or removed with sqlite3 is reported by table and row, and an upgrade that reseals the rows does not hide it")
    func recordsChangedOutsideTheAppliance() throws {
        let installation = try TestInstallation(plugins: [Built.testPlugin("ProbePlugin")])
        try installation.addUser("nina", role: "nurse")
        let server = try installation.start()
        try server.signIn("nina")
        let token = try server.csrfToken()
        for note in ["allergic to penicillin", "no known allergies", "likes tea"] {
            #expect(try server.request("POST", "/probe/save", form: [("_csrf", token), ("note", note)]).status == 303)
        }
        server.stop()
        let data = installation.dataDirectory.path
        let database = installation.dataDirectory.appendingPathComponent("home.sqlite")
        let clean = try run(Built.carehome, ["check", "--data-dir", data])
        #expect(clean.status == 0, "\(clean.error)")
        #expect(clean.output.contains("are as the appliance last saved them"), "\(clean.output)")

        // One letter of one record changed in the file, as someone with sqlite3 on the box could.
        _ = try sqlite(database, "UPDATE probe_saves SET note = 'allergic to penicillim' WHERE id = 1;")
        let changed = try run(Built.carehome, ["check", "--data-dir", data])
        #expect(changed.status == 1)
        #expect(changed.output.contains("probe_saves row 1 was changed outside the appliance"), "\(changed.output)")
        #expect(changed.error.contains("1 problem"), "\(changed.error)")
        // Put back exactly as saved, it passes again: the seal is of the content, not of the edit.
        _ = try sqlite(database, "UPDATE probe_saves SET note = 'allergic to penicillin' WHERE id = 1;")
        #expect(try run(Built.carehome, ["check", "--data-dir", data]).status == 0)

        _ = try sqlite(database, "INSERT INTO probe_saves (note) VALUES ('slipped in'); DELETE FROM probe_saves WHERE id = 2;")
        let added = try run(Built.carehome, ["check", "--data-dir", data])
        #expect(added.status == 1)
        #expect(added.output.contains("probe_saves row 4 was added outside the appliance"), "\(added.output)")
        #expect(added.output.contains("probe_saves row 2 was removed outside the appliance"), "\(added.output)")

        // An upgrade whose migration adds a column reseals the plugin's rows; what was found before it stays reported.
        let upgraded = try installation.start(environment: ["PROBE_RESHAPE_MIGRATION": "1"])
        try upgraded.signIn("nina")
        #expect(try upgraded.request("POST", "/probe/save", form: [("_csrf", try upgraded.csrfToken()), ("note", "after the upgrade")]).status == 303)
        upgraded.stop()
        #expect(try sqlite(database, "SELECT mood FROM probe_saves WHERE id = 1") == "calm")
        let after = try run(Built.carehome, ["check", "--data-dir", data])
        #expect(after.status == 1, "an upgrade must not hide a record changed before it: \(after.output)")
        #expect(after.output.contains("before probe's upgrade to migration 2"), "\(after.output)")
        #expect(after.output.contains("probe_saves row 4 was added outside the appliance"), "\(after.output)")
        #expect(!after.output.contains("probe_saves row 5"), "the save after the upgrade is sealed: \(after.output)")
    }
}
