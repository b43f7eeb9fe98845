public import Foundation

/// A typed name for a service one plugin publishes and others resolve.
public struct ServiceKey<Service>: Sendable, Hashable {
    /// The service's name (`residents.directory`).
    public let name: String
    /// Creates a key.
    public init(_ name: String) { self.name = name }
}

/// Where published services are found.
public protocol ServiceDirectory: Sendable {
    /// The service published under `key`, or nil when its plugin is not loaded.
    func resolve<Service>(_ key: ServiceKey<Service>) -> Service?
}

extension ServiceDirectory {
    /// The service, or a `CareError` (503) with `message` (what staff should do meanwhile) when its
    /// plugin is not loaded: for pages that cannot work without it.
    public func require<Service>(_ key: ServiceKey<Service>, orSay message: String) throws -> Service {
        guard let service = resolve(key) else { throw CareError(.unavailable, message) }
        return service
    }
}

/// The services the first-party plugins publish. A plugin that uses one must work without it
/// (the publishing plugin may be disabled): leave out what it would have shown.
public enum Services {
    /// The resident registry: residents, movements, occupancy, the admission clock.
    public static let residentDirectory = ServiceKey<any ResidentDirectory>("residents.directory")
    /// The home profile (name, round day, extra non-working days).
    public static let homeProfile = ServiceKey<any HomeProfileProvider>("residents.home-profile")
    /// A resident's current medicines (medication review plugin).
    public static let currentMedicines = ServiceKey<any CurrentMedicines>("medication.current-medicines")
    /// Open medication review prompts (medication review plugin).
    public static let medicationPrompts = ServiceKey<any MedicationPromptSource>("medication.prompts")
    /// Falls (falls log plugin).
    public static let falls = ServiceKey<any FallsSource>("falls.source")
    /// Concerns raised for the next home round (home round plugin).
    public static let roundConcerns = ServiceKey<any RoundConcerns>("home-round.concerns")
    /// Soft signs, observations and escalations (deterioration plugin).
    public static let deterioration = ServiceKey<any DeteriorationSource>("deterioration.source")
    /// Recording a resident's move to hospital from another plugin's page (resident registry).
    public static let residentMovements = ServiceKey<any ResidentMovementRecorder>("residents.movements")
    /// The home's staff accounts, so that work is given to a person, not a typed name (the server).
    public static let staff = ServiceKey<any StaffDirectory>("core.staff")
    /// Photos made small, upright and free of their metadata before they are kept (the server).
    public static let portraits = ServiceKey<any PortraitMaker>("core.portraits")
    /// Hospital transfers the MDT has not yet reviewed (transfers plugin): the round agenda reads it.
    public static let transferReviews = ServiceKey<any TransferReviewSource>("transfers.reviews")
    /// Weekly rounds held, residents reviewed and actions closed on time for a period (home round plugin).
    public static let roundFigures = ServiceKey<any RoundFiguresSource>("home-round.figures")
    /// Structured medication reviews for a period (medication plugin).
    public static let medicationReviewFigures = ServiceKey<any MedicationReviewFigures>("medication.review-figures")
}

// MARK: - Resident registry

/// Where a resident is.
@frozen public enum ResidentStatus: String, Sendable, CaseIterable, Codable {
    case livingHere = "living-here", inHospital = "in-hospital", left, died

    /// Shown to staff.
    public var title: String {
        switch self {
        case .livingHere: "Living here"
        case .inHospital: "In hospital"
        case .left: "Left"
        case .died: "Died"
        }
    }
    /// Whether the resident is still the home's (living here or in hospital).
    public var isCurrent: Bool { self == .livingHere || self == .inHospital }
}

/// Type of dementia recorded in the registry. "Not recorded" and "no dementia" are different
/// answers: a rule that depends on dementia treats the first as a fact still to be recorded, never as "no".
@frozen public enum DementiaType: String, Sendable, CaseIterable, Codable {
    /// Nobody has recorded whether the resident lives with dementia. Stored as `none`, the value the
    /// registry saved when the field was left at its default ("No dementia recorded"), so records made
    /// before "no dementia" became an answer of its own keep their honest meaning.
    case notRecorded = "none"
    /// Recorded: the resident does not have a diagnosis of dementia.
    case noDementia = "no-dementia"
    case alzheimers, vascular, mixed, lewyBody = "lewy-body", parkinsons = "parkinsons", other, unknown

