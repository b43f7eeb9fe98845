public import CareKit
public import CareServices
import Foundation

/// A prompt for a resident with its state: open, or acknowledged/dismissed on the same facts.
public struct PromptItem: Sendable {
    /// What the rule found.
    public var finding: RuleFinding
    /// The latest decision on this rule for the resident, if it was made on these very facts.
    public var decision: Acknowledgement?
    /// A decision made on earlier facts: the prompt came back because they changed.
    public var earlierDecision: Acknowledgement?
    /// Whether it still needs attention.
    public var isOpen: Bool { decision == nil }
}

/// Everything the pages need about one resident's medicines, read in one transaction.
struct ResidentMedication: Sendable {
    var resident: ResidentSummary
    var medicines: [MedicineRecord]
    var reviews: [ReviewRecord]
    var reconciliations: [ReconciliationRecord]
    var facts: ResidentFacts
    var prompts: [PromptItem]
    var clock: AdmissionClock?

    func current(on today: Day) -> [MedicineRecord] { medicines.filter { $0.isCurrent(on: today) } }
}

/// Builds the rules' facts from the database and the registry, and publishes the medicines and
/// prompts services. A value: it holds only thread-safe handles.
struct MedicationService: CurrentMedicines, MedicationPromptSource {
    let database: any CareDatabase
    let services: any ServiceDirectory
    let table: DrugTable
    let today: @Sendable () -> Day
    /// The home-wide list is read on every dashboard view and costs a query set per resident: it is
    /// kept until anything is saved (a medicine, a fall, an admission, a clock) or the day changes.
    let homeWideList = DerivedValue<Day, [ResidentMedication]>()

    func directory() throws -> any ResidentDirectory {
        guard let directory = services.resolve(Services.residentDirectory) else {
            throw CareError(.unavailable, "The resident registry is not running, so medicines cannot be shown.")
        }
        return directory
    }

    /// Facts shared by every resident on one evaluation: the calendar and recent falls, fetched once.
    struct Shared {
        var calendar: WorkingCalendar
        /// Recent falls by resident (from the falls plugin's service, when it runs).
        var falls: [Int64: [FallSummary]]
    }

    /// The calendar, and the falls plugin's falls in the rule's window (for one resident, or all).
    func shared(residentID: Int64?, directory: any ResidentDirectory) throws -> Shared {
        var falls = [Int64: [FallSummary]]()
        if let source = services.resolve(Services.falls) {
            let since = HomeTime.startOf(today().adding(days: -MedicationRule.recentFallDays - 1))
            for fall in try source.falls(residentID: residentID, since: since) { falls[fall.residentID, default: []].append(fall) }
        }
        return Shared(calendar: try directory.workingCalendar(), falls: falls)
    }

    /// One resident's medication picture, or nil when the resident does not exist.
    func load(residentID: Int64) throws -> ResidentMedication? {
        let directory = try directory()
        guard let resident = try directory.resident(id: residentID) else { return nil }
        return try load(resident: resident, directory: directory, shared: try shared(residentID: residentID, directory: directory))
    }

    func load(resident: ResidentSummary, directory: any ResidentDirectory, shared: Shared) throws -> ResidentMedication {
        let day = today()
        // The admission clock only matters within the rules' 12-month window after an admission.
        var clock: AdmissionClock?
        if let latest = resident.latestAdmission, day <= latest.adding(months: 12).adding(days: 1) {
            clock = try directory.admissionClock(residentID: resident.id, today: day)
        }
        let (medicines, reviews, reconciliations, ownFalls, decisions) = try database.read { db in
            (try MedicationStore.medicines(db, residentID: resident.id), try MedicationStore.reviews(db, residentID: resident.id),
             try MedicationStore.reconciliations(db, residentID: resident.id), try MedicationStore.falls(db, residentID: resident.id),
             try MedicationStore.acknowledgements(db, residentID: resident.id))
        }
        var falls = [Int64: Day]()
        for fall in ownFalls { falls[fall.id] = HomeTime.day(of: fall.at) }
        for fall in shared.falls[resident.id] ?? [] { falls[fall.id] = HomeTime.day(of: fall.occurredAt) }
        let current = medicines.filter { $0.isCurrent(on: day) }
        let facts = ResidentFacts(
            residentID: resident.id, today: day, dementia: resident.dementia,
            medicines: current.map { MedicineFacts(id: $0.id, version: $0.version, name: $0.name, drug: table.lookup($0.name, recordedRoute: $0.route),
                                                   asNeeded: $0.asNeeded, startedOn: $0.startedOn, plannedStop: $0.stopOn) },
            latestAdmission: clock?.startedOn ?? resident.latestAdmission,
            latestAdmissionIsReadmission: clock?.isReadmission ?? resident.latestAdmissionIsReadmission,
            admissionDeadline: clock?.deadline, calendar: shared.calendar,
            reviewDates: reviews.map(\.reviewedOn), reconciliationDates: reconciliations.map(\.reconciledOn),
            falls: falls.map { (id: $0.key, day: $0.value) }, reviewFlaggedOn: clock.flatMap { MedicationService.doneDay($0.medicationReviewFlag) },
            diagnoses: resident.diagnoses, usualDuplicateClasses: Set(table.duplicatesExpected.keys))
        let prompts = RuleEngine.evaluate(facts).map { finding -> PromptItem in
            let latest = decisions[finding.rule.id]
            let same = latest?.fingerprint == finding.fingerprint
            return PromptItem(finding: finding, decision: same ? latest : nil, earlierDecision: same ? nil : latest)
        }
        return ResidentMedication(resident: resident, medicines: medicines, reviews: reviews, reconciliations: reconciliations,
                                  facts: facts, prompts: prompts, clock: clock)
    }

