import CareKit
import Foundation
import GRDB

extension HomeHistory {
    /// What the demo's own rows look like: history rows are copies of them with other people, days and times.
    struct Templates {
        var earliestDemoDay: Day
        var records: [[String: Any]]
        /// Completed demo falls: (id, seconds from the fall to found, to up), and each one's checks (key, kind, label, seconds after the fall).
        var falls: [(id: Int64, found: Int?, up: Int?, headStrike: String, injured: Bool, checks: [(String, String, String, Int)])]
        /// Findings of a completed demo assessment: (component, problem, finding, action).
        var findings: [(String, Int64, String, String)]
        /// Distinct demo medicines: (name, dose, route, frequency, as needed, indication).
        var medicines: [(String, String, String, String, Int64, String)]
        var reviewID: Int64?
        var reconciliationID: Int64?
        var entryID: Int64?
        var actionDescriptions: [String]
        /// Whether the transfers and deterioration plugins are in the home (their history is written only then).
        var hasTransfers: Bool
        var hasObservations: Bool

        init(db: Database) throws {
            let days = try String.fetchAll(db, sql: """
                SELECT MIN(on_day) FROM residents_movements UNION ALL SELECT MIN(substr(occurred_at, 1, 10)) FROM falls_log_falls
                UNION ALL SELECT MIN(round_day) FROM home_round_rounds UNION ALL SELECT MIN(started_on) FROM medication_review_medicines
                UNION ALL SELECT MIN(reviewed_on) FROM medication_review_reviews UNION ALL SELECT MIN(substr(prompted_at, 1, 10)) FROM falls_log_assessments
                """).compactMap { $0 }.compactMap(Day.init(iso:))
            guard let earliest = days.min() else { throw HistoryError("the home has no demo data to build history from: seed it first") }
            earliestDemoDay = earliest
            records = try String.fetchAll(db, sql: "SELECT record FROM residents_residents ORDER BY id").compactMap {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            falls = []
            for row in try Row.fetchAll(db, sql: "SELECT id, occurred_at, found_at, up_at, head_strike, injured FROM falls_log_falls WHERE status = 'completed' ORDER BY id") {
                let occurred = Timestamp.parse(row["occurred_at"]) ?? Date()
                func offset(_ column: String) -> Int? { (row[column] as String?).flatMap(Timestamp.parse).map { Int($0.timeIntervalSince(occurred)) } }
                let id: Int64 = row["id"]
                let checks = try Row.fetchAll(db, sql: "SELECT check_key, kind, label, due_at FROM falls_log_checks WHERE fall_id = ? ORDER BY id", arguments: [id]).map {
                    ($0["check_key"] as String, $0["kind"] as String, $0["label"] as String, Int((Timestamp.parse($0["due_at"]) ?? occurred).timeIntervalSince(occurred)))
                }
                falls.append((id, offset("found_at"), offset("up_at"), row["head_strike"], row["injured"], checks))
            }
            let assessment = try Int64.fetchOne(db, sql: """
                SELECT assessment_id FROM falls_log_assessment_findings GROUP BY assessment_id ORDER BY SUM(problem) DESC, assessment_id LIMIT 1
                """)
            findings = try Row.fetchAll(db, sql: "SELECT component, problem, finding, action FROM falls_log_assessment_findings WHERE assessment_id = ? ORDER BY id",
                                        arguments: [assessment]).map { ($0["component"], $0["problem"], $0["finding"], $0["action"]) }
            medicines = try Row.fetchAll(db, sql: """
                SELECT name, dose, route, frequency, as_needed, indication FROM medication_review_medicines WHERE entered_in_error = 0 GROUP BY name ORDER BY name
                """).map { ($0["name"], $0["dose"], $0["route"], $0["frequency"], $0["as_needed"], $0["indication"]) }
            reviewID = try Int64.fetchOne(db, sql: "SELECT MIN(id) FROM medication_review_reviews WHERE entered_in_error = 0")
            reconciliationID = try Int64.fetchOne(db, sql: "SELECT MIN(id) FROM medication_review_reconciliations WHERE entered_in_error = 0")
            entryID = try Int64.fetchOne(db, sql: "SELECT MIN(id) FROM home_round_entries")
            actionDescriptions = try String.fetchAll(db, sql: "SELECT DISTINCT description FROM home_round_actions ORDER BY id")
            hasTransfers = try db.tableExists("transfers_transfers") && db.tableExists("transfers_reviews") && db.tableExists("transfers_deaths")
            hasObservations = try db.tableExists("deterioration_observations")
            guard !records.isEmpty, !falls.isEmpty, !medicines.isEmpty, !findings.isEmpty else {
                throw HistoryError("the home's demo data is missing residents, falls, medicines or assessments: enable every plugin")
            }
        }
    }

