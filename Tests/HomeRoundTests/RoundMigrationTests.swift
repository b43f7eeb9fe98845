import Testing
import CareKit
import CareTesting
import Foundation
import ResidentsPlugin
@testable import HomeRoundPlugin

@Test("migration 2 keeps every concern and action as it was, and lets the system close them")
func roundMigrationKeepsConcernsAndActions() throws {
    try #require(RoundSchema.migrations.count >= 2)
    // A real home database (foreign keys on); the round's tables are built here by hand, as a home
    // running migration 1 would have them, then upgraded.
    let home = try TestHome(plugins: [ResidentsPlugin()])
    try home.context.database.write { db in
        try RoundSchema.migrations[0].apply(db)
        try db.executeScript("""
            INSERT INTO home_round_rounds (id, round_day, week_start, opened_by, opened_by_name, opened_at) VALUES (1, '2026-11-19', '2026-11-16', 1, 'N', '2026-11-19T09:00:00Z');
            INSERT INTO home_round_concerns (id, resident_id, reason, raised_by, raised_by_name, raised_at, raised_on, taken_to_round, status)
                VALUES (1, 5, 'Eating less', 2, 'Carer', '2026-11-18T10:00:00Z', '2026-11-18', 1, 'taken'),
                       (2, 5, 'More sleepy', 2, 'Carer', '2026-11-20T10:00:00Z', '2026-11-20', NULL, 'pending');
            INSERT INTO home_round_actions (id, round_id, resident_id, description, owner_name, owner_role, due_on, created_by, created_by_name, created_at, done_on, done_by_name, status)
                VALUES (1, 1, 5, 'Bloods', 'Nurse', 'nurse', '2026-11-25', 1, 'GP', '2026-11-19T10:00:00Z', '2026-11-24', 'Nurse', 'done'),
                       (2, 1, 5, 'Weigh weekly', 'Carers', 'carer', '2026-11-26', 1, 'GP', '2026-11-19T10:00:00Z', NULL, NULL, 'open');
            """)
        try RoundSchema.migrations[1].apply(db)
        #expect(try db.query("PRAGMA foreign_key_check").isEmpty)
        #expect(try db.query("SELECT status FROM home_round_concerns ORDER BY id").map { $0.string("status") } == ["taken", "pending"])
        #expect(try db.query("SELECT status FROM home_round_actions ORDER BY id").map { $0.string("status") } == ["done", "open"])
        #expect(try db.scalar("SELECT taken_to_round FROM home_round_concerns WHERE id = 1") == 1)
    }
    let store = RoundStore(database: home.context.database)
    let closed = try store.closeOpenItems(resident: 5, reason: "Resident died on Mon 23 Nov 2026", at: Date())
    #expect(closed.concerns == 1 && closed.actions == 1, "only the pending concern and the open action close")
    #expect(try store.action(1).doneOn != nil && !(try store.action(1).isClosed), "a done action stays done")
    #expect(try store.action(2).closedReason == "Resident died on Mon 23 Nov 2026")
}
