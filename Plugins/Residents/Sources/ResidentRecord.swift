import CareKit
import CareServices

/// How a resident came to live here.
enum AdmissionType: String, Sendable, CaseIterable, Codable {
    case permanent, respite, dischargeToAssess = "discharge-to-assess", shortStay = "short-stay"

    var title: String {
        switch self {
        case .permanent: "Permanent"
        case .respite: "Respite"
        case .dischargeToAssess: "Discharge to assess"
        case .shortStay: "Short stay"
        }
    }
}

/// The kind of advance care plan held.
enum PlanKind: String, Sendable, CaseIterable, Codable {
    case respect, advanceCarePlan = "advance-care-plan", dnacpr

    var title: String {
        switch self {
        case .respect: "ReSPECT"
        case .advanceCarePlan: "Advance care plan"
        case .dnacpr: "DNACPR"
        }
    }
}

/// A ReSPECT / advance care plan recommendation: a value, its words on screen, and "not recorded".
enum CPRRecommendation: String, Sendable, CaseIterable, Codable {
    case notRecorded = "", notForCPR = "not-for-cpr", forCPR = "for-cpr"
    var title: String {
        switch self {
        case .notRecorded: "CPR not recorded"
        case .notForCPR: "Not for CPR"
        case .forCPR: "For CPR"
        }
    }
}

enum HospitalTransfer: String, Sendable, CaseIterable, Codable {
    case notRecorded = "", wanted = "wanted", notWanted = "not-wanted"
    var title: String {
        switch self {
        case .notRecorded: "Hospital transfer not recorded"
        case .wanted: "Wants hospital transfer if needed"
        case .notWanted: "Prefers to stay here, not hospital"
        }
    }
}

enum CarePriority: String, Sendable, CaseIterable, Codable {
    case notRecorded = "", sustainLife = "sustain-life", balance = "balance", comfort = "comfort"
    var title: String {
        switch self {
        case .notRecorded: "Priority not recorded"
        case .sustainLife: "Prioritise sustaining life"
        case .balance: "Balance of sustaining life and comfort"
        case .comfort: "Prioritise comfort"
        }
    }
}

/// Everything the registry holds about a resident apart from movements (admission, hospital,
/// leaving, death), which are records of their own. One value is one version of the record.
struct ResidentRecord: Sendable, Equatable, Codable {
    var preferredName = ""
    var fullName = ""
    var dateOfBirth: Day?
    /// 10 digits (checksum passed), or nil.
    var nhsNumber: String?
    /// Whether staff verified that the number belongs to this person (not the same as the checksum).
    var nhsVerified = false
    var room = ""
    var admissionType = AdmissionType.permanent
    var gpPractice = ""
    var nextOfKinName = ""
    var nextOfKinRelationship = ""
    var nextOfKinPhone = ""
    var lpaHealthName = ""
    var lpaHealthPhone = ""
    var communicationNeeds = ""
    var allergies = ""
    var diagnoses = ""
    var dementia = DementiaType.notRecorded
    var whatMatters = ""
    var planExists = false
    var planKind: PlanKind?
    var planDate: Day?
    var planLocation = ""
    var planCPR = CPRRecommendation.notRecorded
    var planHospital = HospitalTransfer.notRecorded
    var planPriority = CarePriority.notRecorded

    /// The headline other plugins show.
    var advanceCarePlan: AdvanceCarePlanHeadline {
        guard planExists else { return AdvanceCarePlanHeadline(exists: false) }
        return AdvanceCarePlanHeadline(exists: true, kind: planKind?.title ?? "Advance care plan", date: planDate,
                                       location: planLocation, cpr: planCPR.title,
                                       hospitalTransfer: planHospital.title, priority: planPriority.title,
                                       prefersCareHere: planHospital == .notWanted || planPriority == .comfort)
    }

    /// The name used on pages: `Peggy Hughes`.
    var displayName: String {
        let surname = fullName.split(separator: " ").last.map(String.init) ?? ""
        if preferredName.isEmpty || surname.isEmpty { return fullName }
        return "\(preferredName) \(surname)"
    }

    /// One field as shown in the history and compared between versions.
    struct Field: Sendable {
        let key: String
        let label: String
        let value: @Sendable (ResidentRecord) -> String
    }