    /// Writes one former resident's rows, and the rounds, inside a write transaction.
    struct Writer {
        let db: Database
        let templates: Templates
        static let by = "Generated history"
        static let firstNames = ["Ada", "Albert", "Alice", "Arthur", "Beryl", "Bernard", "Doris", "Dennis", "Edith", "Ernest", "Florence", "Frank",
                                 "Gladys", "Gordon", "Hilda", "Harry", "Ivy", "Jack", "Joyce", "Kenneth", "Lily", "Leonard", "Mabel", "Norman",
                                 "Olive", "Percy", "Peggy", "Ronald", "Sylvia", "Stanley", "Vera", "Wilfred", "Winifred", "Yusuf", "Amrit", "Bronwen"]
        static let surnames = ["Adams", "Bailey", "Begum", "Clarke", "Davies", "Edwards", "Fletcher", "Griffiths", "Hall", "Hughes", "Iqbal",
                               "Jenkins", "Kaur", "Lewis", "Morgan", "Nolan", "Owen", "Parry", "Quinn", "Roberts", "Singh", "Thomas", "Turner",
                               "Walker", "Ward", "Wood", "Wright", "Young", "Okoro", "Novak"]

        init(db: Database, templates: Templates) {
            self.db = db
            self.templates = templates
        }

        func run(_ sql: String, _ arguments: StatementArguments) throws {
            try db.cachedStatement(sql: sql).execute(arguments: arguments)
        }

        func at(_ day: Day, minutes: Int) -> String { Timestamp.format(HomeTime.startOf(day).addingTimeInterval(TimeInterval(minutes * 60))) }

        mutating func resident(_ stay: Stay, random: inout SeededRandom, totals: inout Totals) throws -> Int64 {
            var record = templates.records[stay.templateIndex % templates.records.count]
            let first = Writer.firstNames[random.int(0..<Writer.firstNames.count)]
            let middle = Writer.firstNames[random.int(0..<Writer.firstNames.count)]
            let surname = Writer.surnames[random.int(0..<Writer.surnames.count)]
            let born = Day(year: stay.admitted.year - random.int(72..<101), month: random.int(1..<13), day: random.int(1..<29)) ?? stay.admitted
            record["fullName"] = "\(first) \(middle) \(surname)"
            record["preferredName"] = first
            record["room"] = String(stay.room)
            record["dateOfBirth"] = ["day": born.day, "month": born.month, "year": born.year]
            record.removeValue(forKey: "nhsNumber")
            record["nhsVerified"] = false
            record["nextOfKinName"] = "\(Writer.firstNames[random.int(0..<Writer.firstNames.count)]) \(surname)"
            let json = String(decoding: try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]), as: UTF8.self)
            let created = at(stay.admitted, minutes: 600)
            try run("""
                INSERT INTO residents_residents (full_name, preferred_name, room, nhs_number, date_of_birth, status, record, version, created_at, updated_at)
                VALUES (?, ?, ?, NULL, ?, ?, ?, 1, ?, ?)
                """, [record["fullName"] as? String, first, String(stay.room), born.iso, stay.died ? "died" : "left", json, created, at(stay.ended, minutes: 900)])
            let id = db.lastInsertedRowID
            try run("""
                INSERT INTO residents_versions (resident_id, version, action, changed_at, changed_by_id, changed_by, summary, record)
                VALUES (?, 1, 'created', ?, 0, ?, ?, ?)
                """, [id, created, Writer.by, "Record created; admitted \(stay.admitted.display)", json])
            totals.residents += 1

