public import CareKit
public import CareServices

/// A current medicine as the rules see it: what was recorded and its drug table entry (nil: unclassified).
public struct MedicineFacts: Sendable, Equatable {
    /// Record id.
    public var id: Int64
    /// Record version (a dose change makes a new version, which changes the prompts' fingerprints).
    public var version: Int
    /// The name as recorded.
    public var name: String
    /// The drug table entry, or nil when unclassified.
    public var drug: DrugEntry?
    /// As needed (PRN) rather than regular.
    public var asNeeded: Bool
    /// When it was started.
    public var startedOn: Day
    /// A planned stop date in the future (a course), if any.
    public var plannedStop: Day?

    /// Creates facts.
    public init(id: Int64, version: Int = 1, name: String, drug: DrugEntry?, asNeeded: Bool = false, startedOn: Day, plannedStop: Day? = nil) {
        self.id = id
        self.version = version
        self.name = name
        self.drug = drug
        self.asNeeded = asNeeded
        self.startedOn = startedOn
        self.plannedStop = plannedStop
    }

    /// The key that makes two records "the same medicine": the table id, or the normalised name.
    var identity: String { drug?.id ?? "?" + DrugTable.normalise(name) }
    /// `12v3`: part of a fingerprint.
    var stamp: String { "\(id)v\(version)" }
    /// Regular, and not a course planned for 28 days or less.
    var isLongTermRegular: Bool {
        guard !asNeeded else { return false }
        if let stop = plannedStop, startedOn.days(until: stop) <= MedicationRule.shortCourseDays { return false }
        return true
    }
    func has(_ flag: MedicineFlag) -> Bool { drug?.has(flag) ?? false }
}

/// Everything the rules need to know about one resident on one day. Built from the database and
/// the registry's services; the rules themselves are pure functions of it.
public struct ResidentFacts: Sendable {
    /// The resident.
    public var residentID: Int64
    /// The day the rules are evaluated for.
    public var today: Day
    /// Dementia and its type (registry); `.notRecorded` is a fact still to be recorded, not "no".
    public var dementia: DementiaType
    /// The registry's key diagnoses, in words (checked for a dementia the field does not record).
    public var diagnoses: String
    /// Drug classes where several products at once are usual care (from the drug table).
    public var usualDuplicateClasses: Set<String>
    /// Current medicines (not stopped, not entered in error).
    public var medicines: [MedicineFacts]
    /// The latest admission or re-admission (day 0 of the clock), if known.
    public var latestAdmission: Day?
    /// Whether that was a return from hospital.
    public var latestAdmissionIsReadmission: Bool
    /// Its 7th working day.
    public var admissionDeadline: Day?
    /// When the registry's 7-day clock recorded the resident as flagged for a structured medication
    /// review (the EHCH item), if it has been.
    public var reviewFlaggedOn: Day?
    /// The working-day calendar (for "due in N working days").
    public var calendar: WorkingCalendar
    /// Dates of completed structured medication reviews.
    public var reviewDates: [Day]
    /// Dates of medicines reconciliations.
    public var reconciliationDates: [Day]
    /// Falls: (id, day), any order.
    public var falls: [(id: Int64, day: Day)]

    /// Creates facts.
    public init(residentID: Int64, today: Day, dementia: DementiaType = .noDementia, medicines: [MedicineFacts] = [],
                latestAdmission: Day? = nil, latestAdmissionIsReadmission: Bool = false, admissionDeadline: Day? = nil,
                calendar: WorkingCalendar = WorkingCalendar(), reviewDates: [Day] = [], reconciliationDates: [Day] = [],
                falls: [(id: Int64, day: Day)] = [], reviewFlaggedOn: Day? = nil, diagnoses: String = "",
                usualDuplicateClasses: Set<String> = []) {
        self.residentID = residentID
        self.diagnoses = diagnoses
        self.usualDuplicateClasses = usualDuplicateClasses
        self.reviewFlaggedOn = reviewFlaggedOn
        self.today = today
        self.dementia = dementia
        self.medicines = medicines
        self.latestAdmission = latestAdmission
        self.latestAdmissionIsReadmission = latestAdmissionIsReadmission
        self.admissionDeadline = admissionDeadline
        self.calendar = calendar
        self.reviewDates = reviewDates
        self.reconciliationDates = reconciliationDates
        self.falls = falls
    }

