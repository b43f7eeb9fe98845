import CareKit
import CareServer
import CareTesting
import FallsLogPlugin
import Foundation
import GRDB
import HomeGenerator
import HomeRoundPlugin
import MedicationReviewPlugin
import ResidentsPlugin
import Testing

/// A page costs what today's residents cost, not what the home's history costs: each main page runs
/// the same number of SQL statements on a home with a month of history as on one with years of it
/// (the same current residents, from the demo). A page that looks up each former resident, each fall or
/// each round one query at a time fails here long before it is slow.
@Suite("Query discipline: statements per page do not grow with history", .serialized)
struct QueryDisciplineTests {
    static let today = HomeTime.today()

    /// The demo's residents with `years` of generated history before them (few audit entries: the
    /// audit page is counted, not timed).
    static func home(years: Double) throws -> TestHome {
        let today = QueryDisciplineTests.today
        let home = try TestHome(plugins: [ResidentsPlugin(today: { today }), FallsLogPlugin(), MedicationReviewPlugin(today: { today }),
                                          HomeRoundPlugin(now: { Date() })], countingStatements: true)
        try home.seedDemoData(today: today)
        for role in [Role.carer, .nurse, .manager, .clinician] { _ = try home.principal(role) }  // accounts for the audit trail
        home.appliance.audit.flush()
        var history = HomeHistory(plan: .init(years: years, beds: 30, seed: 13, auditPerDay: 30, endsDaysAgo: 3), today: today)
        history.anchor = home.appliance.audit.anchor
        try history.generate(into: home.appliance.home.pool)
        try home.appliance.audit.recordHead()
        return home
    }