            // Movements, each (re)admission with its 7-day clock done, and a reconciliation of medicines.
            var movements: [(String, Day, String)] = [("admitted", stay.admitted, "")]
            for (went, back) in stay.hospital { movements += [("went-to-hospital", went, ""), ("returned-from-hospital", back, "")] }
            movements.append(stay.died ? ("died", stay.ended, random.int(0..<4) == 0 ? "hospital" : "here") : ("left", stay.ended, ""))
            for (kind, day, place) in movements {
                try run("""
                    INSERT INTO residents_movements (resident_id, kind, on_day, place, recorded_at, recorded_by_id, recorded_by)
                    VALUES (?, ?, ?, ?, ?, 0, ?)
                    """, [id, kind, day.iso, place, at(day, minutes: 660), Writer.by])
                let movementID = db.lastInsertedRowID
                totals.movements += 1
                guard kind == "admitted" || kind == "returned-from-hospital" else { continue }
                for (item, after, who, role, domains) in [("assessment", 3, "Dr Amara Okafor", "GP", "physical,psychological,functional,social,environmental"),
                                                          ("care-plan", 5, "Nadia Hussain", "Community matron", ""),
                                                          ("medication-review-flag", 1, "Tom Bradley", "PCN clinical pharmacist", "")] {
                    try run("""
                        INSERT INTO residents_clock_entries (resident_id, movement_id, item, done_on, done_by, done_by_role, domains, recorded_at, recorded_by_id, recorded_by)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?)
                        """, [id, movementID, item, day.adding(days: after).iso, who, role, domains, at(day.adding(days: after), minutes: 960), Writer.by])
                }
                if let reconciliation = templates.reconciliationID {
                    try run("""
                        INSERT INTO medication_review_reconciliations (resident_id, reconciled_on, trigger, trigger_on, sources, discrepancies_found, discrepancies,
                            reconciled_by, reconciled_by_role, recorded_at, recorded_by_id, recorded_by)
                        SELECT ?, ?, ?, ?, sources, discrepancies_found, discrepancies, reconciled_by, reconciled_by_role, ?, 0, ?
                        FROM medication_review_reconciliations WHERE id = ?
                        """, [id, day.adding(days: 1).iso, kind == "admitted" ? "admission" : "hospital-return", day.iso, at(day.adding(days: 1), minutes: 700), Writer.by, reconciliation])
                }
                try assessment(residentID: id, promptedBy: kind == "admitted" ? "admission" : "readmission", fallID: nil,
                               prompted: at(day, minutes: 0), completed: at(day.adding(days: 3), minutes: 600), totals: &totals)
            }