    /// The latest review on or before today.
    public var lastReview: Day? { reviewDates.filter { $0 <= today }.max() }

    /// Current medicines the drug table does not recognise: no rule can tell what they are.
    var unclassifiedMedicines: [MedicineFacts] { medicines.filter { $0.drug == nil }.sorted { $0.id < $1.id } }

    /// The dementia the rules act on, with a note when it is not what the dementia field says: the
    /// field wins when it records a dementia, unless the key diagnoses name Lewy body or Parkinson's
    /// disease dementia (the higher risk); a field of "not recorded" or "no dementia" never hides a
    /// dementia the diagnoses name.
    var effectiveDementia: (type: DementiaType, note: String) {
        guard let mentioned = DementiaType.mentioned(in: diagnoses) else { return (dementia, "") }
        if !dementia.hasDementia {
            return (mentioned, " The dementia field says \u{201C}\(dementia.title)\u{201D}, but the key diagnoses name \(Wording.midSentence(mentioned.title)): treated as dementia until the record is put right.")
        }
        if mentioned.isLewyOrParkinsons && !dementia.isLewyOrParkinsons {
            return (mentioned, " The key diagnoses name \(Wording.midSentence(mentioned.title)) (the dementia field says \(Wording.midSentence(dementia.title))): check the record.")
        }
        return (dementia, "")
    }
}

/// A rule that fired for a resident: the prompt, with the facts behind it.
public struct RuleFinding: Sendable, Equatable {
    /// The rule.
    public var rule: MedicationRule
    /// Severity (may be higher than the rule's usual one, e.g. an overdue admission review).
    public var severity: PromptSeverity
    /// Why, with the numbers behind it; flags for review and never recommends a change.
    public var reason: String
    /// The facts that made it fire. When they change, a dismissed prompt comes back.
    public var facts: String
    /// The medicines involved.
    public var medicineIDs: [Int64]

    /// A short stable hash of `facts` (FNV-1a 64), stored with an acknowledgement.
    public var fingerprint: String { Fingerprint.of(rule.id + "|" + facts) }
}

