import CareKit
import CareServices
import Foundation

/// The domains of the comprehensive assessment (NHS England EHCH framework).
enum AssessmentDomain: String, Sendable, CaseIterable, Comparable {
    case physical, psychological, functional, social, environmental

    var title: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }

    static func < (lhs: AssessmentDomain, rhs: AssessmentDomain) -> Bool {
        (allCases.firstIndex(of: lhs) ?? 0) < (allCases.firstIndex(of: rhs) ?? 0)
    }
}

/// A recorded assessment (of some domains), care plan or SMR flag.
struct ClockEntry: Sendable, Equatable {
    var id: Int64
    var residentID: Int64
    var movementID: Int64
    var item: ClockItem
    var doneOn: Day
    var doneBy: String
    var doneByRole: String
    var domains: Set<AssessmentDomain>
    var reviewOn: Day?
    var note: String
    var recordedAt: Date?
    var recordedBy: String
    var enteredInError: Bool
    var errorReason: String?

    init(row: SQLRow) throws {
        guard let id = row.int64("id"), let residentID = row.int64("resident_id"), let movementID = row.int64("movement_id"),
              let item = row.string("item").flatMap(ClockItem.init(rawValue:)), let doneOn = row.day("done_on") else {
            throw CareError.badRequest("A clock entry could not be read.")
        }
        self.id = id
        self.residentID = residentID
        self.movementID = movementID
        self.item = item
        self.doneOn = doneOn
        doneBy = row.string("done_by") ?? ""
        doneByRole = row.string("done_by_role") ?? ""
        domains = Set((row.string("domains") ?? "").split(separator: ",").compactMap { AssessmentDomain(rawValue: String($0)) })
        reviewOn = row.day("review_on")
        note = row.string("note") ?? ""
        recordedAt = row.date("recorded_at")
        recordedBy = row.string("recorded_by") ?? ""
        enteredInError = row.bool("entered_in_error") ?? false
        errorReason = row.string("error_reason")
    }
}

/// A clock with everything its page shows.
struct ClockDetail: Sendable {
    var clock: AdmissionClock
    var movement: StoredMovement
    /// Every entry for this admission, including those entered in error, oldest first.
    var entries: [ClockEntry]
    /// The first day each domain was assessed.
    var domainsDone: [AssessmentDomain: Day]
    /// Non-working days between the admission and the deadline, with the reason.
    var skipped: [(day: Day, reason: String)]

    /// How the deadline was worked out, in words (rule RES-CLOCK-7WD).
    var explanation: String {
        let start = clock.startedOn
        var text = "\(clock.isReadmission ? "Re-admitted" : "Admitted") on \(start.display) (day 0). "
        text += "The deadline is the 7th working day after it: \(clock.deadline.display). "
        if skipped.isEmpty {
            text += "No days were skipped."
        } else {
            let list = skipped.map { "\($0.day.displayShort) (\($0.reason))" }.joined(separator: ", ")
            text += "Not counted: \(list)."
        }
        return text
    }

    /// Active entries for an item, oldest first.
    func active(_ item: ClockItem) -> [ClockEntry] { entries.filter { $0.item == item && !$0.enteredInError } }
}

/// The EHCH 7-working-day clock. Rule RES-CLOCK-7WD: within 7 working days of admission or
/// re-admission, a comprehensive assessment (all five domains), a personalised care and support
/// plan with an MDT member, and an SMR flag. Day 0 is the day of admission; working days skip
/// weekends, bank holidays in England and Wales and the home's own non-working days (our reading,
/// shown to staff). The assessment counts as done on the day its fifth domain was assessed.
enum ClockRule {
    static let id = "RES-CLOCK-7WD"
    static let reason = "Within 7 working days of admission or re-admission every resident should have a comprehensive assessment (physical, psychological, functional, social, environmental), a personalised care and support plan made with a member of the MDT, and be flagged for a structured medication review. Day 0 is the day of admission; weekends, bank holidays in England and Wales and the home's own non-working days are not counted (our reading of the framework)."
    static let source = "NHS England, Enhanced Health in Care Homes framework (v3, 2023) and the Network Contract DES; the counting rule (day 0, skipped days) is this appliance's reading."

    /// The day the assessment was complete: when every domain had been assessed, or nil.
    static func assessmentCompleted(_ entries: [ClockEntry]) -> (done: Day?, domains: [AssessmentDomain: Day]) {
        var first = [AssessmentDomain: Day]()
        for entry in entries.sorted(by: { $0.doneOn < $1.doneOn }) where entry.item == .assessment && !entry.enteredInError {
            for domain in entry.domains where first[domain] == nil { first[domain] = entry.doneOn }
        }
        let done = first.count == AssessmentDomain.allCases.count ? first.values.max() : nil
        return (done, first)
    }