            // Medicines: started on admission, some changed once, all stopped when the stay ended.
            let count = random.int(5..<11)
            let stayDays = stay.admitted.days(until: stay.ended)
            for n in 0..<count {
                let (name, dose, route, frequency, asNeeded, indication) = templates.medicines[(stay.templateIndex + n * 7) % templates.medicines.count]
                let changed = random.int(0..<100) < 30 && stayDays > 30
                let changedOn = stay.admitted.adding(days: random.int(15..<max(16, stayDays - 1)))
                let stopReason = stay.died ? "Died" : "Left the home"
                try run("""
                    INSERT INTO medication_review_medicines (resident_id, version, name, dose, route, frequency, as_needed, started_on, indication,
                        stop_on, stop_reason, change_note, recorded_at, recorded_by_id, recorded_by)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)
                    """, [id, changed ? 2 : 1, name, changed ? "\(dose) (changed)" : dose, route, frequency, asNeeded, stay.admitted.iso, indication,
                          stay.ended.iso, stopReason, changed ? "Dose changed at a medication review" : "", at(stay.ended, minutes: 700), Writer.by])
                let medicineID = db.lastInsertedRowID
                var versions: [(Int, String, String?, String, String, String)] = [(1, dose, nil, "", "", at(stay.admitted, minutes: 700))]
                if changed {
                    versions = [(1, dose, nil, "", "", at(stay.admitted, minutes: 700)),
                                (2, "\(dose) (changed)", stay.ended.iso, stopReason, "Dose changed at a medication review", at(changedOn, minutes: 700))]
                } else {
                    versions = [(1, dose, stay.ended.iso, stopReason, "", at(stay.admitted, minutes: 700))]
                }
                for (version, versionDose, stop, reason, note, recorded) in versions {
                    try run("""
                        INSERT INTO medication_review_medicine_versions (medicine_id, version, name, dose, route, frequency, as_needed, started_on, indication,
                            stop_on, stop_reason, entered_in_error, error_reason, change_note, recorded_at, recorded_by_id, recorded_by)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, '', ?, ?, 0, ?)
                        """, [medicineID, version, name, versionDose, route, frequency, asNeeded, stay.admitted.iso, indication, stop, reason, note, recorded, Writer.by])
                }
                totals.medicines += 1
            }
            // A structured medication review every six months or so.
            if let review = templates.reviewID {
                var day = stay.admitted.adding(days: 30)
                while day < stay.ended {
                    try run("""
                        INSERT INTO medication_review_reviews (resident_id, reviewed_on, reviewer, reviewer_role, discussed_with, discussion, outcome,
                            next_review_on, recorded_at, recorded_by_id, recorded_by)
                        SELECT ?, ?, reviewer, reviewer_role, discussed_with, discussion, outcome, ?, ?, 0, ? FROM medication_review_reviews WHERE id = ?
                        """, [id, day.iso, day.adding(days: 182).iso, at(day, minutes: 800), Writer.by, review])
                    day = day.adding(days: 182)
                }
            }

            try transfers(residentID: id, stay, movements: movements, random: &random, totals: &totals)
            try observations(residentID: id, stay, random: &random, totals: &totals)

            // Falls: about three a year lived here, each with its checks done and an assessment.
            let falls = random.int(0..<(1 + stayDays * 6 / 365))
            for _ in 0..<falls {
                let day = stay.admitted.adding(days: random.int(1..<max(2, stayDays)))
                guard stay.present(on: day) else { continue }
                try fall(residentID: id, on: day, random: &random, totals: &totals)
            }
            return id
        }

        /// Each hospital spell as a transfer (why, how, admitted, back, discharge summary, medicines
        /// reconciled), most reviewed by the MDT at the next round; a death as the transfers plugin records it.
        func transfers(residentID: Int64, _ stay: Stay, movements: [(String, Day, String)], random: inout SeededRandom, totals: inout Totals) throws {
            guard templates.hasTransfers else { return }
            let reasons = ["fall", "deterioration", "deterioration", "other", "planned"]
            let routes = ["999", "999", "111", "gp", "ucr", "family"]
            let avoidable = ["no", "no", "possibly", "yes", "cannot-say"]
            let helped = ["nothing", "earlier-recognition", "ucr", "gp-advice"]
            for (went, back) in stay.hospital {
                let reason = reasons[random.int(0..<reasons.count)]
                let route = reason == "planned" ? "planned-transport" : routes[random.int(0..<routes.count)]
                let left = at(went, minutes: random.int(420..<1380))
                try run("""
                    INSERT INTO transfers_transfers (resident_id, left_at, left_on, reason, route, by_ambulance, outcome, hospital, stay_ended_on, stay_end,
                        discharge_summary_on, reconciliation, reconciled_on, recorded_by_id, recorded_by_name, recorded_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 'County Hospital', ?, 'returned', ?, 'yes', ?, 0, ?, ?)
                    """, [residentID, left, went.iso, reason, route, route == "999" ? 1 : 0,
                          reason == "planned" ? "planned-care" : (random.int(0..<3) == 0 ? "ae-only" : "admitted"),
                          back.iso, back.iso, back.adding(days: random.int(1..<4)).iso, Writer.by, left])
                let transferID = db.lastInsertedRowID
                totals.transfers += 1
                guard reason != "planned", random.int(0..<10) < 8 else { continue }
                let reviewed = back.adding(days: random.int(3..<10))
                try run("""
                    INSERT INTO transfers_reviews (transfer_id, avoidable, helped, notes, reviewed_on, reviewed_by, recorded_by_id, recorded_by_name, recorded_at)
                    VALUES (?, ?, ?, '', ?, 'Dr Gareth Price (GP)', 0, ?, ?)
                    """, [transferID, avoidable[random.int(0..<avoidable.count)], helped[random.int(0..<helped.count)], reviewed.iso, Writer.by, at(reviewed, minutes: 720)])
            }
            if stay.died, let death = movements.last {
                let place = death.2 == "hospital" ? "hospital" : "here"
                try run("""
                    INSERT INTO transfers_deaths (resident_id, died_on, place, preferred, plan_existed, completed, recorded_by_name, recorded_at)
                    VALUES (?, ?, ?, ?, ?, 1, ?, ?)
                    """, [residentID, stay.ended.iso, place, random.int(0..<4) == 0 ? "not-known" : "here", random.int(0..<5) == 0 ? 0 : 1,
                          Writer.by, at(stay.ended, minutes: 900)])
            }
        }