/// FNV-1a 64-bit: a stable fingerprint across runs and machines (Swift's `Hasher` is seeded per process).
public enum Fingerprint {
    /// The hash of `text` as 16 hex digits.
    public static func of(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// Applies every rule to one resident's facts. Pure: same facts, same findings.
public enum RuleEngine {
    /// The findings, most urgent first (then in the order of the rules page).
    public static func evaluate(_ facts: ResidentFacts) -> [RuleFinding] {
        var findings = [RuleFinding]()
        findings += admission(facts)
        findings += reconciliation(facts)
        findings += reviewOverdue(facts)
        findings += polypharmacy(facts)
        findings += anticholinergic(facts)
        findings += fallsRisk(facts)
        findings += antipsychotics(facts)
        findings += opioidWithoutLaxative(facts)
        findings += benzodiazepines(facts)
        findings += sameClass(facts)
        findings += sickDay(facts)
        findings += unclassified(facts)
        return sorted(findings)
    }

    /// Most urgent first, then rule order.
    static func sorted(_ findings: [RuleFinding]) -> [RuleFinding] {
        func order(_ rule: MedicationRule) -> Int { MedicationRule.all.firstIndex(of: rule) ?? Int.max }
        return findings.sorted { ($0.severity.rawValue, -order($0.rule)) > ($1.severity.rawValue, -order($1.rule)) }
    }

    // MARK: - Helpers

    static func plural(_ n: Int, _ word: String) -> String { n == 1 ? "1 \(word)" : "\(n) \(word)s" }

    static func list(_ names: [String]) -> String {
        guard names.count > 1 else { return names.first ?? "" }
        return names.dropLast().joined(separator: ", ") + " and " + (names.last ?? "")
    }

    /// One record per medicine identity (the first recorded), so a medicine entered twice counts once.
    static func unique(_ medicines: [MedicineFacts]) -> [MedicineFacts] {
        var seen = Set<String>()
        return medicines.sorted { $0.id < $1.id }.filter { seen.insert($0.identity).inserted }
    }

    static func stamps(_ medicines: [MedicineFacts]) -> String {
        medicines.map(\.stamp).sorted().joined(separator: ",")
    }

    static func finding(_ rule: MedicationRule, _ severity: PromptSeverity? = nil, reason: String, facts: String, medicines: [MedicineFacts] = []) -> RuleFinding {
        RuleFinding(rule: rule, severity: severity ?? rule.severity, reason: reason, facts: facts, medicineIDs: medicines.map(\.id).sorted())
    }

    // MARK: - Rules

    static func admission(_ facts: ResidentFacts) -> [RuleFinding] {
        guard let start = facts.latestAdmission, start <= facts.today,
              facts.today <= start.adding(months: 12) else { return [] }
        if facts.reviewDates.contains(where: { $0 >= start }) { return [] }
        let deadline = facts.admissionDeadline ?? facts.calendar.admissionDeadline(admittedOn: start)
        let what = facts.latestAdmissionIsReadmission ? "Returned from hospital" : "Admitted"
        if let flagged = facts.reviewFlaggedOn, flagged >= start {
            // The EHCH item (identified and prioritised for a review) is met; the review itself is still to record.
            let reason = "\(what) on \(start.display) (day 0); flagged for a structured medication review on \(flagged.display) "
                + "on the 7-day clock. No structured medication review recorded since: record it when it has been done."
            return [finding(MedicationRule.admissionReview, .moderate, reason: reason, facts: "start=\(start.iso);flagged=\(flagged.iso)")]
        }
        let state = facts.calendar.itemState(doneOn: nil, deadline: deadline, today: facts.today)
        let overdue: Bool
        if case .overdue = state { overdue = true } else { overdue = false }
        let reason = "\(what) on \(start.display) (day 0); no structured medication review recorded since. "
            + "The 7th working day is \(deadline.display): \(state.summary.lowercasedFirst). Flag for a structured medication review."
        return [finding(MedicationRule.admissionReview, overdue ? .high : .moderate, reason: reason,
                        facts: "start=\(start.iso);overdue=\(overdue)")]
    }

    static func reconciliation(_ facts: ResidentFacts) -> [RuleFinding] {
        guard let start = facts.latestAdmission, start <= facts.today,
              facts.today <= start.adding(months: 12) else { return [] }
        if facts.reconciliationDates.contains(where: { $0 >= start }) { return [] }
        let what = facts.latestAdmissionIsReadmission ? "Returned from hospital" : "Admitted"
        let days = start.days(until: facts.today)
        let reason = "\(what) on \(start.display) (\(plural(days, "day")) ago); no medicines reconciliation recorded since. "
            + "Check the medicines list against the discharge letter or GP record."
        return [finding(MedicationRule.reconciliation, reason: reason, facts: "start=\(start.iso)")]
    }

    static func reviewOverdue(_ facts: ResidentFacts) -> [RuleFinding] {
        if let last = facts.lastReview {
            let due = last.adding(months: 12)
            guard facts.today > due else { return [] }
            let months = (facts.today.year - last.year) * 12 + facts.today.month - last.month - (facts.today.day < last.day ? 1 : 0)
            return [finding(MedicationRule.reviewOverdue,
                            reason: "Last structured medication review on \(last.display), \(plural(months, "month")) ago (due by \(due.display)).",
                            facts: "last=\(last.iso)")]
        }
        // No review at all: the admission rule covers the first 12 months after an admission.
        if let start = facts.latestAdmission, facts.today <= start.adding(months: 12) { return [] }
        return [finding(MedicationRule.reviewOverdue, reason: "No structured medication review is recorded for this resident.", facts: "last=none")]
    }

    static func polypharmacy(_ facts: ResidentFacts) -> [RuleFinding] {
        let counted = unique(facts.medicines.filter { medicine in
            guard medicine.isLongTermRegular else { return false }
            guard let chapter = medicine.drug?.bnfChapter else { return true }
            return (1...4).contains(chapter) || (6...10).contains(chapter)
        })
        let n = counted.count
        guard n >= 6 else { return [] }
        let unclassifiedCount = counted.filter { $0.drug == nil }.count
        var reason = "\(n) long-term regular medicines in BNF chapters 1–4 and 6–10 (as-needed medicines, short courses, antibiotics, eye, ear and skin preparations not counted): \(list(counted.map(\.name)))."
        if unclassifiedCount > 0 { reason += " Includes \(plural(unclassifiedCount, "unclassified medicine")), counted because the chapter is unknown." }
        let rule = n >= 10 ? MedicationRule.polypharmacyHigh : MedicationRule.polypharmacyConsider
        return [finding(rule, reason: reason, facts: "n=\(n);meds=\(stamps(counted))", medicines: counted)]
    }

    static func anticholinergic(_ facts: ResidentFacts) -> [RuleFinding] {
        let scored = unique(facts.medicines).filter { ($0.drug?.acb ?? 0) > 0 }
        let total = scored.reduce(0) { $0 + ($1.drug?.acb ?? 0) }
        let strong = scored.filter { ($0.drug?.acb ?? 0) >= 2 }
        guard total >= 3 || strong.count >= 2 else { return [] }
        let parts = scored.map { "\($0.name) \($0.drug?.acb ?? 0)" }
        var reason = "ACB total \(total) (\(parts.joined(separator: ", ")))"
        if strong.count >= 2 { reason += "; \(strong.count) medicines score 2 or 3" }
        reason += ". A total of 3 or more is linked to confusion and falls."
        let unknown = unique(facts.medicines).filter { $0.drug == nil }
        if !unknown.isEmpty { reason += " Not scored (unclassified): \(list(unknown.map(\.name)))." }
        return [finding(MedicationRule.anticholinergicBurden, reason: reason, facts: "total=\(total);meds=\(stamps(scored))", medicines: scored)]
    }

    static func fallsRisk(_ facts: ResidentFacts) -> [RuleFinding] {
        let risky = unique(facts.medicines).filter { $0.drug?.stoppfall != nil }
        let unknown = facts.unclassifiedMedicines
        func described(_ medicines: [MedicineFacts]) -> String { list(medicines.map { "\($0.name) (\($0.drug?.stoppfall ?? ""))" }) }
        var findings = [RuleFinding]()
        let windowStart = facts.today.adding(days: -MedicationRule.recentFallDays)
        let recent = facts.falls.filter { $0.day >= windowStart && $0.day <= facts.today }.sorted { $0.day > $1.day }
        // After a recent fall, a falls-risk drug is worth review whenever it was started; but the words
        // say only what the dates show: taken at the time of a fall, or started since.
        if let latest = recent.first, !risky.isEmpty || !unknown.isEmpty {
            let takenAtFall = risky.filter { medicine in recent.contains { $0.day >= medicine.startedOn } }
            let startedSince = risky.filter { medicine in !recent.contains { $0.day >= medicine.startedOn } }
            var reason = "\(plural(recent.count, "fall")) in the last \(MedicationRule.recentFallDays) days (latest \(latest.day.display))."
            if !takenAtFall.isEmpty {
                reason += " Falls-risk-increasing \(takenAtFall.count == 1 ? "drug" : "drugs") already taken at the time: \(described(takenAtFall))."
            }
            if !startedSince.isEmpty {
                reason += " Started since the \(recent.count == 1 ? "fall" : "falls"): \(described(startedSince))."
            }
            if !unknown.isEmpty {
                reason += " Not in the drug table, so whether they add to the risk of falls is not known: \(list(unknown.map(\.name)))."
            }
            findings.append(finding(MedicationRule.fallsRiskAfterFall, reason: reason,
                                    facts: "falls=\(recent.map { String($0.id) }.sorted().joined(separator: ","));meds=\(stamps(risky + unknown))",
                                    medicines: risky + unknown))
        }
        if risky.count >= 3 {
            findings.append(finding(MedicationRule.fallsRiskDrugs,
                                    reason: "\(risky.count) falls-risk-increasing drugs (STOPPFall classes): \(described(risky)).",
                                    facts: "meds=\(stamps(risky))", medicines: risky))
        }
        return findings
    }

    static func antipsychotics(_ facts: ResidentFacts) -> [RuleFinding] {
        let drugs = unique(facts.medicines).filter { $0.has(.antipsychotic) }
        guard !drugs.isEmpty else { return [] }
        let names = list(drugs.map(\.name))
        let (dementia, note) = facts.effectiveDementia
        guard dementia.hasDementia else {
            guard !dementia.isRecorded else { return [] }
            return [finding(MedicationRule.antipsychoticDementiaNotRecorded,
                            reason: "\(names) prescribed, and whether they have dementia is not recorded. Record it on their record: antipsychotics in dementia need review at least every 6 weeks, and carry a high risk in Lewy body or Parkinson's disease dementia.",
                            facts: "meds=\(stamps(drugs));dementia=not-recorded", medicines: drugs)]
        }
        var findings = [RuleFinding]()
        if dementia.isLewyOrParkinsons {
            findings.append(finding(MedicationRule.antipsychoticLewy,
                                    reason: "\(names) with \(dementia.title.lowercasedFirst). Antipsychotics can cause severe sensitivity reactions and worsen movement in this dementia: flag for urgent clinical review.\(note)",
                                    facts: "meds=\(stamps(drugs));dementia=\(dementia.rawValue)", medicines: drugs))
        }
        let earliestStart = drugs.map(\.startedOn).min() ?? facts.today
        let lastReview = facts.reviewDates.filter { $0 >= earliestStart && $0 <= facts.today }.max()
        let from = lastReview ?? earliestStart
        let due = from.adding(days: MedicationRule.antipsychoticReviewDays)
        if facts.today >= due {
            let since = lastReview.map { "last structured medication review \($0.display)" } ?? "started \(earliestStart.display), no review since"
            findings.append(finding(MedicationRule.antipsychoticDementia,
                                    reason: "\(names) with \(dementia.title.lowercasedFirst): \(since). Review due every 6 weeks; due since \(due.display).\(note)",
                                    facts: "meds=\(stamps(drugs));from=\(from.iso)", medicines: drugs))
        }
        return findings
    }

    static func opioidWithoutLaxative(_ facts: ResidentFacts) -> [RuleFinding] {
        let opioids = unique(facts.medicines.filter { $0.has(.opioid) && !$0.asNeeded })
        guard !opioids.isEmpty, !facts.medicines.contains(where: { $0.has(.laxative) }) else { return [] }
        var reason = "Regular \(list(opioids.map(\.name))) and no laxative (regular or as-needed) on the medicines list."
        let unknown = facts.unclassifiedMedicines
        if !unknown.isEmpty { reason += " Not in the drug table (one may be a laxative): \(list(unknown.map(\.name)))." }
        return [finding(MedicationRule.opioidWithoutLaxative,
                        reason: reason,
                        facts: "meds=\(stamps(opioids))", medicines: opioids)]
    }

    static func benzodiazepines(_ facts: ResidentFacts) -> [RuleFinding] {
        let long = facts.medicines.filter {
            ($0.has(.benzodiazepine) || $0.has(.zDrug)) && $0.startedOn.days(until: facts.today) > MedicationRule.benzodiazepineDays
        }.sorted { $0.id < $1.id }
        guard !long.isEmpty else { return [] }
        let parts = long.map { "\($0.name)\($0.asNeeded ? " (as needed)" : "") since \($0.startedOn.display), \($0.startedOn.days(until: facts.today)) days" }
        return [finding(MedicationRule.benzodiazepineLong, reason: "\(parts.joined(separator: "; ")): longer than 4 weeks.",
                        facts: "meds=\(stamps(long))", medicines: long)]
    }

    static func sameClass(_ facts: ResidentFacts) -> [RuleFinding] {
        var byClass = [String: [MedicineFacts]]()
        var byIngredient = [String: [MedicineFacts]]()
        var regularByDrug = [String: [MedicineFacts]]()
        for medicine in facts.medicines.sorted(by: { $0.id < $1.id }) {
            // Several emollients or tear replacements at once are usual care, not duplication.
            guard let drug = medicine.drug, !facts.usualDuplicateClasses.contains(drug.drugClass) else { continue }
            byClass[drug.drugClass, default: []].append(medicine)
            // An ingredient counts twice only by the same route: an ibuprofen gel beside ibuprofen
            // tablets is not a double dose, two inhalers with beclometasone are.
            for ingredient in drug.contains {
                for route in Set(drug.routes) { byIngredient["\(ingredient)|\(route.rawValue)", default: []].append(medicine) }
            }
            if !medicine.asNeeded { regularByDrug[drug.id, default: []].append(medicine) }
        }
        func distinctDrugs(_ members: [MedicineFacts]) -> Int { Set(members.compactMap { $0.drug?.id }).count }
        var parts = [String]()
        var involved = [Int64: MedicineFacts]()
        // Regular and as-needed records of one drug (morphine and morphine for breakthrough pain) are
        // not a duplicate class; two different drugs of one class, or one drug twice as regular, are.
        for (drugClass, members) in byClass.sorted(by: { $0.key < $1.key }) where distinctDrugs(members) >= 2 {
            parts.append("\(drugClass): \(list(members.map(\.name)))")
            for m in members { involved[m.id] = m }
        }
        var reportedIngredients = Set<String>()
        for (key, members) in byIngredient.sorted(by: { $0.key < $1.key }) where distinctDrugs(members) >= 2 {
            // Already reported as a class when every record is the same class.
            if Set(members.compactMap { $0.drug?.drugClass }).count == 1 { continue }
            let ingredient = String(key.prefix { $0 != "|" })
            guard reportedIngredients.insert(ingredient).inserted else { continue }
            parts.append("\(ingredient) in \(list(members.map(\.name)))")
            for m in members { involved[m.id] = m }
        }
        for (_, members) in regularByDrug.sorted(by: { $0.key < $1.key }) where members.count >= 2 {
            parts.append("\(members[0].drug?.name ?? members[0].name) recorded \(members.count) times as a regular medicine")
            for m in members { involved[m.id] = m }
        }
        guard !parts.isEmpty else { return [] }
        let medicines = Array(involved.values)
        return [finding(MedicationRule.sameClass, reason: "Same class or ingredient twice: \(parts.joined(separator: "; ")).",
                        facts: "meds=\(stamps(medicines))", medicines: medicines)]
    }

    static func sickDay(_ facts: ResidentFacts) -> [RuleFinding] {
        let drugs = unique(facts.medicines.filter { !$0.asNeeded && $0.has(.sickDay) })
        guard drugs.count >= 2 else { return [] }
        return [finding(MedicationRule.sickDay,
                        reason: "\(drugs.count) sick-day medicines: \(list(drugs.map(\.name))). Check the care plan has sick-day guidance for dehydrating illness (vomiting, diarrhoea, fever).",
                        facts: "meds=\(stamps(drugs))", medicines: drugs)]
    }

    static func unclassified(_ facts: ResidentFacts) -> [RuleFinding] {
        let unknown = facts.unclassifiedMedicines
        guard !unknown.isEmpty else { return [] }
        return [finding(MedicationRule.unclassified,
                        reason: "\(list(unknown.map { "“\($0.name)”" })) \(unknown.count == 1 ? "is" : "are") not in the drug table: class, ACB score and falls risk unknown, so the other rules cannot count \(unknown.count == 1 ? "it" : "them") (an anticoagulant, an antipsychotic or a falls-risk drug among them would not be seen; the falls log asks about anticoagulants instead). Check the name or ask for the table to be extended.",
                        facts: "meds=\(stamps(unknown))", medicines: unknown)]
    }
}

extension String {
    /// The string with its first letter in lower case (`Due today` → `due today`).
    var lowercasedFirst: String { Wording.midSentence(self) }
}