    /// Shown to staff.
    public var title: String {
        switch self {
        case .notRecorded: "Not recorded yet"
        case .noDementia: "No dementia"
        case .alzheimers: "Alzheimer's disease"
        case .vascular: "Vascular dementia"
        case .mixed: "Mixed dementia"
        case .lewyBody: "Dementia with Lewy bodies"
        case .parkinsons: "Parkinson's disease dementia"
        case .other: "Other dementia"
        case .unknown: "Dementia, type not known"
        }
    }
    /// Whether the resident is recorded as living with dementia.
    public var hasDementia: Bool { self != .notRecorded && self != .noDementia }
    /// Whether anyone has answered the question (yes, of a type, or no).
    public var isRecorded: Bool { self != .notRecorded }
    /// Lewy body or Parkinson's disease dementia: antipsychotics are especially dangerous (NICE NG97).
    public var isLewyOrParkinsons: Bool { self == .lewyBody || self == .parkinsons }

    /// The dementia a diagnoses list names, if any (`Alzheimer's disease` → `.alzheimers`; a line that
    /// names dementia only to rule it out, such as "no dementia", does not count). Used to catch a
    /// dementia field that disagrees with the diagnoses, never to fill the field in.
    public static func mentioned(in diagnoses: String) -> DementiaType? {
        var found: DementiaType?
        for raw in diagnoses.split(whereSeparator: { $0 == "\n" || $0 == ";" }) {
            let line = raw.lowercased().replacingOccurrences(of: "’", with: "'")
            let negated = ["no dementia", "not dementia", "without dementia", "no evidence of dementia", "dementia excluded",
                           "dementia ruled out", "no diagnosis of dementia", "?dementia", "? dementia", "query dementia",
                           "possible dementia", "suspected dementia"]
            if negated.contains(where: { line.contains($0) }) { continue }
            let type: DementiaType?
            if line.contains("lewy") { type = .lewyBody }
            else if line.contains("parkinson") && (line.contains("dementia") || line.contains("pdd")) { type = .parkinsons }
            else if line.contains("alzheimer") { type = .alzheimers }
            else if line.contains("mixed dementia") { type = .mixed }
            else if line.contains("vascular dementia") { type = .vascular }
            else if line.contains("dementia") { type = .unknown }
            else { type = nil }
            // The most specific wins; Lewy body or Parkinson's over the rest (it carries the highest risk).
            if let type, found == nil || found == .unknown || type.isLewyOrParkinsons { found = type }
        }
        return found
    }
}

/// The headline of a resident's ReSPECT form or advance care plan, shown wherever decisions are made.
public struct AdvanceCarePlanHeadline: Sendable, Equatable {
    /// Whether any plan (ReSPECT, advance care plan, DNACPR) is recorded.
    public var exists: Bool
    /// `ReSPECT`, `Advance care plan`, `DNACPR`.
    public var kind: String
    /// When it was made or last reviewed.
    public var date: Day?
    /// Where the paper form is kept.
    public var location: String
    /// CPR recommendation in words (`Not for CPR`, `For CPR`, `Not recorded`).
    public var cpr: String
    /// Hospital transfer in words (`Wants hospital transfer if needed`, `Prefers to stay here`).
    public var hospitalTransfer: String
    /// Priority between sustaining life and comfort, in words.
    public var priority: String
    /// Whether the plan puts care here first: it prefers staying here to hospital, or puts comfort first.
    /// Set by the registry from the plan's recorded choices, so no plugin reads the words.
    public var prefersCareHere: Bool

    /// Creates a headline.
    public init(exists: Bool, kind: String = "", date: Day? = nil, location: String = "", cpr: String = "", hospitalTransfer: String = "", priority: String = "",
                prefersCareHere: Bool = false) {
        self.prefersCareHere = exists && prefersCareHere
        self.exists = exists
        self.kind = kind
        self.date = date
        self.location = location
        self.cpr = cpr
        self.hospitalTransfer = hospitalTransfer
        self.priority = priority
    }