    /// The fields in the order of the form; used for the history's "what changed" and the CSV import.
    static let fields: [Field] = [
        Field(key: "preferred_name", label: "Preferred name") { $0.preferredName },
        Field(key: "full_name", label: "Full name") { $0.fullName },
        Field(key: "date_of_birth", label: "Date of birth") { $0.dateOfBirth?.displayShort ?? "" },
        Field(key: "nhs_number", label: "NHS number") { $0.nhsNumber.map(NHSNumber.spaced) ?? "" },
        Field(key: "nhs_verified", label: "NHS number verified") { $0.nhsVerified ? "Yes" : "No" },
        Field(key: "room", label: "Room") { $0.room },
        Field(key: "admission_type", label: "Type of stay") { $0.admissionType.title },
        Field(key: "gp_practice", label: "GP practice") { $0.gpPractice },
        Field(key: "nok_name", label: "Next of kin") { $0.nextOfKinName },
        Field(key: "nok_relationship", label: "Next of kin: relationship") { $0.nextOfKinRelationship },
        Field(key: "nok_phone", label: "Next of kin: telephone") { $0.nextOfKinPhone },
        Field(key: "lpa_name", label: "Lasting power of attorney (health and welfare)") { $0.lpaHealthName },
        Field(key: "lpa_phone", label: "Attorney: telephone") { $0.lpaHealthPhone },
        Field(key: "communication_needs", label: "Communication needs") { $0.communicationNeeds },
        Field(key: "allergies", label: "Allergies") { $0.allergies },
        Field(key: "diagnoses", label: "Key diagnoses") { $0.diagnoses },
        Field(key: "dementia_type", label: "Dementia") { $0.dementia.title },
        Field(key: "what_matters", label: "What matters to me") { $0.whatMatters },
        Field(key: "plan_exists", label: "Advance care plan held") { $0.planExists ? "Yes" : "No" },
        Field(key: "plan_kind", label: "Kind of plan") { $0.planKind?.title ?? "" },
        Field(key: "plan_date", label: "Plan date") { $0.planDate?.displayShort ?? "" },
        Field(key: "plan_location", label: "Where the form is kept") { $0.planLocation },
        Field(key: "plan_cpr", label: "CPR") { $0.planCPR == .notRecorded ? "" : $0.planCPR.title },
        Field(key: "plan_hospital", label: "Hospital transfer") { $0.planHospital == .notRecorded ? "" : $0.planHospital.title },
        Field(key: "plan_priority", label: "Sustaining life or comfort") { $0.planPriority == .notRecorded ? "" : $0.planPriority.title },
    ]

    /// `Room: 12 → 14` lines for every field that differs.
    func changes(from old: ResidentRecord) -> [String] {
        ResidentRecord.fields.compactMap { field in
            let before = field.value(old), after = field.value(self)
            guard before != after else { return nil }
            let b = before.isEmpty ? "(blank)" : before, a = after.isEmpty ? "(blank)" : after
            return "\(field.label): \(b) → \(a)"
        }
    }

    /// JSON for the version table (a complete copy of this version).
    func snapshot() -> String { JSONCoding.encode(self) }
}

extension ResidentRecord {
    /// Reads a stored version. Every field is optional in the JSON so that versions saved before a
    /// field existed still read (the version table is never rewritten).
    init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func read<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws {
            if let decoded = try c.decodeIfPresent(T.self, forKey: key) { value = decoded }
        }
        try read(.preferredName, &preferredName)
        try read(.fullName, &fullName)
        dateOfBirth = try c.decodeIfPresent(Day.self, forKey: .dateOfBirth)
        nhsNumber = try c.decodeIfPresent(String.self, forKey: .nhsNumber)
        try read(.nhsVerified, &nhsVerified)
        try read(.room, &room)
        try read(.admissionType, &admissionType)
        try read(.gpPractice, &gpPractice)
        try read(.nextOfKinName, &nextOfKinName)
        try read(.nextOfKinRelationship, &nextOfKinRelationship)
        try read(.nextOfKinPhone, &nextOfKinPhone)
        try read(.lpaHealthName, &lpaHealthName)
        try read(.lpaHealthPhone, &lpaHealthPhone)
        try read(.communicationNeeds, &communicationNeeds)
        try read(.allergies, &allergies)
        try read(.diagnoses, &diagnoses)
        try read(.dementia, &dementia)
        try read(.whatMatters, &whatMatters)
        try read(.planExists, &planExists)
        planKind = try c.decodeIfPresent(PlanKind.self, forKey: .planKind)
        planDate = try c.decodeIfPresent(Day.self, forKey: .planDate)
        try read(.planLocation, &planLocation)
        try read(.planCPR, &planCPR)
        try read(.planHospital, &planHospital)
        try read(.planPriority, &planPriority)
    }
}