        /// Observations about once a fortnight (weekly in the last month of a life), with the NEWS2 a
        /// settled resident usually scores: a deterioration history of the size a home keeps.
        func observations(residentID: Int64, _ stay: Stay, random: inout SeededRandom, totals: inout Totals) throws {
            guard templates.hasObservations else { return }
            var day = stay.admitted.adding(days: random.int(1..<14))
            while day < stay.ended {
                guard stay.present(on: day) else { day = day.adding(days: 7); continue }
                let unwell = random.int(0..<12) == 0
                // Scored as NEWS2 scores them (RCP 2017): unwell 2 + 2 + 1 + 1 = 6, band medium; settled 0.
                let (respiration, spo2, pulse, temperature, news, band) = unwell ? (22, 93, 104, 38.1, 6, 3) : (16, 96, 72 + random.int(0..<12), 36.6, 0, 0)
                let taken = at(day, minutes: random.int(480..<1200))
                try run("""
                    INSERT INTO deterioration_observations (resident_id, taken_at, respiration, spo2, on_oxygen, systolic, diastolic, pulse, consciousness,
                        temperature, scale, news2_total, band, recorded_by_id, recorded_by_name, recorded_at)
                    VALUES (?, ?, ?, ?, 0, ?, ?, ?, 'alert', ?, 1, ?, ?, 0, ?, ?)
                    """, [residentID, taken, respiration, spo2, 118 + random.int(0..<30), 70 + random.int(0..<15), pulse, temperature,
                          news, band, Writer.by, taken])
                totals.observations += 1
                day = day.adding(days: day.days(until: stay.ended) < 30 ? 7 : 14)
            }
        }