    /// One line: `ReSPECT (3 Mar 2026): Not for CPR; prefers to stay here; comfort first. Form: in the red folder`.
    public var summary: String {
        guard exists else { return "No ReSPECT form or advance care plan recorded" }
        var parts = [String]()
        if !cpr.isEmpty { parts.append(cpr) }
        if !hospitalTransfer.isEmpty { parts.append(hospitalTransfer) }
        if !priority.isEmpty { parts.append(priority) }
        var line = kind.isEmpty ? "Advance care plan" : kind
        if let date { line += " (\(date.displayShort))" }
        line += ": " + (parts.isEmpty ? "no recommendations recorded" : parts.joined(separator: "; "))
        if !location.isEmpty { line += ". Form: \(location)" }
        return line
    }
}

/// A resident as other plugins see them.
public struct ResidentSummary: Sendable, Equatable {
    /// Database id.
    public var id: Int64
    /// The name staff use (`Peggy`).
    public var preferredName: String
    /// Full name (`Margaret Ann Hughes`).
    public var fullName: String
    /// Date of birth.
    public var dateOfBirth: Day?
    /// NHS number, 10 digits, or nil.
    public var nhsNumber: String?
    /// Room.
    public var room: String
    /// Where they are.
    public var status: ResidentStatus
    /// First admission to the home.
    public var admittedOn: Day?
    /// The most recent admission or re-admission (return from hospital): starts the 7-working-day clock.
    public var latestAdmission: Day?
    /// Whether the latest admission was a re-admission.
    public var latestAdmissionIsReadmission: Bool
    /// Dementia and its type.
    public var dementia: DementiaType
    /// Allergies in words (`None known`, `Penicillin — rash`).
    public var allergies: String
    /// ReSPECT / advance care plan headline.
    public var advanceCarePlan: AdvanceCarePlanHeadline
    /// The GP practice.
    public var gpPractice: String
    /// Key diagnoses in words, one a line (what the registry holds; may be empty).
    public var diagnoses: String

    /// Creates a summary.
    public init(id: Int64, preferredName: String, fullName: String, dateOfBirth: Day?, nhsNumber: String?, room: String,
                status: ResidentStatus, admittedOn: Day?, latestAdmission: Day?, latestAdmissionIsReadmission: Bool,
                dementia: DementiaType, allergies: String, advanceCarePlan: AdvanceCarePlanHeadline, gpPractice: String,
                diagnoses: String = "") {
        self.diagnoses = diagnoses
        self.id = id
        self.preferredName = preferredName
        self.fullName = fullName
        self.dateOfBirth = dateOfBirth
        self.nhsNumber = nhsNumber
        self.room = room
        self.status = status
        self.admittedOn = admittedOn
        self.latestAdmission = latestAdmission
        self.latestAdmissionIsReadmission = latestAdmissionIsReadmission
        self.dementia = dementia
        self.allergies = allergies
        self.advanceCarePlan = advanceCarePlan
        self.gpPractice = gpPractice
    }

    /// `Peggy Hughes (room 12)`: how a resident is named on other plugins' pages.
    public var label: String {
        let surname = fullName.split(separator: " ").last.map(String.init) ?? ""
        let name = preferredName.isEmpty ? fullName : (surname.isEmpty ? preferredName : "\(preferredName) \(surname)")
        return room.isEmpty ? name : "\(name) (room \(room))"
    }

    /// NHS number spaced 3-3-4 for reading (`943 476 5919`), or `No NHS number`.
    public var nhsNumberDisplay: String {
        guard let n = nhsNumber, n.count == 10 else { return "No NHS number" }
        let chars = Array(n)
        return String(chars[0..<3]) + " " + String(chars[3..<6]) + " " + String(chars[6..<10])
    }

    /// The link to the resident's page.
    public var path: String { "/residents/\(id)" }
}

/// A movement in or out of the home.
public struct ResidentMovement: Sendable, Equatable {
    /// What happened.
    @frozen public enum Kind: String, Sendable, CaseIterable, Codable {
        case admitted, wentToHospital = "went-to-hospital", returnedFromHospital = "returned-from-hospital", left, died
    }
    /// What happened.
    public var kind: Kind
    /// When.
    public var on: Day
    /// For a death, where it happened as the registry recorded it (`here`, `hospital`, `elsewhere`); otherwise empty.
    public var place: String
    /// Creates a movement.
    public init(kind: Kind, on: Day, place: String = "") {
        self.kind = kind
        self.on = on
        self.place = place
    }
}

