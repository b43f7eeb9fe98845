import CareKit
import CareServer
import CareTesting
import DeteriorationPlugin
import FallsLogPlugin
import Foundation
import GRDB
import HomeRoundPlugin
import MedicationReviewPlugin
import ResidentsPlugin
import Testing
import TransfersPlugin

/// The deterioration and transfers pages cost what today's residents cost: the same number of SQL
/// statements with years of old observations, soft signs, escalations and transfers as without.
@Suite("Deterioration and transfers pages: statements independent of history", .serialized)
struct NewPluginsQueryDisciplineTests {
    static func home() throws -> TestHome {
        let home = try TestHome(plugins: [ResidentsPlugin(), FallsLogPlugin(), MedicationReviewPlugin(), HomeRoundPlugin(), DeteriorationPlugin(), TransfersPlugin()],
                                countingStatements: true)
        try home.seedDemoData(today: HomeTime.today())
        for role in [Role.carer, .nurse, .manager, .clinician] { _ = try home.principal(role) }
        return home
    }

    static let pages: [(String, Role)] = [
        ("/", .nurse), ("/", .carer), ("/deterioration", .nurse), ("/deterioration/residents/1", .nurse),
        ("/deterioration/residents/1/escalate", .nurse), ("/residents/1", .carer), ("/transfers", .nurse),
    ]

    /// Three years of old records, for current residents and for people who have long left.
    static func addHistory(_ home: TestHome) throws {
        try home.appliance.home.pool.write { db in
            let start = Date().addingTimeInterval(-3 * 365 * 86_400)
            for day in stride(from: 0, to: 3 * 365 - 30, by: 3) {
                let at = Timestamp.format(start.addingTimeInterval(Double(day) * 86_400))
                for resident in [Int64(1), 2, 3, 900 + Int64(day % 50)] {
                    try db.execute(sql: """
                        INSERT INTO deterioration_observations (resident_id, taken_at, respiration, spo2, on_oxygen, systolic, pulse, consciousness,
                            temperature, scale, news2_total, band, above_usual, recorded_by_id, recorded_by_name, recorded_at)
                        VALUES (?, ?, 18, 95, 0, 130, 80, 'alert', 36.8, 1, 1, 1, 0, 1, 'History', ?)
                        """, arguments: [resident, at, at])
                    try db.execute(sql: """
                        INSERT INTO deterioration_soft_signs (resident_id, noticed_at, signs, recorded_by_id, recorded_by_name, recorded_at)
                        VALUES (?, ?, 'not-themselves', 1, 'History', ?)
                        """, arguments: [resident, at, at])
                    try db.execute(sql: """
                        INSERT INTO deterioration_escalations (resident_id, called_at, route, called_who, advice, outcome, sbard, recorded_by_id, recorded_by_name, recorded_at)
                        VALUES (?, ?, 'gp', 'GP', 'Advice', 'stayed', '', 1, 'History', ?)
                        """, arguments: [resident, at, at])
                }
            }
        }
    }

    /// Statements per page with the caches in the same state each time: a save through the app (which
    /// empties every kept value), one view to fill them, then the view counted.
    static func measure(_ home: TestHome) throws -> [String: Int] {
        let saved = try home.post("/deterioration/residents/2/soft-signs/new", as: .carer, fields: [
            ("signs", "new-pain"), ("noticed_at", HomeTime.inputValue(Date().addingTimeInterval(-60))),
        ])
        #expect(saved.status == 303)
        var counts = [String: Int]()
        for (path, role) in pages {
            _ = try home.statements(get: path, as: role)
            let (count, response) = try home.statements(get: path, as: role)
            #expect(response.status == 200, "\(path)")
            counts["\(role) \(path)"] = count
        }
        return counts
    }

    @Test("each page runs as many statements with three years of old records as without")
    func independentOfHistory() throws {
        let home = try NewPluginsQueryDisciplineTests.home()
        let before = try NewPluginsQueryDisciplineTests.measure(home)
        try NewPluginsQueryDisciplineTests.addHistory(home)
        let after = try NewPluginsQueryDisciplineTests.measure(home)
        for (page, count) in before {
            #expect(after[page] == count, "\(page): \(count) statements before, \(after[page] ?? -1) with three years of history")
        }
    }

    @Test("with three years of old observations, soft signs and escalations, no page reads the whole of those tables, by SQLite's own query plan")
    func noPageReadsAWholeHistory() throws {
        let home = try NewPluginsQueryDisciplineTests.home()
        try NewPluginsQueryDisciplineTests.addHistory(home)
        _ = try NewPluginsQueryDisciplineTests.measure(home)
        let history: Set<String> = ["deterioration_observations", "deterioration_soft_signs", "deterioration_escalations"]
        for (path, role) in NewPluginsQueryDisciplineTests.pages {
            let reads = try home.wholeTableReads(get: path, as: role, tables: history)
            #expect(reads.isEmpty, "\(path) as \(role) reads a whole history table:\n\(reads.joined(separator: "\n"))")
        }
    }
}