    /// The day a clock item was done, if it was.
    static func doneDay(_ state: ClockItemState) -> Day? {
        switch state {
        case .doneOnTime(let day), .doneLate(let day, _): day
        case .due, .overdue: nil
        }
    }

    /// Every current resident with open prompts, most urgent first (highest severity, then most prompts, then room).
    func homeWide() throws -> [ResidentMedication] {
        try homeWideList.value(from: database, key: today()) { try evaluateHomeWide() }
    }

    private func evaluateHomeWide() throws -> [ResidentMedication] {
        let directory = try directory()
        let shared = try shared(residentID: nil, directory: directory)
        let all = try directory.currentResidents().map { try load(resident: $0, directory: directory, shared: shared) }
        let keyed = all.map { medication -> (medication: ResidentMedication, top: Int, count: Int) in
            let open = medication.prompts.filter(\.isOpen)
            return (medication, open.map(\.finding.severity.rawValue).max() ?? 0, open.count)
        }
        return keyed.filter { $0.top > 0 }.sorted { a, b in
            if a.top != b.top { return a.top > b.top }
            if a.count != b.count { return a.count > b.count }
            return a.medication.resident.room.localizedStandardCompare(b.medication.resident.room) == .orderedAscending
        }.map(\.medication)
    }

    // MARK: Metrics

    /// Figures for `/metrics`: residents with open prompts by their most urgent one, and structured
    /// medication reviews recorded in the last 12 months (NICE QS85 statement 5: a review at least once a year).
    @Sendable func metrics() throws -> [Metric] {
        let listed = try homeWide()
        let bySeverity = PromptSeverity.allCases.map { severity in
            Metric.Sample(listed.filter { $0.prompts.filter(\.isOpen).map(\.finding.severity).max() == severity }.count,
                          labels: ["severity": severity.title.lowercased()])
        }
        let since = today().adding(months: -12)
        let reviews = try database.read { db in
            try db.queryOne("SELECT COUNT(*) AS n FROM medication_review_reviews WHERE entered_in_error = 0 AND reviewed_on >= ?", [.text(since.iso)])?.int("n") ?? 0
        }
        return [
            Metric("carehome_medication_review_residents_with_open_prompts", help: "Current residents with an open medication review prompt, by their most urgent prompt",
                   samples: bySeverity),
            Metric("carehome_medication_review_structured_reviews_12m", help: "Structured medication reviews recorded in the last 12 months (not entered in error)",
                   value: reviews),
        ]
    }

    // MARK: CurrentMedicines

    func medicines(residentID: Int64) throws -> [MedicineSummary] {
        let day = today()
        let records = try database.read { try MedicationStore.medicines($0, residentID: residentID) }
        return records.filter { $0.isCurrent(on: day) }.map { summary($0) }
    }

    func summary(_ record: MedicineRecord) -> MedicineSummary {
        let flags = table.lookup(record.name, recordedRoute: record.route)?.medicineFlags ?? [.unclassified]
        return MedicineSummary(name: record.name, directions: record.directions, asNeeded: record.asNeeded, flags: flags)
    }

    func antithromboticStatus(residentID: Int64) throws -> AntithromboticStatus {
        Self.antithromboticStatus(of: try medicines(residentID: residentID))
    }

    /// NICE NG232: an anticoagulant, or an antiplatelet other than aspirin alone, makes a head injury
    /// a reason for hospital assessment; aspirin alone does not.
    /// A list with any unclassified medicine is not evidence of "none" (nor of "aspirin alone"): any of
    /// them could be an anticoagulant the table does not know, so the answer is `cannotTell` and the
    /// falls log asks staff.
    static func antithromboticStatus(of medicines: [MedicineSummary]) -> AntithromboticStatus {
        let anticoagulants = medicines.filter { $0.flags.contains(.anticoagulant) }.map(\.name)
        if !anticoagulants.isEmpty { return .anticoagulant(anticoagulants) }
        let antiplatelets = medicines.filter { $0.flags.contains(.antiplatelet) }
        let other = antiplatelets.filter { !$0.flags.contains(.aspirin) }
        if !other.isEmpty { return .antiplatelet(antiplatelets.map(\.name)) }
        let unknown = medicines.filter { $0.flags.contains(.unclassified) }.map(\.name)
        if !unknown.isEmpty { return .cannotTell(unclassified: unknown) }
        if !antiplatelets.isEmpty { return .aspirinAlone }
        return .none
    }

    // MARK: MedicationPromptSource

    func openPrompts() throws -> [ResidentPrompt] {
        try homeWide().flatMap(residentPrompts).sorted { $0.severity > $1.severity }
    }

    func openPrompts(residentID: Int64) throws -> [ResidentPrompt] {
        guard let medication = try load(residentID: residentID) else { return [] }
        return residentPrompts(medication)
    }

    func residentPrompts(_ medication: ResidentMedication) -> [ResidentPrompt] {
        medication.prompts.filter(\.isOpen).map {
            ResidentPrompt(residentID: medication.resident.id, ruleID: $0.finding.rule.id, title: $0.finding.rule.title,
                           reason: $0.finding.reason, severity: $0.finding.severity,
                           forRound: $0.finding.severity == .high || $0.finding.rule.forRound)
        }
    }
}