        mutating func fall(residentID: Int64, on day: Day, random: inout SeededRandom, totals: inout Totals) throws {
            let template = templates.falls[random.int(0..<templates.falls.count)]
            let occurred = HomeTime.startOf(day).addingTimeInterval(TimeInterval(random.int(0..<1_440) * 60))
            func time(_ seconds: Int?) -> String? { seconds.map { Timestamp.format(occurred.addingTimeInterval(TimeInterval($0))) } }
            let recorded = Timestamp.format(occurred.addingTimeInterval(1_800))
            try run("""
                INSERT INTO falls_log_falls (resident_id, status, version, occurred_at, location, witnessed, injured, head_strike, post_fall_check, antithrombotic,
                    antithrombotic_source, found_at, up_at, location_detail, activity, footwear, walking_aid, call_bell, injuries, harm, observations, called,
                    conveyed, admitted, fracture, family_informed, gp_informed, care_plan_updated, medication_review_requested, notes, long_lie,
                    recorded_by_id, recorded_by_name, recorded_at, updated_at)
                SELECT ?, 'completed', 1, ?, location, witnessed, injured, head_strike, post_fall_check, antithrombotic,
                    antithrombotic_source, ?, ?, location_detail, activity, footwear, walking_aid, call_bell, injuries, harm, observations, called,
                    conveyed, admitted, fracture, family_informed, gp_informed, care_plan_updated, medication_review_requested, notes, long_lie,
                    0, ?, ?, ? FROM falls_log_falls WHERE id = ?
                """, [residentID, Timestamp.format(occurred), time(template.found), time(template.up), Writer.by, recorded, recorded, template.id])
            let fallID = db.lastInsertedRowID
            try run("""
                INSERT INTO falls_log_fall_versions (fall_id, version, change, reason, saved_by_id, saved_by_name, saved_at, snapshot)
                SELECT ?, 1, change, '', 0, ?, ?, json_set(snapshot, '$.id', ?, '$.residentID', ?, '$.occurredAt', ?)
                FROM falls_log_fall_versions WHERE fall_id = ? ORDER BY version LIMIT 1
                """, [fallID, Writer.by, recorded, fallID, residentID, Timestamp.format(occurred), template.id])
            for (key, kind, label, after) in template.checks {
                let due = occurred.addingTimeInterval(TimeInterval(after))
                try run("""
                    INSERT INTO falls_log_checks (fall_id, resident_id, check_key, kind, label, due_at, done_at, done_by_id, done_by_name, findings)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, 'No new concerns')
                    """, [fallID, residentID, key, kind, label, Timestamp.format(due), Timestamp.format(due.addingTimeInterval(600)), Writer.by])
                totals.checks += 1
            }
            let headStrike: Int? = template.headStrike == "yes" ? 1 : template.headStrike == "no" ? 0 : nil
            try run("INSERT INTO home_round_fall_events (fall_id, resident_id, occurred_at, head_strike, injured, heard_at) VALUES (?, ?, ?, ?, ?, ?)",
                    [fallID, residentID, Timestamp.format(occurred), headStrike, template.injured, recorded])
            try run("INSERT INTO medication_review_falls (fall_id, resident_id, occurred_at) VALUES (?, ?, ?)", [fallID, residentID, Timestamp.format(occurred)])
            try assessment(residentID: residentID, promptedBy: "fall", fallID: fallID, prompted: recorded,
                           completed: Timestamp.format(occurred.addingTimeInterval(2 * 86_400)), totals: &totals)
            totals.falls += 1
        }

        func assessment(residentID: Int64, promptedBy: String, fallID: Int64?, prompted: String, completed: String, totals: inout Totals) throws {
            try run("""
                INSERT INTO falls_log_assessments (resident_id, prompted_by, fall_id, prompted_at, completed_at, completed_by_id, completed_by_name, version)
                VALUES (?, ?, ?, ?, ?, 0, ?, 1)
                """, [residentID, promptedBy, fallID, prompted, completed, Writer.by])
            let assessmentID = db.lastInsertedRowID
            for (component, problem, finding, action) in templates.findings {
                try run("INSERT INTO falls_log_assessment_findings (assessment_id, component, problem, finding, action) VALUES (?, ?, ?, ?, ?)",
                        [assessmentID, component, problem, finding, action])
            }
            // The first version, as the falls plugin's own migration 3 writes it.
            try run("""
                INSERT INTO falls_log_assessment_versions (assessment_id, version, change, reason, saved_by_id, saved_by_name, saved_at, snapshot)
                SELECT ?, 1, 'completed', '', 0, ?, ?,
                    (SELECT json_group_array(json_object('component', f.component, 'problem', json(CASE WHEN f.problem THEN 'true' ELSE 'false' END),
                                                         'finding', f.finding, 'action', f.action))
                     FROM falls_log_assessment_findings f WHERE f.assessment_id = ?)
                """, [assessmentID, Writer.by, completed, assessmentID])
            totals.assessments += 1
        }

