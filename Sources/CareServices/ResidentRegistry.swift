public import CareKit

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

/// The resident registry's service for a move recorded on another plugin's page.
public protocol ResidentMovementRecorder: Sendable {
    /// Records that the resident went to hospital on `day` (status "In hospital"), with a note, as the
    /// registry's own movement page would. Throws a `CareError` whose message says why it cannot be
    /// recorded (the resident is already in hospital, has left, …).
    func recordWentToHospital(residentID: Int64, on day: Day, note: String, by principal: Principal) throws
}

extension WorkingCalendar {
    /// The state of a clock item given when it was done (if it was), the deadline and today.
    public func itemState(doneOn: Day?, deadline: Day, today: Day) -> ClockItemState {
        if let done = doneOn {
            return done <= deadline ? .doneOnTime(done) : .doneLate(done, workingDaysLate: max(1, workingDays(after: deadline, through: done)))
        }
        if today <= deadline { return .due(workingDaysLeft: workingDays(after: today, through: deadline)) }
        return .overdue(workingDays: max(1, workingDays(after: deadline, through: today)))
    }
}