/// One of the three things EHCH asks for within 7 working days of admission or re-admission.
@frozen public enum ClockItem: String, Sendable, CaseIterable, Codable {
    /// Comprehensive assessment.
    case assessment
    /// Personalised care and support plan.
    case carePlan = "care-plan"
    /// Structured medication review flag.
    case medicationReviewFlag = "medication-review-flag"

    /// Shown to staff.
    public var title: String {
        switch self {
        case .assessment: "Comprehensive assessment"
        case .carePlan: "Personalised care and support plan"
        case .medicationReviewFlag: "Structured medication review flag"
        }
    }
}

/// The state of one item on the 7-working-day admission clock.
@frozen public enum ClockItemState: Sendable, Equatable {
    /// Done on or before the deadline.
    case doneOnTime(Day)
    /// Done after the deadline.
    case doneLate(Day, workingDaysLate: Int)
    /// Not done; due in N working days (0 = due today).
    case due(workingDaysLeft: Int)
    /// Not done and past the deadline by N working days.
    case overdue(workingDays: Int)

    /// Whether the item is still to do.
    public var isOpen: Bool {
        switch self {
        case .due, .overdue: true
        case .doneOnTime, .doneLate: false
        }
    }

    /// `Done on time (Tue 3 Nov 2026)`, `Due in 2 working days`, `Overdue by 1 working day`.
    public var summary: String {
        func days(_ n: Int) -> String { n == 1 ? "1 working day" : "\(n) working days" }
        switch self {
        case .doneOnTime(let day): return "Done on time (\(day.display))"
        case .doneLate(let day, let late): return "Done late by \(days(late)) (\(day.display))"
        case .due(0): return "Due today"
        case .due(let left): return "Due in \(days(left))"
        case .overdue(let n): return "Overdue by \(days(n))"
        }
    }
}

/// One admission's (or re-admission's) EHCH clock: assessment, care plan and SMR flag within 7 working days.
public struct AdmissionClock: Sendable, Equatable {
    /// The resident.
    public var residentID: Int64
    /// Day 0: the day of admission or re-admission.
    public var startedOn: Day
    /// Whether it was a re-admission (return from hospital).
    public var isReadmission: Bool
    /// The 7th working day after `startedOn`.
    public var deadline: Day
    /// Comprehensive assessment.
    public var assessment: ClockItemState
    /// Personalised care and support plan.
    public var carePlan: ClockItemState
    /// Structured medication review flag.
    public var medicationReviewFlag: ClockItemState

    /// Creates a clock.
    public init(residentID: Int64, startedOn: Day, isReadmission: Bool, deadline: Day, assessment: ClockItemState, carePlan: ClockItemState, medicationReviewFlag: ClockItemState) {
        self.residentID = residentID
        self.startedOn = startedOn
        self.isReadmission = isReadmission
        self.deadline = deadline
        self.assessment = assessment
        self.carePlan = carePlan
        self.medicationReviewFlag = medicationReviewFlag
    }

    /// Whether any item is still to do.
    public var isOpen: Bool { assessment.isOpen || carePlan.isOpen || medicationReviewFlag.isOpen }
}

/// The resident registry's service.
public protocol ResidentDirectory: Sendable {
    /// Residents who are the home's now (living here or in hospital), by room.
    func currentResidents() throws -> [ResidentSummary]
    /// One resident (any status), or nil.
    func resident(id: Int64) throws -> ResidentSummary?
    /// A resident's movements, oldest first.
    func movements(residentID: Int64) throws -> [ResidentMovement]
    /// Residents sleeping in the home on `day` (not in hospital, not left, not died).
    func occupancy(on day: Day) throws -> Int
    /// Occupied bed days from `start` to `end` inclusive (NHS definition: residents present at midnight).
    func occupiedBedDays(from start: Day, to end: Day) throws -> Int
    /// The clock of the resident's latest admission or re-admission, or nil.
    func admissionClock(residentID: Int64, today: Day) throws -> AdmissionClock?
    /// The working-day calendar of the home (bank holidays plus the home's own days).
    func workingCalendar() throws -> WorkingCalendar
    /// Every tracked admission or re-admission clock (any resident, including those who have since left
    /// or died) that started from `start` to `end` inclusive, judged on `today`; nil when the registry
    /// cannot say (the default), which a caller shows as "no data", never as none.
    func admissionClocks(startedFrom start: Day, to end: Day, today: Day) throws -> [AdmissionClock]?
    /// Several residents (any status) by id, in one look-up: a list of falls or actions that names
    /// former residents costs one query, not one per person. Ids not found are left out.
    func residents(ids: Set<Int64>) throws -> [Int64: ResidentSummary]
}

