import CareKit
import CareServices

/// What a person typed for a resident (from the form or a CSV row), kept as text so that a form
/// returned with errors shows exactly what was typed. `validate` is the one place that turns it into
/// a record: the form and the CSV import share it.
struct ResidentInput: Sendable, Equatable {
    /// Raw values by field key (`full_name`, `date_of_birth`…).
    var values: [String: String] = [:]

    subscript(key: String) -> String { values[key] ?? "" }

    /// Every key the form and the import understand.
    static let keys: [String] = ResidentRecord.fields.map(\.key) + ["admission_date"]

    init(values: [String: String] = [:]) { self.values = values }

    /// Reads the fields from a POSTed form.
    init(form: FormData) {
        for key in ResidentInput.keys {
            if let value = form[key] { values[key] = value }
        }
        values["nhs_verified"] = form.isChecked("nhs_verified") ? "yes" : ""
    }

    /// The input for an existing record (the edit form starts from it).
    init(record: ResidentRecord) {
        values = [
            "preferred_name": record.preferredName, "full_name": record.fullName,
            "date_of_birth": record.dateOfBirth?.iso ?? "", "nhs_number": record.nhsNumber.map(NHSNumber.spaced) ?? "",
            "nhs_verified": record.nhsVerified ? "yes" : "", "room": record.room,
            "admission_type": record.admissionType.rawValue, "gp_practice": record.gpPractice,
            "nok_name": record.nextOfKinName, "nok_relationship": record.nextOfKinRelationship,
            "nok_phone": record.nextOfKinPhone, "lpa_name": record.lpaHealthName, "lpa_phone": record.lpaHealthPhone,
            "communication_needs": record.communicationNeeds, "allergies": record.allergies,
            "diagnoses": record.diagnoses, "dementia_type": record.dementia.rawValue, "what_matters": record.whatMatters,
            "plan_exists": record.planExists ? "yes" : "no", "plan_kind": record.planKind?.rawValue ?? "",
            "plan_date": record.planDate?.iso ?? "", "plan_location": record.planLocation,
            "plan_cpr": record.planCPR.rawValue, "plan_hospital": record.planHospital.rawValue,
            "plan_priority": record.planPriority.rawValue,
        ]
    }

    /// The outcome of validation.
    struct Validated {
        var record: ResidentRecord
        /// The admission day (only asked when creating a resident).
        var admissionDate: Day?
    }

    /// Checks every field and returns the record, or the messages to show beside the fields.
    /// Rules that need the database (a duplicate NHS number) are checked by the store.
    func validate(today: Day, requireAdmissionDate: Bool) -> Result<Validated, ValidationFailure> {
        var errors = FormErrors()
        var record = ResidentRecord()

        record.fullName = self["full_name"]
        if record.fullName.isEmpty { errors.add("full_name", "Enter the resident's full name") }
        record.preferredName = self["preferred_name"]

        record.dateOfBirth = date("date_of_birth", label: "date of birth", required: true, errors: &errors)
        if let dob = record.dateOfBirth {
            if dob > today { errors.add("date_of_birth", "Date of birth must be today or in the past") }
            else if dob.age(on: today) > 120 { errors.add("date_of_birth", "Date of birth is more than 120 years ago: check the year") }
        }

        let typedNHS = self["nhs_number"]
        if !typedNHS.isEmpty {
            switch NHSNumber.check(typedNHS) {
            case .valid(let digits): record.nhsNumber = digits
            case .invalid(let message): errors.add("nhs_number", message)
            }
        }
        record.nhsVerified = !self["nhs_verified"].isEmpty && self["nhs_verified"] != "no"
        if record.nhsVerified && typedNHS.isEmpty {
            errors.add("nhs_verified", "Enter the NHS number before marking it as verified")
        }

        record.room = self["room"]
        if record.room.isEmpty { errors.add("room", "Enter the room") }

        if let type = AdmissionType(rawValue: self["admission_type"]) { record.admissionType = type }
        else { errors.add("admission_type", "Choose the type of stay") }

        var admissionDate: Day?
        if requireAdmissionDate {
            admissionDate = date("admission_date", label: "admission date", required: true, errors: &errors)
            if let admitted = admissionDate {
                if admitted > today { errors.add("admission_date", "Admission date must be today or in the past") }
                else if let dob = record.dateOfBirth, dob <= today, admitted < dob {
                    errors.add("admission_date", "Admission date is before the date of birth")
                }
            }
        }

        record.gpPractice = self["gp_practice"]
        record.nextOfKinName = self["nok_name"]
        record.nextOfKinRelationship = self["nok_relationship"]
        record.nextOfKinPhone = self["nok_phone"]
        record.lpaHealthName = self["lpa_name"]
        record.lpaHealthPhone = self["lpa_phone"]
        record.communicationNeeds = self["communication_needs"]
        record.allergies = self["allergies"]
        if record.allergies.isEmpty { errors.add("allergies", "Enter allergies, or \"None known\"") }
        record.diagnoses = self["diagnoses"]
        let dementia = self["dementia_type"]
        if dementia.isEmpty { record.dementia = .notRecorded }
        else if let type = DementiaType(rawValue: dementia) { record.dementia = type }
        else { errors.add("dementia_type", "Choose a type of dementia from the list, \"No dementia\" or \"Not recorded yet\"") }
        record.whatMatters = self["what_matters"]

        switch self["plan_exists"] {
        case "yes":
            record.planExists = true
            if let kind = PlanKind(rawValue: self["plan_kind"]) { record.planKind = kind }
            else { errors.add("plan_kind", "Choose the kind of plan (ReSPECT, advance care plan or DNACPR)") }
            record.planDate = date("plan_date", label: "plan date", required: false, errors: &errors)
            if let planDate = record.planDate, planDate > today { errors.add("plan_date", "The plan's date must be today or in the past") }
            record.planLocation = self["plan_location"]
            if let cpr = CPRRecommendation(rawValue: self["plan_cpr"]) { record.planCPR = cpr }
            else { errors.add("plan_cpr", "Choose a CPR recommendation from the list") }
            if let hospital = HospitalTransfer(rawValue: self["plan_hospital"]) { record.planHospital = hospital }
            else { errors.add("plan_hospital", "Choose a hospital transfer recommendation from the list") }
            if let priority = CarePriority(rawValue: self["plan_priority"]) { record.planPriority = priority }
            else { errors.add("plan_priority", "Choose a priority from the list") }
        case "no", "":
            record.planExists = false
        default:
            errors.add("plan_exists", "Answer yes or no")
        }

        if !errors.isEmpty { return .failure(ValidationFailure(errors: errors)) }
        return .success(Validated(record: record, admissionDate: admissionDate))
    }

    /// A date field: empty → nil (an error when required); not a real date → an error.
    private func date(_ key: String, label: String, required: Bool, errors: inout FormErrors) -> Day? {
        let text = self[key]
        if text.isEmpty {
            if required { errors.add(key, "Enter the \(label)") }
            return nil
        }
        guard let day = Day(parsing: text) else {
            errors.add(key, "The \(label) must be a real date, for example 23/11/1940")
            return nil
        }
        return day
    }
}
