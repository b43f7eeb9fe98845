import CareKit
import CareServices
import Foundation

/// The rule for small numbers (own design, stated on every page that shows a rate): a rate worked
/// out from fewer than 10 events is marked, and a before-and-after comparison where either period has
/// fewer than 10 events says the difference may be chance.
enum SmallNumbers {
    static let minimumEvents = 10
    static let rule = "Fewer than 10 events in a period is too few to read a rate from or to compare: a change that size can happen by chance. Such figures are marked \"small numbers\"."
    static func isSmall(_ count: Int) -> Bool { count < minimumEvents }
}

/// Rates per 1,000 occupied bed days and per resident-year (365 occupied bed days).
enum Rates {
    static let daysPerResidentYear = 365.0

    /// `count` per 1,000 occupied bed days; nil without bed days (a rate would mean nothing).
    static func per1000(_ count: Int, _ occupiedBedDays: Int) -> Double? {
        occupiedBedDays > 0 ? Double(count) * 1000 / Double(occupiedBedDays) : nil
    }

    /// `count` per resident-year: per 365 occupied bed days.
    static func perResidentYear(_ count: Int, _ occupiedBedDays: Int) -> Double? {
        occupiedBedDays > 0 ? Double(count) * daysPerResidentYear / Double(occupiedBedDays) : nil
    }

    /// `4.2`, `–` for no rate.
    static func format(_ value: Double?, decimals: Int = 1) -> String {
        guard let value else { return "–" }
        return String(format: "%.\(decimals)f", value)
    }
}

/// The clock items of the admissions in a period: on time, late, missing (not done and past the
/// deadline), and still in their window.
struct ClockItemCounts: Sendable, Equatable {
    var onTime = 0, late = 0, missing = 0, stillDue = 0
    var total: Int { onTime + late + missing + stillDue }

    mutating func add(_ state: ClockItemState) {
        switch state {
        case .doneOnTime: onTime += 1
        case .doneLate: late += 1
        case .overdue: missing += 1
        case .due: stillDue += 1
        }
    }
}

/// Every figure for one period, with the counts behind each rate.
struct PeriodFigures: Sendable {
    var period: Period
    var occupiedBedDays: Int
    var unplannedTransfers = 0
    var plannedTransfers = 0
    var emergencyAdmissions = 0
    var aeAttendances = 0
    var conveyances = 0
    var hospitalBedDays = 0
    var reviewed = 0
    var possiblyAvoidable = 0
    var readmissions30Days = 0
    /// nil: no data (the falls log is not loaded), never zero.
    var falls: Int?
    /// nil: no data (the registry cannot say).
    var clocks: (admissions: Int, assessment: ClockItemCounts, carePlan: ClockItemCounts, medicationReviewFlag: ClockItemCounts)?
    var deaths = 0
    var deathsInPreferredPlace = 0
    var deathsPreferredKnown = 0
    var deathsWithPlan = 0
    var voiceRecords = 0
    var voice: [VoiceQuestion: [VoiceAnswer: Int]] = [:]
    /// The home round's figures; nil: no data (the home round plugin is not loaded).
    var rounds: RoundPeriodFigures?
    /// Structured medication reviews recorded in the period; nil: no data (the medication plugin is not loaded).
    var structuredReviews: Int?

    /// Readmission within this many days of coming back from an earlier admission.
    static let readmissionDays = 30