extension ResidentDirectory {
    /// Default: the clock history is not available.
    public func admissionClocks(startedFrom start: Day, to end: Day, today: Day) throws -> [AdmissionClock]? { nil }
    /// Default for a directory without a batch look-up: today's residents, then one look-up per other id.
    public func residents(ids: Set<Int64>) throws -> [Int64: ResidentSummary] {
        var found = [Int64: ResidentSummary]()
        for resident in try currentResidents() where ids.contains(resident.id) { found[resident.id] = resident }
        for id in ids where found[id] == nil { if let resident = try resident(id: id) { found[id] = resident } }
        return found
    }
}

/// The home's profile.
public struct HomeProfile: Sendable, Equatable {
    /// The home's name.
    public var name: String
    /// The weekly home round's day.
    public var roundDay: Weekday?
    /// Creates a profile.
    public init(name: String, roundDay: Weekday?) {
        self.name = name
        self.roundDay = roundDay
    }
}

/// Publishes the home profile.
public protocol HomeProfileProvider: Sendable {
    /// The profile now.
    func profile() throws -> HomeProfile
}

// MARK: - Medicines

/// A property of a medicine that drives a rule.
@frozen public enum MedicineFlag: String, Sendable, CaseIterable, Codable {
    case anticoagulant, antiplatelet, aspirin, opioid, benzodiazepine, zDrug = "z-drug", gabapentinoid,
         antipsychotic, laxative, sickDay = "sick-day", fallsRisk = "falls-risk", unclassified
}

/// A current medicine as other plugins see it.
public struct MedicineSummary: Sendable, Equatable {
    /// Name as recorded (`Apixaban`).
    public var name: String
    /// Dose, route and frequency in words (`5 mg oral twice a day`).
    public var directions: String
    /// Whether it is taken only when needed (PRN).
    public var asNeeded: Bool
    /// Properties from the drug table.
    public var flags: Set<MedicineFlag>

    /// Creates a summary.
    public init(name: String, directions: String, asNeeded: Bool, flags: Set<MedicineFlag>) {
        self.name = name
        self.directions = directions
        self.asNeeded = asNeeded
        self.flags = flags
    }
}

/// Whether a resident takes something that makes a head injury more dangerous (NICE NG232).
@frozen public enum AntithromboticStatus: Sendable, Equatable {
    /// On an anticoagulant.
    case anticoagulant([String])
    /// On an antiplatelet other than aspirin alone.
    case antiplatelet([String])
    /// On aspirin alone (not by itself a reason for hospital assessment under NG232).
    case aspirinAlone
    /// No anticoagulant or antiplatelet among the medicines the drug table recognises, but these
    /// medicines are not in it: the list cannot show there is none, so staff must be asked.
    case cannotTell(unclassified: [String])
    /// On none of these, and every current medicine is one the drug table recognises.
    case none
}

/// The medication plugin's medicines service.
public protocol CurrentMedicines: Sendable {
    /// The resident's current medicines.
    func medicines(residentID: Int64) throws -> [MedicineSummary]
    /// Anticoagulant / antiplatelet status from the current medicines.
    func antithromboticStatus(residentID: Int64) throws -> AntithromboticStatus
}

/// How urgent a prompt is.
@frozen public enum PromptSeverity: Int, Sendable, Comparable, CaseIterable, Codable {
    case consider = 1, moderate = 2, high = 3

    /// Shown to staff.
    public var title: String {
        switch self {
        case .consider: "Consider"
        case .moderate: "Review"
        case .high: "High"
        }
    }
    public static func < (lhs: PromptSeverity, rhs: PromptSeverity) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// An open prompt for a resident, with its reason.
public struct ResidentPrompt: Sendable, Equatable {
    /// The resident.
    public var residentID: Int64
    /// Rule id (`MR-POLY-10`).
    public var ruleID: String
    /// Headline.
    public var title: String
    /// Why, in words, with the numbers behind it.
    public var reason: String
    /// Severity.
    public var severity: PromptSeverity
    /// Whether the prompt belongs on the next home round's agenda (every high prompt, and those the
    /// EHCH agenda signals name: structured medication review overdue, antipsychotic in dementia due for review).
    public var forRound: Bool

