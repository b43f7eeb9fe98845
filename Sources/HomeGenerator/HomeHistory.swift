package import CareKit
package import CareServer
package import Foundation
package import GRDB

/// Years of plausible history added to a demo home, for measuring what a page costs on a home that has
/// used the appliance for a long time (`carehome generate-home`, the statement-count tests, `make
/// bench-scale`).
///
/// The home's current residents are the demo's, seeded first by the plugins' own demo code; history
/// is added *before* the earliest demo record: former residents with their stays (admissions, hospital
/// transfers and returns, deaths, leaving), 7-day clocks, medicines started, changed and stopped,
/// medication reviews and reconciliations, falls with their follow-up checks and assessments, weekly
/// closed home rounds with their agendas, entries and actions, and an audit trail at a stated rate.
///
/// Rows are written with SQL in large transactions (minutes for ten years, not hours): each plugin
/// row is either cloned from a row the plugin's own demo code wrote (so that its JSON and columns
/// are in the plugin's own format) or written with the columns the plugin's own store writes. The
/// audit trail is chained with the server's own hash, so `carehome check` passes.
///
/// Everything is drawn from a seeded generator: the same seed, plan and `today` give the same home.
package struct HomeHistory: Sendable {
    /// What to generate.
    package struct Plan: Sendable {
        /// How many years of history (fractions allowed: 1/12 is one month).
        package var years: Double
        /// Beds: the home is kept about 90% full of former residents over the years.
        package var beds: Int
        /// Seed of the pseudo-random generator.
        package var seed: UInt64
        /// Audit entries per day of history.
        package var auditPerDay: Int
        /// Nil: history ends before the demo's earliest record (the demo's story untouched; what the
        /// bench compares). A number: history runs until that many days before today, beside the
        /// demo's own records, so that recent lists (falls this year, actions, rounds) also hold former
        /// residents, as they do in a real home (what the statement-count tests need).
        package var endsDaysAgo: Int?

        package init(years: Double, beds: Int = 60, seed: UInt64 = 1, auditPerDay: Int = 2_000, endsDaysAgo: Int? = nil) {
            self.years = years
            self.beds = beds
            self.seed = seed
            self.auditPerDay = auditPerDay
            self.endsDaysAgo = endsDaysAgo
        }
    }

    /// What was written.
    package struct Totals: Sendable, CustomStringConvertible {
        package var residents = 0, movements = 0, falls = 0, checks = 0, assessments = 0, medicines = 0
        package var rounds = 0, actions = 0, auditEntries = 0, transfers = 0, observations = 0
        package var description: String {
            "\(residents) former residents, \(movements) movements, \(falls) falls (\(checks) checks, \(assessments) assessments), "
                + "\(medicines) medicines, \(transfers) hospital transfers, \(observations) observation sets, "
                + "\(rounds) rounds, \(actions) actions, \(auditEntries) audit entries"
        }
    }

    let plan: Plan
    /// The home's audit key, so generated entries carry the same keyed hash as the server writes.
    package var anchor: AuditAnchor?
    let today: Day

    package init(plan: Plan, today: Day) {
        self.plan = plan
        self.today = today
    }

    /// Adds the history to a home whose plugins are migrated and whose demo data is seeded.
    /// `progress` hears one line now and then (for a terminal).
    @discardableResult
    package func generate(into pool: DatabasePool, progress: (String) -> Void = { _ in }) throws -> Totals {
        var random = SeededRandom(seed: plan.seed)
        let templates = try pool.read { try Templates(db: $0) }
        // History ends the day before the demo's earliest record, so the demo's story is untouched.
        let end = plan.endsDaysAgo.map { today.adding(days: -$0) } ?? templates.earliestDemoDay.adding(days: -1)
        let start = end.adding(days: -Int((plan.years * 365.25).rounded()))
        guard start < end else { return Totals() }
        let stays = simulateStays(from: start, to: end, random: &random)
        var totals = Totals()
        progress("history from \(start.iso) to \(end.iso): \(stays.count) stays")
        var residentIDs: [Int64] = []
        // One transaction per few hundred residents: big enough to be fast, small enough for the WAL.
        for chunk in stride(from: 0, to: stays.count, by: 200) {
            try pool.write { db in
                var writer = Writer(db: db, templates: templates)
                for stay in stays[chunk..<min(chunk + 200, stays.count)] {
                    residentIDs.append(try writer.resident(stay, random: &random, totals: &totals))
                }
            }
        }
        progress("residents, falls and medicines written: \(totals)")
        try pool.write { db in
            var writer = Writer(db: db, templates: templates)
            try writer.rounds(from: start, to: end, stays: stays, residentIDs: residentIDs, random: &random, totals: &totals)
        }
        progress("rounds written: \(totals.rounds) rounds, \(totals.actions) actions")
        try writeAudit(pool, from: start, to: end, stays: stays, residentIDs: residentIDs, random: &random, totals: &totals, progress: progress)
        progress("done: \(totals)")
        return totals
    }

    // MARK: Stays

    /// One former resident's time in the home.
    struct Stay {
        var admitted: Day
        var ended: Day
        var died: Bool
        /// Hospital spells: (went, came back).
        var hospital: [(Day, Day)]
        var templateIndex: Int
        var room: Int

        func present(on day: Day) -> Bool {
            guard day >= admitted, day < ended else { return false }
            return !hospital.contains { day >= $0.0 && day < $0.1 }
        }
    }

    /// The home kept about 90% full: a bed freed is taken again within a few weeks. Stays are a mix
    /// of short (respite, discharge to assess) and long ones, most ending in death.
    func simulateStays(from start: Day, to end: Day, random: inout SeededRandom) -> [Stay] {
        let target = max(1, plan.beds * 9 / 10)
        var stays: [Stay] = []
        var freeFrom: [Day] = []
        for _ in 0..<target { freeFrom.append(start.adding(days: -random.int(0..<400))) }
        for bed in 0..<target {
            var from = freeFrom[bed]
            while from < end {
                let short = random.int(0..<100) < 25
                let length = short ? random.int(10..<60) : random.int(60..<1_400)
                let admitted = max(from, start.adding(days: -1_400))
                var ended = admitted.adding(days: length)
                if ended >= end { ended = end.adding(days: -random.int(1..<30)) }
                guard ended > admitted.adding(days: 3), ended > start else {
                    from = ended.adding(days: random.int(3..<21))
                    continue
                }
                var hospital: [(Day, Day)] = []
                // About one hospital spell per year lived here, 3 to 14 nights.
                let spells = random.int(0..<(1 + admitted.days(until: ended) / 365 * 2))
                for _ in 0..<spells {
                    let went = admitted.adding(days: random.int(3..<max(4, admitted.days(until: ended) - 20)))
                    let back = went.adding(days: random.int(3..<15))
                    if back < ended, !hospital.contains(where: { went <= $0.1 && back >= $0.0 }) { hospital.append((went, back)) }
                }
                hospital.sort { $0.0 < $1.0 }
                // Rooms after the demo's (1 to 16), so that no two people share a room at once.
                stays.append(Stay(admitted: admitted, ended: ended, died: short ? random.int(0..<100) < 20 : random.int(0..<100) < 75,
                                  hospital: hospital, templateIndex: random.int(0..<1_000), room: bed + 17))
                from = ended.adding(days: random.int(3..<21))
            }
            freeFrom[bed] = from
        }
        return stays.sorted { ($0.admitted, $0.room) < ($1.admitted, $1.room) }
    }

    // MARK: Audit

    func writeAudit(_ pool: DatabasePool, from start: Day, to end: Day, stays: [Stay], residentIDs: [Int64],
                    random: inout SeededRandom, totals: inout Totals, progress: (String) -> Void) throws {
        guard plan.auditPerDay > 0 else { return }
        let users = try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, username FROM core_users WHERE role != 'admin' ORDER BY id").map { row -> (Int64, String) in
                (row["id"], row["username"])
            }
        }
        guard !users.isEmpty else { return }
        let sources = [("residents", "resident record"), ("falls-log", "falls for a resident"), ("home-round", "resident's round history"),
                       ("medication-review", "medicines list")]
        var previous = try pool.read { db in try String.fetchOne(db, sql: "SELECT hash FROM core_audit ORDER BY id DESC LIMIT 1") } ?? String(repeating: "0", count: 64)
        var day = start
        // Present residents, kept up to date as the days pass (stays are sorted by admission).
        var next = 0
        var current: [Int] = []
        while day <= end {
            try pool.write { db in
                let insert = try db.cachedStatement(sql: """
                    INSERT INTO core_audit (at, user_id, username, address, source, action, resident_id, detail, previous_hash, hash)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                // A month at a time: one transaction of ~60,000 entries.
                for _ in 0..<30 where day <= end {
                    while next < stays.count, stays[next].admitted <= day { current.append(next); next += 1 }
                    current.removeAll { stays[$0].ended <= day }
                    let present = current.filter { stays[$0].present(on: day) }
                    let startOfDay = HomeTime.startOf(day).timeIntervalSince1970
                    let step = 86_400.0 / Double(plan.auditPerDay)
                    for n in 0..<plan.auditPerDay {
                        let at = Timestamp.format(Date(timeIntervalSince1970: startOfDay + Double(n) * step))
                        let (userID, username) = users[random.int(0..<users.count)]
                        let kind = random.int(0..<100)
                        let (source, action, residentID, detail): (String, String, Int64?, String)
                        if kind < 2 {
                            (source, action, residentID, detail) = ("core", "login", nil, "signed in")
                        } else if kind < 8 || present.isEmpty {
                            (source, action, residentID, detail) = ("residents", "view", nil, "resident list (here, \(present.count) shown)")
                        } else {
                            let resident = residentIDs[present[random.int(0..<present.count)]]
                            let (plugin, what) = sources[random.int(0..<sources.count)]
                            if kind < 12 {
                                (source, action, residentID, detail) = (plugin, "create", resident, "record added")
                            } else {
                                (source, action, residentID, detail) = (plugin, "view", resident, what)
                            }
                        }
                        let address = "192.168.1.\(20 + userID)"
                        let text = AuditLog.text(previous: previous, at: at, userID: userID, username: username, address: address, source: source,
                                                 action: action, residentID: residentID, detail: detail)
                        let hash = AuditLog.entryHash(text, anchor: anchor)
                        try insert.execute(arguments: [at, userID, username, address, source, action, residentID, detail, previous, hash])
                        previous = hash
                        totals.auditEntries += 1
                    }
                    day = day.adding(days: 1)
                }
            }
            if day.day <= 30, day.month == 1 { progress("audit trail: \(totals.auditEntries) entries, up to \(day.iso)") }
        }
    }
}

/// A small, fast, seeded pseudo-random generator (SplitMix64): the same seed gives the same home.
package struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64
    package init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    package mutating func next() -> UInt64 {
        state = state &+ 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ range: Range<Int>) -> Int { Int.random(in: range, using: &self) }
}