    /// Works the figures out. `transfers` must include every transfer that left before the period's
    /// end and was still away at its start or returned in the 30 days before it (for readmissions).
    static func compute(period: Period, today: Day, occupiedBedDays: Int, transfers: [Transfer], reviews: [Int64: TransferReview],
                        falls: [Day]?, clocks: [AdmissionClock]?, deaths: [DeathRecord], voice: [VoiceRecord]) -> PeriodFigures {
        var f = PeriodFigures(period: period, occupiedBedDays: occupiedBedDays)
        let live = transfers.filter { !$0.enteredInError }
        let inPeriod = live.filter { period.contains($0.leftOn) }
        f.unplannedTransfers = inPeriod.filter(\.isUnplanned).count
        f.plannedTransfers = inPeriod.count - f.unplannedTransfers
        f.emergencyAdmissions = inPeriod.filter(\.isEmergencyAdmission).count
        f.aeAttendances = inPeriod.filter(\.isAEAttendance).count
        f.conveyances = inPeriod.filter(\.isConveyance).count
        f.hospitalBedDays = live.reduce(0) { $0 + $1.hospitalNights(from: period.start, to: period.countedThrough(today: today), today: today) }
        let unplanned = inPeriod.filter(\.isUnplanned)
        f.reviewed = unplanned.filter { reviews[$0.id] != nil }.count
        f.possiblyAvoidable = unplanned.filter { reviews[$0.id]?.avoidable.countsAsPossiblyAvoidable == true }.count
        // A readmission: an emergency admission within 30 days of coming back from an earlier admission.
        let byResident = Dictionary(grouping: live.filter { $0.outcome.isAdmission }, by: \.residentID)
        f.readmissions30Days = inPeriod.filter(\.isEmergencyAdmission).filter { admission in
            (byResident[admission.residentID] ?? []).contains { earlier in
                guard earlier.id != admission.id, let back = earlier.returnedOn, earlier.leftOn <= admission.leftOn else { return false }
                let gap = back.days(until: admission.leftOn)
                return gap >= 0 && gap <= readmissionDays
            }
        }.count
        f.falls = falls.map { days in days.filter { period.contains($0) }.count }
        if let clocks {
            let started = clocks.filter { period.contains($0.startedOn) }
            var assessment = ClockItemCounts(), carePlan = ClockItemCounts(), flag = ClockItemCounts()
            for clock in started {
                assessment.add(clock.assessment)
                carePlan.add(clock.carePlan)
                flag.add(clock.medicationReviewFlag)
            }
            f.clocks = (started.count, assessment, carePlan, flag)
        }
        let died = deaths.filter { period.contains($0.diedOn) }
        f.deaths = died.count
        f.deathsPreferredKnown = died.filter { $0.inPreferredPlace != nil }.count
        f.deathsInPreferredPlace = died.filter { $0.inPreferredPlace == true }.count
        f.deathsWithPlan = died.filter(\.planExisted).count
        let asked = voice.filter { period.contains($0.askedOn) }
        f.voiceRecords = asked.count
        for record in asked {
            for question in VoiceQuestion.allCases {
                f.voice[question, default: [:]][record.answers[question] ?? .notAnswered, default: 0] += 1
            }
        }
        return f
    }

    /// One line of the figures: what it is, the count, and its rates where a rate makes sense.
    struct Row: Sendable, Equatable {
        var key: String
        var title: String
        /// nil: no data.
        var count: Int?
        var per1000: Double?
        var perResidentYear: Double?
        /// The counts behind a share (`3 of 8 reviewed`).
        var note: String
        /// Whether the small-numbers rule marks it.
        var small: Bool
    }

    private func rated(_ key: String, _ title: String, _ count: Int?, note: String = "") -> Row {
        Row(key: key, title: title, count: count, per1000: count.flatMap { Rates.per1000($0, occupiedBedDays) },
            perResidentYear: count.flatMap { Rates.perResidentYear($0, occupiedBedDays) }, note: note,
            small: count.map(SmallNumbers.isSmall) ?? false)
    }

    private func counted(_ key: String, _ title: String, _ count: Int?, note: String = "", small: Bool = false) -> Row {
        Row(key: key, title: title, count: count, per1000: nil, perResidentYear: nil, note: note, small: small)
    }

    static func share(_ part: Int, of whole: Int) -> String {
        whole == 0 ? "\(part) of 0" : "\(part) of \(whole) (\(Int((Double(part) * 100 / Double(whole)).rounded()))%)"
    }

    /// The hospital figures, in the order the pages, the pack and the CSV show them.
    var rows: [Row] {
        var rows = [
            counted("occupied_bed_days", "Occupied bed days (residents here at midnight)", occupiedBedDays),
            rated("emergency_admissions", "Emergency admissions", emergencyAdmissions),
            rated("ae_attendances", "A&E attendances", aeAttendances),
            rated("conveyances", "Conveyances (unplanned, by ambulance)", conveyances),
            rated("unplanned_transfers", "Unplanned transfers to hospital (all)", unplannedTransfers),
            counted("planned_transfers", "Planned transfers", plannedTransfers),
            rated("hospital_bed_days", "Nights spent in hospital", hospitalBedDays),
            counted("transfers_reviewed", "Unplanned transfers reviewed by the MDT", reviewed, note: PeriodFigures.share(reviewed, of: unplannedTransfers)),
            counted("possibly_avoidable", "Reviewed as possibly avoidable", possiblyAvoidable, note: PeriodFigures.share(possiblyAvoidable, of: reviewed),
                    small: SmallNumbers.isSmall(reviewed)),
            counted("readmissions_30d", "Emergency readmissions within 30 days of coming back", readmissions30Days,
                    note: PeriodFigures.share(readmissions30Days, of: emergencyAdmissions), small: SmallNumbers.isSmall(emergencyAdmissions)),
            rated("falls", "Falls", falls, note: falls == nil ? "No data: the falls log is not loaded" : ""),
            counted("deaths", "Deaths", deaths),
            counted("deaths_in_preferred_place", "Deaths in the preferred place", deathsInPreferredPlace,
                    note: "\(PeriodFigures.share(deathsInPreferredPlace, of: deathsPreferredKnown)) where the preferred place was known", small: SmallNumbers.isSmall(deathsPreferredKnown)),
            counted("deaths_with_plan", "Deaths with an advance care plan in place", deathsWithPlan, note: PeriodFigures.share(deathsWithPlan, of: deaths)),
        ]
        if let clocks {
            rows.append(counted("admission_clocks", "Admissions and re-admissions (7-working-day clocks started)", clocks.admissions))
            for (key, title, counts) in [("assessment", "assessment", clocks.assessment), ("care_plan", "care plan", clocks.carePlan),
                                         ("smr_flag", "SMR flag", clocks.medicationReviewFlag)] {
                rows.append(counted("clock_\(key)_on_time", "7-day clock, \(title): on time", counts.onTime, note: PeriodFigures.share(counts.onTime, of: counts.total)))
                rows.append(counted("clock_\(key)_late", "7-day clock, \(title): late", counts.late))
                rows.append(counted("clock_\(key)_missing", "7-day clock, \(title): missing (past the deadline, not done)", counts.missing))
                rows.append(counted("clock_\(key)_still_due", "7-day clock, \(title): still in its window", counts.stillDue))
            }
        } else {
            rows.append(counted("admission_clocks", "7-day clock history", nil, note: "No data: the registry cannot give the clock history"))
        }
        rows += processRows
        return rows
    }