    /// The main page of every plugin, the server's dashboard and the manager's audit trail.
    static func pages(_ home: TestHome) throws -> [(path: String, role: Role)] {
        let openRound = try home.appliance.home.pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT id FROM home_round_rounds WHERE status = 'open'")
        }
        let resident = try home.appliance.home.pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT MIN(id) FROM residents_residents WHERE status = 'living-here'")
        }
        var pages: [(String, Role)] = [("/", .nurse), ("/residents", .nurse), ("/falls", .nurse), ("/falls/analytics", .manager),
                                       ("/falls/checks", .nurse), ("/falls/assessments", .nurse), ("/rounds", .nurse),
                                       ("/rounds/actions", .nurse), ("/medication", .nurse), ("/admissions", .nurse),
                                       ("/audit", .manager), ("/audit?user=nurse", .manager), ("/", .manager)]
        if let openRound { pages.append(("/rounds/\(openRound)", .nurse)) }
        if let resident {
            pages += [("/residents/\(resident)", .nurse), ("/residents/\(resident)/clock", .nurse), ("/medication/residents/\(resident)", .nurse),
                      ("/falls/assessments/\(resident)", .nurse)]
        }
        return pages
    }

    @Test("every main page runs as many SQL statements on a home with four years of history as on one with a month")
    func statementsDoNotGrowWithHistory() throws {
        let month = try Self.home(years: 1.0 / 12)
        let years = try Self.home(years: 4)
        let monthPages = try Self.pages(month)
        #expect(monthPages.map(\.path) == (try Self.pages(years)).map(\.path), "the two homes have the same current residents and open round")
        for (path, role) in monthPages {
            // The first view fills caches that live until the next save; the second is what a busy home pays.
            _ = try month.statements(get: path, as: role)
            _ = try years.statements(get: path, as: role)
            let (small, smallResponse) = try month.statements(get: path, as: role)
            let (large, largeResponse) = try years.statements(get: path, as: role)
            #expect(smallResponse.status == 200 && largeResponse.status == 200, "\(path) as \(role): \(smallResponse.status), \(largeResponse.status)")
            #expect(small > 0, "\(path): statements are counted")
            #expect(large == small, "\(path) as \(role): \(small) statements with a month of history, \(large) with four years")
            if ProcessInfo.processInfo.environment["CAREHOME_PRINT_STATEMENTS"] != nil { print("statements \(path) as \(role): \(small) / \(large)") }
        }
    }

    @Test("no main page reads the whole of a table that grows with the home's history, by SQLite's own query plan")
    func noPageReadsAWholeHistory() throws {
        let years = try Self.home(years: 4)
        // The tables history makes big: more than 200 rows in this home (the demo alone has fewer in each).
        let big = try years.appliance.home.pool.read { db in
            Set(try String.fetchAll(db, sql: "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table'").filter { name in
                (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \"\(name)\"") ?? 0) > 200
            })
        }
        #expect(big.contains("core_audit") && big.contains("falls_log_falls"), "the home has history: \(big.sorted())")
        for (path, role) in try Self.pages(years) {
            _ = try years.statements(get: path, as: role)  // caches filled, as a busy home has them
            let reads = try years.wholeTableReads(get: path, as: role, tables: big)
            #expect(reads.isEmpty, "\(path) as \(role) reads a whole history table:\n\(reads.joined(separator: "\n"))")
        }
    }

    @Test("the generated history is plausible and the audit chain it writes is intact")
    func generatedHistory() throws {
        let home = try Self.home(years: 2)
        let counts = try home.appliance.home.pool.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM residents_residents WHERE status IN ('left', 'died')") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM falls_log_falls") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM home_round_rounds WHERE status = 'closed'") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM residents_residents WHERE status IN ('living-here', 'in-hospital')") ?? 0)
        }
        #expect(counts.0 > 30, "former residents: \(counts.0)")
        #expect(counts.1 > 60, "falls: \(counts.1)")
        #expect(counts.2 >= 100, "closed rounds: \(counts.2)")
        #expect(counts.3 == 13, "the demo's current residents, and no more: \(counts.3)")
        let recentFalls = try home.appliance.home.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM falls_log_falls f JOIN residents_residents r ON r.id = f.resident_id WHERE r.status IN ('left', 'died') AND f.occurred_at >= ?",
                             arguments: [Timestamp.format(HomeTime.startOf(Self.today.adding(days: -365)))]) ?? 0
        }
        #expect(recentFalls > 5, "former residents' falls in the last year, on the falls list: \(recentFalls)")
        let verification = try home.appliance.audit.verify(full: true)
        #expect(verification.problem == nil)
        #expect(verification.entries >= 2 * 365 * 30)
        // A former resident's page opens.
        let former = try home.appliance.home.pool.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM residents_residents WHERE status = 'died'") }
        #expect(try home.get("/residents/\(former ?? 0)", as: .nurse).status == 200)
    }

    @Test("/rounds lists half a year of rounds a page, newest first, and 'Earlier rounds' goes back through every one")
    func roundsArePaged() throws {
        let home = try Self.home(years: 2)
        let total = try home.appliance.home.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM home_round_rounds") ?? 0 }
        /// The rounds on a page, each once (a row links to its round twice: the day and "Agenda").
        func roundDays(_ body: String) -> [String] {
            var ids: [String] = []
            for part in body.components(separatedBy: "<td><a href=\"/rounds/").dropFirst() {
                if let id = part.split(separator: "\"").first.map(String.init), ids.last != id { ids.append(id) }
            }
            return ids
        }
        var seen: [String] = []
        var path: String? = "/rounds"
        while let next = path {
            let body = try home.get(next, as: .nurse).body
            let rows = roundDays(body)
            #expect(rows.count <= 26)
            seen += rows
            path = body.range(of: "\">Earlier rounds").flatMap { end in
                body.range(of: "href=\"", options: .backwards, range: body.startIndex..<end.lowerBound).map { String(body[$0.upperBound..<end.lowerBound]) }
            }
        }
        #expect(total > 100)
        #expect(seen.count == total)
        #expect(Set(seen).count == total)
    }

    @Test("the same seed gives the same history")
    func reproducible() throws {
        func summary(_ home: TestHome) throws -> [String] {
            try home.appliance.home.pool.read { db in
                try String.fetchAll(db, sql: """
                    SELECT full_name || '|' || status || '|' || (SELECT group_concat(kind || on_day) FROM residents_movements m WHERE m.resident_id = r.id)
                    FROM residents_residents r WHERE id > 15 ORDER BY id
                    """)
            }
        }
        #expect(try summary(Self.home(years: 1)) == summary(Self.home(years: 1)))
    }
}