    static func detail(residentID: Int64, movement: StoredMovement, entries: [ClockEntry], calendar: WorkingCalendar, today: Day) -> ClockDetail {
        let mine = entries.filter { $0.movementID == movement.id }
        let deadline = calendar.admissionDeadline(admittedOn: movement.on)
        let (assessed, domains) = assessmentCompleted(mine)
        func firstDone(_ item: ClockItem) -> Day? {
            mine.filter { $0.item == item && !$0.enteredInError }.map(\.doneOn).min()
        }
        let clock = AdmissionClock(
            residentID: residentID, startedOn: movement.on, isReadmission: movement.kind == .returnedFromHospital, deadline: deadline,
            assessment: calendar.itemState(doneOn: assessed, deadline: deadline, today: today),
            carePlan: calendar.itemState(doneOn: firstDone(.carePlan), deadline: deadline, today: today),
            medicationReviewFlag: calendar.itemState(doneOn: firstDone(.medicationReviewFlag), deadline: deadline, today: today))
        return ClockDetail(clock: clock, movement: movement, entries: mine, domainsDone: domains,
                           skipped: calendar.skippedDays(after: movement.on, through: deadline))
    }

    /// Most urgent first: the most overdue, then the nearest deadline.
    static func urgencyOrder(_ a: AdmissionClock, _ b: AdmissionClock) -> Bool {
        if a.deadline != b.deadline { return a.deadline < b.deadline }
        return a.residentID < b.residentID
    }
}

/// Reads and writes clock entries and works out clocks.
struct ClockStore: Sendable {
    let database: any CareDatabase
    let residents: ResidentStore
    let profiles: HomeProfileStore
    /// The open clocks, on the dashboard card of every signed-in user: kept until anything is saved or the day changes.
    private let openList = DerivedValue<Day, [OpenClock]>()

    init(database: any CareDatabase, residents: ResidentStore, profiles: HomeProfileStore) {
        self.database = database
        self.residents = residents
        self.profiles = profiles
    }

    typealias OpenClock = (resident: StoredResident, detail: ClockDetail)

    func entries(residentID: Int64, _ db: any SQLReader) throws -> [ClockEntry] {
        try db.query("SELECT * FROM residents_clock_entries WHERE resident_id = ? ORDER BY done_on, id", [.integer(residentID)])
            .map(ClockEntry.init(row:))
    }

    /// The clock entries of today's residents (living here or in hospital), by resident, oldest first.
    func currentResidentsEntries(_ db: any SQLReader) throws -> [Int64: [ClockEntry]] {
        var byResident = [Int64: [ClockEntry]]()
        for row in try db.query("""
            SELECT * FROM residents_clock_entries WHERE resident_id IN
                (SELECT id FROM residents_residents WHERE status IN ('living-here', 'in-hospital') AND entered_in_error = 0)
            ORDER BY done_on, id
            """) {
            let entry = try ClockEntry(row: row)
            byResident[entry.residentID, default: []].append(entry)
        }
        return byResident
    }

    /// The clock of the resident's latest admission or re-admission (nil when none is tracked).
    func latestClock(residentID: Int64, today: Day) throws -> ClockDetail? {
        try database.read { db in
            guard let resident = try residents.resident(id: residentID, db), !resident.enteredInError,
                  let movement = resident.latestAdmission, movement.clockTracked else { return nil }
            return ClockRule.detail(residentID: residentID, movement: movement, entries: try entries(residentID: residentID, db),
                                    calendar: try profiles.load(db).profile.calendar, today: today)
        }
    }

    /// Every clock of a resident, newest first (earlier admissions' clocks stay visible).
    func allClocks(residentID: Int64, today: Day) throws -> [ClockDetail] {
        try database.read { db in
            guard let resident = try residents.resident(id: residentID, db) else { return [] }
            let calendar = try profiles.load(db).profile.calendar
            let all = try entries(residentID: residentID, db)
            return resident.movements.filter { $0.startsClock && $0.clockTracked }.reversed().map {
                ClockRule.detail(residentID: residentID, movement: $0, entries: all, calendar: calendar, today: today)
            }
        }
    }

