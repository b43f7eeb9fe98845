import CareHTTP
import CareKit
@testable import CareServer
import CareStore
import CareTesting
import Foundation
import GRDB
import Testing

@Suite("A full disk is reported plainly")
struct DiskFullTests {
    /// SQLite's own way to make a database full: no more pages for this (the writer) connection.
    func fill(_ home: TestHome) throws {
        try home.appliance.home.pool.writeWithoutTransaction { db in
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = \(pages)")
        }
    }

    @Test("a save on a full disk says so (507), keeps everything typed in a form to send again, and /healthz says disk full")
    func saveOnFullDisk() throws {
        let home = try TestHome(plugins: [NotesPlugin()])
        _ = try home.principal(.nurse)
        try fill(home)
        let typed = "Found on the floor by the bed at 02:10, " + String(repeating: "long note ", count: 800)
        let reply = try home.post("/notes", as: .nurse, form: ["text": typed, "_once": String(repeating: "ab", count: 16)])
        #expect(reply.status == 507)
        #expect(reply.body.contains("Not saved: the appliance&#39;s disk is full") || reply.body.contains("Not saved: the appliance's disk is full"))
        #expect(reply.body.contains("Found on the floor by the bed at 02:10"), "what was typed is kept")
        #expect(reply.body.contains("name=\"_once\" value=\"\(String(repeating: "ab", count: 16))\""), "sent again, it still saves once")
        #expect(reply.body.contains("action=\"/notes\""))
        #expect(!reply.body.contains("restore"), "no advice to restore a backup")
        let health = home.anonymous("GET", "/healthz")
        #expect(health.status == 503)
        #expect(health.body.contains("\"database\":\"disk full\""))
    }

    @Test("the start-up message for a full disk says to free space, not to restore a backup")
    func startUpAdvice() {
        let advice = HomeDatabase.diskFullAdvice(URL(fileURLWithPath: "/var/lib/carehome"))
        #expect(advice.contains("is full"))
        #expect(advice.contains("do NOT restore a backup"))
        #expect(HomeDatabase.isDiskFull(DatabaseError(resultCode: .SQLITE_FULL)))
        #expect(!HomeDatabase.isDiskFull(DatabaseError(resultCode: .SQLITE_BUSY)))
    }
}
