import Foundation
import Testing

@Suite("Storage durability")
struct DurabilityTests {
    @Test("SIGKILL in the middle of a stream of saves loses no acknowledged save, and integrity_check is clean")
    func killDuringSaves() throws {
        let installation = try TestInstallation(plugins: [Built.testPlugin("ProbePlugin")])
        try installation.addUser("nina", role: "nurse")
        let server = try installation.start()
        try server.signIn("nina")
        let token = try server.csrfToken()
        let acknowledged = AckList()
        let writer = Thread {
            for index in 0..<400 {
                guard let reply = try? server.request("POST", "/probe/save", form: [("_csrf", token), ("note", "save-\(index)")]),
                      reply.status == 303 else { break }
                acknowledged.append("save-\(index)")
            }
        }
        writer.start()
        // Let some saves through, then pull the plug.
        while acknowledged.count < 40 { Thread.sleep(forTimeInterval: 0.01) }
        server.stop(signal: SIGKILL)
        while !writer.isFinished { Thread.sleep(forTimeInterval: 0.01) }
        let saved = acknowledged.items
        #expect(saved.count >= 40)

        let restarted = try installation.start()
        try restarted.signIn("nina")
        let notes = Set(try restarted.get("/probe/saves").body.split(separator: "\n").map(String.init))
        let lost = saved.filter { !notes.contains($0) }
        #expect(lost.isEmpty, "acknowledged but lost: \(lost)")
        restarted.stop()
        let check = try run(Built.carehome, ["check", "--data-dir", installation.dataDirectory.path])
        #expect(check.status == 0, "check failed: \(check.error)")
        #expect(check.output.contains("integrity: ok"))
        #expect(check.output.contains("synchronous: 2 (2 = FULL), journal: wal"))
        // Each record's seal commits with the record: none is left unsealed or stale by the kill.
        #expect(check.output.contains("are as the appliance last saved them"), "\(check.output)")
    }

    @Test("a database written by a newer version stops start-up with a message that says what to do")
    func newerSchemaRefused() throws {
        let installation = try TestInstallation(plugins: [])
        try installation.addUser("nina", role: "nurse")
        let database = installation.dataDirectory.appendingPathComponent("home.sqlite")
        _ = try sqlite(database, "UPDATE core_meta SET value = '99' WHERE key = 'schema_version'")
        #expect(throws: ServerDidNotStart.self) { try installation.start() }
        let check = try run(Built.carehome, ["check", "--data-dir", installation.dataDirectory.path])
        #expect(check.status == 1)
        #expect(check.error.contains("written by a newer version of carehome (schema 99)"))
    }

    @Test("a damaged database stops start-up and `carehome check` fails")
    func damagedRefused() throws {
        let installation = try TestInstallation(plugins: [])
        try installation.addUser("nina", role: "nurse")
        let database = installation.dataDirectory.appendingPathComponent("home.sqlite")
        _ = try sqlite(database, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) INSERT INTO core_settings SELECT 'key' || i, hex(randomblob(40)) FROM n")
        _ = try sqlite(database, "PRAGMA wal_checkpoint(TRUNCATE)")
        // Overwrite the middle pages (not the header) with garbage.
        let handle = try FileHandle(forUpdating: database)
        try handle.seek(toOffset: 4096 * 2)
        handle.write(Data(repeating: 0xA5, count: 4096 * 3))
        try handle.close()
        let check = try run(Built.carehome, ["check", "--data-dir", installation.dataDirectory.path])
        #expect(check.status != 0)
        #expect(check.error.contains("damaged") || check.error.contains("integrity_check found problems") || check.error.contains("malformed"))
    }
}

final class AckList: @unchecked Sendable {
    // @unchecked: every access goes through `lock`.
    private let lock = NSLock()
    private var list: [String] = []
    func append(_ item: String) { lock.withLock { list.append(item) } }
    var count: Int { lock.withLock { list.count } }
    var items: [String] { lock.withLock { list } }
}