    /// The clocks of every tracked admission or return from hospital on or after `since` (any resident
    /// not entered in error, including those who have since left or died).
    func clocksStarted(since: Day, today: Day) throws -> [AdmissionClock] {
        try database.read { db in
            let calendar = try profiles.load(db).profile.calendar
            // Only residents here on or after `since` (an admission since then is such a movement).
            let movementsByResident = try residents.movementsOfResidents(hereSince: since, db)
            var entriesByResident = [Int64: [ClockEntry]]()
            for row in try db.query("SELECT * FROM residents_clock_entries WHERE resident_id IN (SELECT value FROM json_each(?)) ORDER BY done_on, id",
                                    [.text("[" + movementsByResident.keys.sorted().map(String.init).joined(separator: ",") + "]")]) {
                let entry = try ClockEntry(row: row)
                entriesByResident[entry.residentID, default: []].append(entry)
            }
            return movementsByResident.keys.sorted().flatMap { id in
                (movementsByResident[id] ?? []).filter { $0.startsClock && $0.clockTracked && !$0.enteredInError && $0.on >= since }.map {
                    ClockRule.detail(residentID: id, movement: $0, entries: entriesByResident[id] ?? [], calendar: calendar, today: today).clock
                }
            }
        }
    }

    /// Open clocks of residents living here, most urgent first.
    func openClocks(today: Day) throws -> [OpenClock] {
        try openList.value(from: database, key: today) { try readOpenClocks(today: today) }
    }

    private func readOpenClocks(today: Day) throws -> [OpenClock] {
        try database.read { db in
            let living = try residents.residents(statuses: [.livingHere], db)
            let calendar = try profiles.load(db).profile.calendar
            let entriesByResident = try currentResidentsEntries(db)
            return living.compactMap { resident -> (StoredResident, ClockDetail)? in
                guard let movement = resident.latestAdmission, movement.clockTracked else { return nil }
                let detail = ClockRule.detail(residentID: resident.id, movement: movement, entries: entriesByResident[resident.id] ?? [],
                                              calendar: calendar, today: today)
                return detail.clock.isOpen ? (resident, detail) : nil
            }.sorted { ClockRule.urgencyOrder($0.1.clock, $1.1.clock) }
        }
    }

    /// What was typed for a clock entry.
    struct EntryInput {
        var item: ClockItem
        var doneOn: String
        var doneBy: String
        var doneByRole: String
        var domains: [String]
        var reviewOn: String
        var note: String
    }

    /// Records an entry on the current clock. Throws `ValidationFailure` with messages by field.
    func record(_ input: EntryInput, residentID: Int64, by principal: Principal, today: Day, at now: Date = Date()) throws {
        try database.write { db in
            guard let resident = try residents.resident(id: residentID, db), !resident.enteredInError else {
                throw CareError.notFound("No such resident.")
            }
            guard let movement = resident.latestAdmission, movement.clockTracked else {
                throw CareError.conflict("This resident has no 7-working-day clock running (admitted before the appliance was used).")
            }
            var errors = FormErrors()
            let doneOn = Day(parsing: input.doneOn)
            if input.doneOn.isEmpty { errors.add("done_on", "Enter the date it was done") }
            else if doneOn == nil { errors.add("done_on", "The date must be a real date, for example 23/11/2026") }
            else if let doneOn, doneOn > today { errors.add("done_on", "The date must be today or in the past") }
            else if let doneOn, doneOn < movement.on {
                errors.add("done_on", "The date is before this admission (\(movement.on.displayShort)): it belongs to an earlier stay")
            }
            if input.doneBy.isEmpty {
                errors.add("done_by", input.item == .carePlan ? "Enter the MDT member the plan was made with" : "Enter who did it")
            }
            let domains = Set(input.domains.compactMap(AssessmentDomain.init(rawValue:)))
            if input.item == .assessment && domains.isEmpty { errors.add("domains", "Tick at least one domain that was assessed") }
            var reviewOn: Day?
            if input.item == .carePlan {
                if input.reviewOn.isEmpty { errors.add("review_on", "Enter the date the plan will be reviewed") }
                else if let review = Day(parsing: input.reviewOn) {
                    if let doneOn, review <= doneOn { errors.add("review_on", "The review date must be after the plan was made") }
                    reviewOn = review
                } else { errors.add("review_on", "The review date must be a real date, for example 23/12/2026") }
            }
            guard errors.isEmpty, let doneOn else { throw ValidationFailure(errors: errors) }
            try insertEntry(input, doneOn: doneOn, domains: domains, reviewOn: reviewOn, residentID: residentID, movementID: movement.id,
                            by: principal, at: now, db)
        }
    }

