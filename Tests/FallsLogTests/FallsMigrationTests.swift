import Foundation
import Testing
import CareKit
import CareTesting
import ResidentsPlugin
@testable import FallsLogPlugin

@Suite("Falls log migrations on a home that already has assessments")
struct FallsMigrationTests {
    @Test("migrations 2 and 3 keep every assessment and finding, allow a return-from-hospital prompt, and give completed assessments their first version")
    func upgradeKeepsAssessments() throws {
        try #require(FallsSchema.migrations.count >= 3)
        // A real home database (foreign keys on); the falls log's tables are built here by hand, as
        // a home running migration 1 would have them, then upgraded.
        let home = try TestHome(plugins: [ResidentsPlugin()])
        try home.context.database.write { db in
            try FallsSchema.migrations[0].apply(db)
            try db.executeScript("""
                INSERT INTO falls_log_assessments (id, resident_id, prompted_by, prompted_at, completed_at, completed_by_id, completed_by_name)
                    VALUES (7, 1, 'admission', '2026-01-05T00:00:00Z', '2026-01-06T10:00:00Z', 3, 'Nurse Jane Doyle');
                INSERT INTO falls_log_assessment_findings (assessment_id, component, problem, finding, action)
                    VALUES (7, 'vision', 1, 'Glasses lost', 'Optician booked'), (7, 'gait-balance', 0, '', '');
                INSERT INTO falls_log_assessments (id, resident_id, prompted_by, prompted_at) VALUES (8, 2, 'staff', '2026-02-01T09:00:00Z');
                """)
            try FallsSchema.migrations[1].apply(db)
            try FallsSchema.migrations[2].apply(db)
            #expect(try db.query("PRAGMA foreign_key_check").isEmpty)
            #expect(try db.scalar("SELECT COUNT(*) FROM falls_log_assessments") == 2)
            #expect(try db.scalar("SELECT COUNT(*) FROM falls_log_assessment_findings WHERE assessment_id = 7") == 2)
            try db.execute("INSERT INTO falls_log_assessments (resident_id, prompted_by, prompted_at) VALUES (2, 'readmission', '2026-03-01T00:00:00Z')")

            let assessment = try #require(try FallsStore.assessment(7, residentID: 1, in: db))
            #expect(assessment.version == 1)
            #expect(assessment.findings.count == 2)
            let versions = try FallsStore.assessmentVersions(7, in: db)
            #expect(versions.count == 1)
            #expect(versions.first?.savedByName == "Nurse Jane Doyle")
            #expect(versions.first?.findings.contains(AssessmentFinding(component: .vision, problem: true, finding: "Glasses lost", action: "Optician booked")) == true)
            #expect(try FallsStore.assessmentVersions(8, in: db).isEmpty, "an open assessment has no version yet")
        }
    }
}