    /// The EHCH process figures from the home round and the medication plugins ("No data" when one is not loaded).
    var processRows: [Row] {
        let noRounds = "No data: the home round plugin is not loaded"
        var rows: [Row]
        if let rounds {
            let average = rounds.roundsHeld == 0 ? "no rounds held"
                : "\(Rates.format(Double(rounds.residentsReviewed) / Double(rounds.roundsHeld))) a round on average"
            rows = [
                counted("rounds_held", "Weekly home rounds held", rounds.roundsHeld, note: "\(PeriodFigures.share(rounds.roundsHeld, of: rounds.weeksDue)) weeks whose round was due"),
                counted("round_residents_reviewed", "Residents reviewed at the rounds", rounds.residentsReviewed, note: average),
                counted("round_actions_on_time", "Round actions done by their due day", rounds.actionsDoneOnTime,
                        note: "\(PeriodFigures.share(rounds.actionsDoneOnTime, of: rounds.actionsDue)) actions due", small: SmallNumbers.isSmall(rounds.actionsDue)),
            ]
        } else {
            rows = [counted("rounds_held", "Weekly home rounds held", nil, note: noRounds)]
        }
        rows.append(counted("structured_medication_reviews", "Structured medication reviews recorded", structuredReviews,
                            note: structuredReviews == nil ? "No data: the medication plugin is not loaded" : ""))
        return rows
    }
}

/// Two periods side by side, with the counts behind every rate and the small-numbers warning.
struct Comparison: Sendable {
    var before: PeriodFigures
    var after: PeriodFigures

    struct Line: Sendable, Equatable {
        var before: PeriodFigures.Row
        var after: PeriodFigures.Row
        /// True when either period has fewer events than the small-numbers rule allows.
        var tooSmallToCompare: Bool
        /// `Fewer` / `More` / `The same` per 1,000 occupied bed days, or nil when there is no rate.
        var direction: String?
    }

    var lines: [Line] {
        zip(before.rows, after.rows).map { b, a in
            let rateRow = b.per1000 != nil || a.per1000 != nil || b.key == "falls"
            let small = rateRow && ((b.count.map(SmallNumbers.isSmall) ?? true) || (a.count.map(SmallNumbers.isSmall) ?? true))
            var direction: String?
            if let x = b.per1000, let y = a.per1000 {
                let dx = (y - x)
                direction = abs(dx) < 0.05 ? "The same" : dx < 0 ? "Fewer" : "More"
            }
            return Line(before: b, after: a, tooSmallToCompare: small, direction: direction)
        }
    }

    /// The plain warning shown above the comparison when any rate is too small to compare.
    var warning: String? {
        let small = lines.filter(\.tooSmallToCompare).map { Wording.midSentence($0.before.title) }
        guard !small.isEmpty else { return nil }
        return "Too few events to compare: \(small.joined(separator: ", ")). \(SmallNumbers.rule)"
    }
}

/// Published figures, shown as context and never as targets, each with its source, and each checked in
/// the source's own text. (The "41% potentially avoidable" often quoted with the briefing is left out: we
/// found it only in press reports of the briefing, never in its text.)
enum PublishedContext {
    struct Figure: Sendable {
        var what: String
        var value: String
        var source: String
    }
    static let healthFoundation = "Wolters A, Santos F, Lloyd T, Lilburne C, Steventon A. Emergency admissions to hospital from care homes: how often and what for? Improvement Analytics Unit briefing (the Health Foundation and NHS England), July 2019. Permanent care home residents aged 65 and over in England, 2016/17."
    static let figures: [Figure] = [
        Figure(what: "A&E attendances per resident-year", value: "0.98 (about 980 per 1,000 resident-years)", source: healthFoundation),
        Figure(what: "Emergency admissions per resident-year", value: "0.70 (about 700 per 1,000 resident-years)", source: healthFoundation),
    ]
    static let caution = "National averages for a different population and year, shown for context only: never a target for one home."
}