    private func insertEntry(_ input: EntryInput, doneOn: Day, domains: Set<AssessmentDomain>, reviewOn: Day?, residentID: Int64, movementID: Int64,
                             by principal: Principal, at now: Date, _ db: any SQLWriter) throws {
        try db.execute("""
            INSERT INTO residents_clock_entries (resident_id, movement_id, item, done_on, done_by, done_by_role, domains, review_on, note,
                recorded_at, recorded_by_id, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.integer(residentID), .integer(movementID), .text(input.item.rawValue), SQLValue(doneOn), .text(input.doneBy),
                  .text(input.doneByRole), .text(domains.sorted().map(\.rawValue).joined(separator: ",")), SQLValue(reviewOn),
                  .text(input.note), SQLValue(now), .integer(principal.userID), .text(principal.displayName)])
        var summary = "\(input.item.title) recorded: \(doneOn.displayShort), by \(input.doneBy)"
        if !domains.isEmpty { summary += " (domains: \(domains.sorted().map(\.title).joined(separator: ", ")))" }
        if let reviewOn { summary += "; review \(reviewOn.displayShort)" }
        try residents.addSideVersion(residentID: residentID, action: "clock", summary: summary, by: principal, at: now, db)
    }

    /// Who records clock items ticked on another plugin's page (the home round).
    static let otherPage = Principal(userID: 0, username: "clock-from-elsewhere", displayName: "Recorded from another page (automatic)", role: .clinician)

    /// Records items done elsewhere (ticked at the home round) on the current clock: each item still
    /// open, done on or after the clock's day 0 and not in the future. The entry says where it came
    /// from and who. "Comprehensive assessment completed" counts as every domain assessed; the plan's
    /// review date is not asked there, so it is left for the clock page. Returns the items recorded.
    func recordDoneElsewhere(_ items: [ClockItem], residentID: Int64, on day: Day, source: String, by person: String, today: Day,
                             at now: Date = Date()) throws -> [ClockItem] {
        guard let detail = try latestClock(residentID: residentID, today: today), day >= detail.clock.startedOn, day <= today else { return [] }
        let open = items.filter { item in
            switch item {
            case .assessment: detail.clock.assessment.isOpen
            case .carePlan: detail.clock.carePlan.isOpen
            case .medicationReviewFlag: detail.clock.medicationReviewFlag.isOpen
            }
        }
        guard !open.isEmpty else { return [] }
        try database.write { db in
            guard let resident = try residents.resident(id: residentID, db), !resident.enteredInError,
                  let movement = resident.latestAdmission, movement.clockTracked else { return }
            for item in open {
                // "Comprehensive assessment completed" means every domain (the framework's meaning of comprehensive).
                let domains: Set<AssessmentDomain> = item == .assessment ? Set(AssessmentDomain.allCases) : []
                let input = EntryInput(item: item, doneOn: day.iso, doneBy: person, doneByRole: "Home round", domains: [], reviewOn: "",
                                       note: "Ticked at \(source) by \(person)")
                try insertEntry(input, doneOn: day, domains: domains, reviewOn: nil, residentID: residentID, movementID: movement.id,
                                by: ClockStore.otherPage, at: now, db)
            }
        }
        return open
    }

    /// Who records the SMR flag when the medication plugin reports a completed review.
    static let medicationPlugin = Principal(userID: 0, username: "medication-review", displayName: "Medication review (automatic)", role: .clinician)

    /// Records the SMR flag on the current clock from a completed structured medication review, when
    /// the clock is tracked, the flag is still open and the review is on or after the clock's day 0.
    /// Returns whether it recorded one.
    func recordFlagFromCompletedReview(residentID: Int64, on day: Day, today: Day) throws -> Bool {
        guard let detail = try latestClock(residentID: residentID, today: today), detail.clock.medicationReviewFlag.isOpen,
              day >= detail.clock.startedOn, day <= today else { return false }
        let input = EntryInput(item: .medicationReviewFlag, doneOn: day.iso, doneBy: "Structured medication review completed",
                               doneByRole: "Medication review", domains: [], reviewOn: "", note: "Recorded automatically from the medication review")
        try record(input, residentID: residentID, by: ClockStore.medicationPlugin, today: today)
        return true
    }

    /// Marks an entry entered in error, with a reason.
    func markEntryInError(residentID: Int64, entryID: Int64, reason: String, by principal: Principal, at now: Date = Date()) throws {
        try database.write { db in
            guard let row = try db.queryOne("SELECT * FROM residents_clock_entries WHERE id = ? AND resident_id = ?",
                                            [.integer(entryID), .integer(residentID)]) else { throw CareError.notFound("No such entry.") }
            let entry = try ClockEntry(row: row)
            guard !entry.enteredInError else { return }
            if reason.isEmpty {
                var errors = FormErrors()
                errors.add("reason", "Say why the entry is wrong")
                throw ValidationFailure(errors: errors)
            }
            try db.execute("UPDATE residents_clock_entries SET entered_in_error = 1, error_reason = ?, error_at = ?, error_by = ? WHERE id = ?",
                           [.text(reason), SQLValue(now), .text(principal.displayName), .integer(entryID)])
            try residents.addSideVersion(residentID: residentID, action: "clock",
                                         summary: "\(entry.item.title) of \(entry.doneOn.displayShort) marked entered in error: \(reason)",
                                         by: principal, at: now, db)
        }
    }
}