    /// Creates a prompt.
    public init(residentID: Int64, ruleID: String, title: String, reason: String, severity: PromptSeverity, forRound: Bool? = nil) {
        self.forRound = forRound ?? (severity == .high)
        self.residentID = residentID
        self.ruleID = ruleID
        self.title = title
        self.reason = reason
        self.severity = severity
    }
}

/// The medication plugin's prompts service.
public protocol MedicationPromptSource: Sendable {
    /// Open (not acknowledged) prompts for every current resident, most urgent first.
    func openPrompts() throws -> [ResidentPrompt]
    /// Open prompts for one resident.
    func openPrompts(residentID: Int64) throws -> [ResidentPrompt]
}

// MARK: - Falls

/// A fall as other plugins see it.
public struct FallSummary: Sendable, Equatable {
    /// Database id.
    public var id: Int64
    /// The resident.
    public var residentID: Int64
    /// When it happened (or was found).
    public var occurredAt: Date
    /// Whether the head was struck (nil: unknown, e.g. unwitnessed).
    public var headStrike: Bool?
    /// Whether there was any injury.
    public var injured: Bool
    /// One line for lists (`Lounge, unwitnessed, bruise to left hip`).
    public var summary: String
    /// When it was first recorded (nil when not known): a fall recorded days after it happened still
    /// has to reach the next round.
    public var recordedAt: Date?

    /// Creates a summary.
    public init(id: Int64, residentID: Int64, occurredAt: Date, headStrike: Bool?, injured: Bool, summary: String, recordedAt: Date? = nil) {
        self.recordedAt = recordedAt
        self.id = id
        self.residentID = residentID
        self.occurredAt = occurredAt
        self.headStrike = headStrike
        self.injured = injured
        self.summary = summary
    }

    /// The link to the fall.
    public var path: String { "/falls/\(id)" }
}

/// The falls plugin's service.
public protocol FallsSource: Sendable {
    /// Falls (not entered in error) since `since`, newest first; all residents when `residentID` is nil.
    func falls(residentID: Int64?, since: Date) throws -> [FallSummary]
    /// Falls (not entered in error) that happened, or were first recorded, at or after `since`: what a
    /// round must pick up, including a fall that happened before the last round but was recorded after it.
    func fallsOccurredOrRecorded(since: Date) throws -> [FallSummary]
}

extension FallsSource {
    /// Without a record of when falls were entered, the falls that happened since `since`.
    public func fallsOccurredOrRecorded(since: Date) throws -> [FallSummary] { try falls(residentID: nil, since: since) }
}

// MARK: - Home round

/// The home round plugin's service for raising concerns from other pages.
public protocol RoundConcerns: Sendable {
    /// Puts a resident on the next round's agenda with a reason.
    func raise(residentID: Int64, reason: String, by principal: Principal) throws
}

/// The home round's figures for a period, for the EHCH impact pack and its before-and-after comparison.
public struct RoundPeriodFigures: Sendable, Equatable {
    /// Weeks whose round day falls in the period and has passed.
    public var weeksDue: Int
    /// Of those weeks, the ones with a round held (closed).
    public var roundsHeld: Int
    /// Residents marked reviewed at the rounds held in the period.
    public var residentsReviewed: Int
    /// Round actions due in the period (and before today), not entered in error or closed by a death or leaving.
    public var actionsDue: Int
    /// Of those, the ones done on or before their due day.
    public var actionsDoneOnTime: Int