        /// A closed round every week on Wednesday, with the residents then present on its agenda.
        mutating func rounds(from start: Day, to end: Day, stays: [Stay], residentIDs: [Int64], random: inout SeededRandom, totals: inout Totals) throws {
            guard let entry = templates.entryID else { return }
            let weeksTaken = Set(try String.fetchAll(db, sql: "SELECT week_start FROM home_round_rounds"))
            var day = start
            while day.weekday != .wednesday { day = day.adding(days: 1) }
            while day <= end {
                let monday = day.adding(days: -2)
                if weeksTaken.contains(monday.iso) {
                    day = day.adding(days: 7)
                    continue
                }
                try run("""
                    INSERT INTO home_round_rounds (round_day, week_start, status, opened_by, opened_by_name, opened_at, closed_by, closed_by_name, closed_at)
                    VALUES (?, ?, 'closed', 0, 'Niamh Nurse', ?, 0, 'Dr Gareth Price (GP)', ?)
                    """, [day.iso, monday.iso, at(monday, minutes: 540), at(day, minutes: 750)])
                let roundID = db.lastInsertedRowID
                for (name, role, organisation) in [("Dr Gareth Price (GP)", "GP", "Riverside Surgery"), ("Priya Pharmacist", "Clinical pharmacist", "Riverside PCN"),
                                                   ("Niamh Nurse", "Registered nurse", "The home")] {
                    try run("INSERT INTO home_round_attendees (round_id, name, role, organisation, added_by, added_at) VALUES (?, ?, ?, ?, 0, ?)",
                            [roundID, name, role, organisation, at(day, minutes: 600)])
                }
                let present = stays.indices.filter { stays[$0].present(on: day) }
                var agenda: [Int] = []
                for _ in 0..<min(present.count, random.int(6..<11)) {
                    let pick = present[random.int(0..<present.count)]
                    if !agenda.contains(pick) { agenda.append(pick) }
                }
                for (position, index) in agenda.enumerated() {
                    let residentID = residentIDs[index]
                    try run("INSERT INTO home_round_agenda_final (round_id, resident_id, position, score, reasons) VALUES (?, ?, ?, ?, ?)",
                            [roundID, residentID, position + 1, 60 - position * 5, "Fell since the last round; Medicines review due"])
                    for table in ["home_round_entries", "home_round_entry_versions"] {
                        let versionColumns = table == "home_round_entry_versions" ? "kind, based_on_version, " : ""
                        let versionValues = table == "home_round_entry_versions" ? "'saved', 0, " : ""
                        try run("""
                            INSERT INTO \(table) (round_id, resident_id, version, \(versionColumns)outcome, not_seen_reason, findings, assessment_done, care_plan_done,
                                smr_flagged, acp_discussed, acp_notes, referrals, medicines_changed, medicines_notes, family_to_inform, family_notes,
                                gp_record_updated, saved_by, saved_by_name, saved_at)
                            SELECT ?, ?, 1, \(versionValues)outcome, not_seen_reason, findings, assessment_done, care_plan_done,
                                smr_flagged, acp_discussed, acp_notes, referrals, medicines_changed, medicines_notes, family_to_inform, family_notes,
                                gp_record_updated, 0, saved_by_name, ? FROM home_round_entries WHERE id = ?
                            """, [roundID, residentID, at(day, minutes: 620 + position * 10), entry])
                    }
                    // About nine actions a round, all done within a fortnight.
                    for _ in 0..<random.int(0..<3) where !templates.actionDescriptions.isEmpty {
                        let due = day.adding(days: random.int(2..<14))
                        let done = due.adding(days: random.int(-2..<3))
                        try run("""
                            INSERT INTO home_round_actions (round_id, resident_id, description, owner_name, owner_role, due_on, created_by, created_by_name,
                                created_at, done_on, done_at, done_by, done_by_name, status)
                            VALUES (?, ?, ?, 'Niamh Nurse', 'nurse', ?, 0, 'Dr Gareth Price (GP)', ?, ?, ?, 0, 'Niamh Nurse', 'done')
                            """, [roundID, residentID, templates.actionDescriptions[random.int(0..<templates.actionDescriptions.count)], due.iso,
                                  at(day, minutes: 660), done.iso, at(done, minutes: 900)])
                        totals.actions += 1
                    }
                }
                totals.rounds += 1
                day = day.adding(days: 7)
            }
        }
    }
}

/// The home cannot be given a history (no demo data, a plugin missing).
package struct HistoryError: Error, CustomStringConvertible {
    package let description: String
    init(_ description: String) { self.description = description }
}