    /// Creates the figures.
    public init(weeksDue: Int, roundsHeld: Int, residentsReviewed: Int, actionsDue: Int, actionsDoneOnTime: Int) {
        self.weeksDue = weeksDue
        self.roundsHeld = roundsHeld
        self.residentsReviewed = residentsReviewed
        self.actionsDue = actionsDue
        self.actionsDoneOnTime = actionsDoneOnTime
    }
}

/// The home round plugin's figures service.
public protocol RoundFiguresSource: Sendable {
    /// The figures for `start` through `end`, with `today` deciding which rounds and actions were due yet.
    func roundFigures(from start: Day, through end: Day, today: Day) throws -> RoundPeriodFigures
}

/// The medication plugin's figures service.
public protocol MedicationReviewFigures: Sendable {
    /// Structured medication reviews recorded with a review day from `start` through `end` (not entered in error).
    func structuredReviews(from start: Day, through end: Day) throws -> Int
    /// How many of `residentIDs` had a structured medication review on or after `day` (NICE QS85: at least once a year).
    func residentsReviewed(since day: Day, among residentIDs: Set<Int64>) throws -> Int
}

// MARK: - Deterioration

/// The deterioration plugin's service.
public protocol DeteriorationSource: Sendable {
    /// Residents whose record shows a deterioration at or after `since` (soft signs, a set of
    /// observations in a NEWS2 trigger band or above their usual, an escalation), each with one line
    /// saying what, in plain words.
    func deteriorating(since: Date) throws -> [Int64: String]
    /// The path of the form that records a structured set of observations for a resident, with why it
    /// was asked for (`Falls log: head-injury observations`).
    func observationFormPath(residentID: Int64, prompt: String) -> String
    /// What an ambulance crew or an A&E team needs first from the record, for the transfer summary:
    /// the latest observations with NEWS2, soft signs and the escalation, from the last three days.
    func forTransfer(residentID: Int64) throws -> [(heading: String, text: String)]
}

extension DeteriorationSource {
    /// A source that has nothing for the transfer summary gives nothing.
    public func forTransfer(residentID: Int64) throws -> [(heading: String, text: String)] { [] }
}

// MARK: - Movements recorded from other plugins

/// The resident registry's service for a move recorded on another plugin's page.
public protocol ResidentMovementRecorder: Sendable {
    /// Records that the resident went to hospital on `day` (status "In hospital"), with a note, as the
    /// registry's own movement page would. Throws a `CareError` whose message says why it cannot be
    /// recorded (the resident is already in hospital, has left, …).
    func recordWentToHospital(residentID: Int64, on day: Day, note: String, by principal: Principal) throws
}

// MARK: - Hospital transfers

/// The transfers plugin's service for the home round.
public protocol TransferReviewSource: Sendable {
    /// Current residents with a hospital transfer the MDT has not yet reviewed ("could it have been
    /// avoided?"), each with one line saying which transfer, in plain words.
    func transfersAwaitingReview() throws -> [Int64: String]
}

// MARK: - Staff

/// A member of staff as other plugins see them: the account's name and role, and whether it can sign in.
public struct StaffMember: Sendable, Equatable {
    /// The account's id.
    public var userID: Int64
    /// The login name.
    public var username: String
    /// The name shown on pages (`Niamh Nurse`).
    public var displayName: String
    /// The role.
    public var role: Role
    /// Whether the account can sign in today (not disabled, not expired).
    public var active: Bool

    /// Creates a member.
    public init(userID: Int64, username: String, displayName: String, role: Role, active: Bool) {
        self.userID = userID
        self.username = username
        self.displayName = displayName
        self.role = role
        self.active = active
    }
}

/// The server's list of staff accounts (the admin's accounts are left out: they hold no care work).
public protocol StaffDirectory: Sendable {
    /// Every staff account, active or not, by name.
    func staff() throws -> [StaffMember]
}

// MARK: - Photos

/// A photo as the appliance keeps it: a new JPEG, upright, small, with nothing of the original file.
public struct Portrait: Sendable, Equatable {
    /// The JPEG's bytes.
    public let jpeg: [UInt8]
    /// Its size in pixels.
    public let width: Int
    /// Its size in pixels.
    public let height: Int

    /// Creates a portrait.
    public init(jpeg: [UInt8], width: Int, height: Int) {
        self.jpeg = jpeg
        self.width = width
        self.height = height
    }
}

/// The server's photo service: a resident's photo is only ever kept as what this makes of it.
public protocol PortraitMaker: Sendable {
    /// A JPEG at most `longestSide` pixels each way, turned the way the camera was held, with none of
    /// the original file's metadata (EXIF, the place it was taken, the camera). Throws a `CareError`
    /// whose message tells the person who sent it what to do (not a photo, too large, …).
    func portrait(from bytes: [UInt8], longestSide: Int) throws -> Portrait
}
