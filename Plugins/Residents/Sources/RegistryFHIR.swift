import CareKit
import CareServices
import Foundation

/// The registry's records as FHIR R4 resources (UK Core profiles): each resident as a Patient, each stay
/// as an EpisodeOfCare, the key diagnoses, allergies, the advance care plan headline (a Flag), the
/// personalised care and support plans (CarePlan), the 7-working-day clock's items (Task) and the GP
/// practices (Organization). Diagnoses and allergies are free text here, so they carry text, never a code.
struct RegistryFHIR: FHIRContributor {
    let stores: Stores
    let today: @Sendable () -> Day

    let resourceTypes: Set<String> = ["Patient", "EpisodeOfCare", "Condition", "AllergyIntolerance", "Flag", "CarePlan", "Task", "Organization"]

    /// Residents are read this many at a time, with their movements and clock entries.
    static let batch = 100

    func resources(matching query: FHIRQuery, emit: (FHIRResource) throws -> Bool) throws {
        if query.wants("Organization"), query.residentID == nil {
            guard try practices(emit) else { return }
        }
        let perResident = query.types.subtracting(["Organization"])
        guard !perResident.isEmpty else { return }
        let calendar = try stores.profiles.load().calendar
        let day = today()
        var after: Int64 = 0
        while true {
            let batch = try stores.residents.database.read { db -> [(StoredResident, [ClockEntry])] in
                var sql = "SELECT * FROM residents_residents WHERE entered_in_error = 0 AND id > ?"
                var arguments: [SQLValue] = [.integer(after)]
                if let resident = query.residentID ?? RegistryFHIR.resident(fromID: query.id) { sql += " AND id = ?"; arguments.append(.integer(resident)) }
                let rows = try db.query(sql + " ORDER BY id LIMIT \(RegistryFHIR.batch)", arguments)
                guard let first = rows.first?.int64("id"), let last = rows.last?.int64("id") else { return [] }
                var movements = [Int64: [StoredMovement]]()
                for row in try db.query("SELECT * FROM residents_movements WHERE entered_in_error = 0 AND resident_id BETWEEN ? AND ? ORDER BY resident_id, on_day, id",
                                        [.integer(first), .integer(last)]) {
                    let movement = try StoredMovement(row: row)
                    movements[movement.residentID, default: []].append(movement)
                }
                var entries = [Int64: [ClockEntry]]()
                for row in try db.query("SELECT * FROM residents_clock_entries WHERE resident_id BETWEEN ? AND ? ORDER BY resident_id, done_on, id",
                                        [.integer(first), .integer(last)]) {
                    let entry = try ClockEntry(row: row)
                    entries[entry.residentID, default: []].append(entry)
                }
                return try rows.map { row in
                    let id = row.int64("id") ?? 0
                    return (try stores.residents.stored(row, movements: movements[id] ?? []), entries[id] ?? [])
                }
            }
            guard let last = batch.last else { return }
            for (resident, entries) in batch {
                for resource in resources(of: resident, entries: entries, types: perResident, calendar: calendar, today: day) {
                    guard try emit(resource) else { return }
                }
            }
            after = last.0.id
            if query.residentID != nil || RegistryFHIR.resident(fromID: query.id) != nil { return }
        }
    }

    /// The resident a resource id names, for a read by id of a Patient (`12`), a Condition (`dx-12-1`), the
    /// allergies (`allergies-12`) or the advance care plan (`acp-12`); nil for ids made from other rows.
    static func resident(fromID id: String?) -> Int64? {
        guard let id else { return nil }
        if let number = Int64(id) { return number }
        for prefix in ["dx-", "allergies-", "acp-"] where id.hasPrefix(prefix) {
            return Int64(id.dropFirst(prefix.count).prefix { $0 != "-" })
        }
        return nil
    }

    /// Every GP practice named in the home profile or on a resident's record, once each.
    private func practices(_ emit: (FHIRResource) throws -> Bool) throws -> Bool {
        var names = try stores.profiles.load().gpPractices
        names += try stores.residents.database.read { db in
            try db.query("SELECT DISTINCT json_extract(record, '$.gpPractice') AS practice FROM residents_residents WHERE entered_in_error = 0")
                .compactMap { $0.string("practice") }
        }
        var seen = Set<String>()
        for name in names.map({ $0.trimmingCharacters(in: .whitespacesAndNewlines) }) where !name.isEmpty {
            let id = FHIR.practiceID(name)
            guard seen.insert(id).inserted else { continue }
            let resource = FHIRResource(type: "Organization", id: id, residentID: nil, date: nil, summary: "GP practice: \(name)", [
                "meta": FHIR.meta(profile: "UKCore-Organization"),
                "active": true,
                "type": [FHIR.text("GP practice")],
                "name": .string(name),
            ])
            guard try emit(resource) else { return false }
        }
        return true
    }

    func resources(of resident: StoredResident, entries: [ClockEntry], types: Set<String>, calendar: WorkingCalendar, today: Day) -> [FHIRResource] {
        var out = [FHIRResource]()
        let record = resident.record
        let patient = FHIR.patient(resident.id)
        if types.contains("Patient") { out.append(patientResource(resident)) }
        if types.contains("EpisodeOfCare") { out += stays(resident) }
        if types.contains("Condition") {
            var lines = record.diagnoses.split(whereSeparator: { $0 == "\n" || $0 == ";" })
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            // The dementia field is its own answer: a Condition too, unless a diagnosis line already names it.
            if record.dementia.hasDementia && DementiaType.mentioned(in: record.diagnoses) == nil { lines.append(record.dementia.title) }
            for (index, line) in lines.enumerated() {
                out.append(FHIRResource(type: "Condition", id: "dx-\(resident.id)-\(index + 1)", residentID: resident.id, date: nil,
                                        summary: "Diagnosis recorded by the care home: \(line)", [
                    "meta": FHIR.meta(profile: "UKCore-Condition"),
                    "code": FHIR.text(line),
                    "subject": patient,
                    "note": FHIR.note("Copied from the key diagnoses on the care home's record, as written there."),
                ]))
            }
        }
        let allergies = record.allergies.trimmingCharacters(in: .whitespacesAndNewlines)
        if types.contains("AllergyIntolerance"), !allergies.isEmpty {
            out.append(FHIRResource(type: "AllergyIntolerance", id: "allergies-\(resident.id)", residentID: resident.id, date: nil,
                                    summary: "Allergies as recorded by the care home: \(allergies)", [
                "meta": FHIR.meta(profile: "UKCore-AllergyIntolerance"),
                "clinicalStatus": FHIR.concept(system: "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", code: "active", display: "Active"),
                "code": FHIR.text(allergies),
                "patient": patient,
            ]))
        }
        let plan = record.advanceCarePlan
        if types.contains("Flag"), plan.exists {
            out.append(FHIRResource(type: "Flag", id: "acp-\(resident.id)", residentID: resident.id, date: plan.date.map(FHIR.instant),
                                    summary: plan.summary, [
                "meta": FHIR.meta(profile: "UKCore-Flag"),
                "status": resident.status.isCurrent ? "active" : "inactive",
                "category": [FHIR.text("Advance care plan")],
                "code": FHIR.text(plan.summary),
                "subject": patient,
                "period": FHIR.period(start: plan.date.map(FHIR.date), end: nil),
            ]))
        }
        let live = entries.filter { !$0.enteredInError }
        if types.contains("CarePlan") {
            let plans = live.filter { $0.item == .carePlan }
            for entry in plans {
                let isLatest = entry.id == plans.last?.id
                var summary = "Personalised care and support plan made on \(entry.doneOn.display) by \(entry.doneBy)"
                if let review = entry.reviewOn { summary += "; review due \(review.display)" }
                out.append(FHIRResource(type: "CarePlan", id: "pcsp-\(entry.id)", residentID: resident.id, date: FHIR.instant(entry.doneOn),
                                        summary: summary, [
                    "meta": FHIR.meta(profile: "UKCore-CarePlan"),
                    "status": isLatest && resident.status.isCurrent ? "active" : "completed",
                    "intent": "plan",
                    "title": "Personalised care and support plan",
                    "description": entry.note.isEmpty ? nil : .string(entry.note),
                    "subject": patient,
                    "period": FHIR.period(start: FHIR.date(entry.doneOn), end: nil),
                    "created": entry.recordedAt.map(FHIR.dateTime),
                    "author": ["display": .string(entry.doneByRole.isEmpty ? entry.doneBy : "\(entry.doneBy) (\(entry.doneByRole))")],
                    "note": entry.reviewOn.flatMap { FHIR.note("Review due \($0.display).") },
                ]))
            }
        }
        if types.contains("Task") {
            for movement in resident.movements where movement.startsClock && movement.clockTracked {
                let detail = ClockRule.detail(residentID: resident.id, movement: movement, entries: live, calendar: calendar, today: today)
                let items: [(ClockItem, ClockItemState)] = [(.assessment, detail.clock.assessment), (.carePlan, detail.clock.carePlan),
                                                            (.medicationReviewFlag, detail.clock.medicationReviewFlag)]
                for (item, state) in items {
                    let done: Day? = switch state { case .doneOnTime(let day), .doneLate(let day, _): day; case .due, .overdue: nil }
                    let start = detail.clock.isReadmission ? "re-admission" : "admission"
                    out.append(FHIRResource(type: "Task", id: "clock-\(movement.id)-\(item.rawValue)", residentID: resident.id,
                                            date: FHIR.instant(detail.clock.deadline),
                                            summary: "\(item.title) within 7 working days of \(start) on \(movement.on.display) (by \(detail.clock.deadline.display)): \(state.summary)", [
                        "meta": FHIR.meta(profile: "UKCore-Task"),
                        "status": done == nil ? "requested" : "completed",
                        "businessStatus": FHIR.text(state.summary),
                        "intent": "plan",
                        "description": .string("\(item.title) within 7 working days of \(start) (NHS England Enhanced Health in Care Homes)"),
                        "for": patient,
                        "authoredOn": movement.recordedAt.map(FHIR.dateTime),
                        "lastModified": done.map { FHIR.dateTime(FHIR.instant($0)) },
                        "executionPeriod": FHIR.period(start: FHIR.date(movement.on), end: done.map(FHIR.date)),
                        "restriction": ["period": ["end": FHIR.date(detail.clock.deadline)]],
                        "owner": FHIR.home(),
                    ]))
                }
            }
        }
        return out
    }

    private func patientResource(_ resident: StoredResident) -> FHIRResource {
        let record = resident.record
        var identifiers = [FHIRValue]()
        if let number = record.nhsNumber, !number.isEmpty {
            // UK Core: the NHS number with its verification status (England's code system).
            let (code, display) = record.nhsVerified ? ("01", "Number present and verified") : ("02", "Number present but not traced")
            identifiers.append([
                "extension": [[
                    "url": "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus",
                    "valueCodeableConcept": FHIR.concept(system: "https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland",
                                                         code: code, display: display),
                ]],
                "system": .string(FHIR.nhsNumberSystem),
                "value": .string(number),
            ])
        }
        let parts = record.fullName.split(separator: " ").map(String.init)
        var names: [FHIRValue] = [[
            "use": "official",
            "text": .string(record.fullName),
            "family": parts.last.map(FHIRValue.string),
            "given": parts.count > 1 ? .array(parts.dropLast().map(FHIRValue.string)) : nil,
        ]]
        if !record.preferredName.isEmpty && record.preferredName != parts.first {
            names.append(["use": "usual", "text": .string(record.preferredName), "given": [.string(record.preferredName)]])
        }
        var contacts = [FHIRValue]()
        if !record.nextOfKinName.isEmpty {
            contacts.append([
                "relationship": [FHIR.text(record.nextOfKinRelationship.isEmpty ? "Next of kin" : "Next of kin: \(record.nextOfKinRelationship)")],
                "name": ["text": .string(record.nextOfKinName)],
                "telecom": record.nextOfKinPhone.isEmpty ? nil : [["system": "phone", "value": .string(record.nextOfKinPhone)]],
            ])
        }
        if !record.lpaHealthName.isEmpty {
            contacts.append([
                "relationship": [FHIR.text("Lasting power of attorney for health and welfare")],
                "name": ["text": .string(record.lpaHealthName)],
                "telecom": record.lpaHealthPhone.isEmpty ? nil : [["system": "phone", "value": .string(record.lpaHealthPhone)]],
            ])
        }
        let practice = record.gpPractice.trimmingCharacters(in: .whitespacesAndNewlines)
        var summary = "\(record.fullName), resident of the care home (\(resident.status.title.lowercased()))"
        if let born = record.dateOfBirth { summary += ", born \(born.display)" }
        return FHIRResource(type: "Patient", id: FHIR.patientID(resident.id), residentID: resident.id, date: nil, summary: summary, [
            "meta": FHIR.meta(profile: "UKCore-Patient"),
            "identifier": identifiers.isEmpty ? nil : .array(identifiers),
            "active": .bool(resident.status.isCurrent),
            "name": .array(names),
            "birthDate": record.dateOfBirth.map(FHIR.date),
            "deceasedBoolean": resident.status == .died ? true : nil,
            "contact": contacts.isEmpty ? nil : .array(contacts),
            "generalPractitioner": practice.isEmpty ? nil : [FHIR.reference("Organization/\(FHIR.practiceID(practice))", display: practice)],
            "managingOrganization": FHIR.home(),
        ])
    }

    /// Each stay: from an admission to leaving or dying (or still open), with time in hospital as "on hold".
    private func stays(_ resident: StoredResident) -> [FHIRResource] {
        var out = [FHIRResource]()
        var current: (admission: StoredMovement, history: [FHIRValue], holdFrom: Day?)?
        func close(end: Day?) {
            guard let stay = current else { return }
            var history = stay.history
            if let from = stay.holdFrom { history.append(["status": "onhold", "period": FHIR.period(start: FHIR.date(from), end: end.map(FHIR.date))]) }
            let open = end == nil
            var summary = "Stay at the care home from \(stay.admission.on.display)"
            summary += end.map { " to \($0.display)" } ?? (stay.holdFrom != nil ? ", now in hospital" : ", continuing")
            out.append(FHIRResource(type: "EpisodeOfCare", id: "stay-\(stay.admission.id)", residentID: resident.id, date: FHIR.instant(stay.admission.on),
                                    summary: summary, [
                "meta": FHIR.meta(profile: "UKCore-EpisodeOfCare"),
                "status": open ? (stay.holdFrom != nil ? "onhold" : "active") : "finished",
                "statusHistory": history.isEmpty ? nil : .array(history),
                "type": [FHIR.text("Care home stay: \(resident.record.admissionType.title.lowercased())")],
                "patient": FHIR.patient(resident.id),
                "managingOrganization": FHIR.home(),
                "period": FHIR.period(start: FHIR.date(stay.admission.on), end: end.map(FHIR.date)),
            ]))
            current = nil
        }
        for movement in resident.movements {
            switch movement.kind {
            case .admitted:
                close(end: movement.on)
                current = (movement, [], nil)
            case .wentToHospital:
                guard current != nil else { continue }
                current?.holdFrom = movement.on
            case .returnedFromHospital:
                guard let from = current?.holdFrom else { continue }
                current?.history.append(["status": "onhold", "period": FHIR.period(start: FHIR.date(from), end: FHIR.date(movement.on))])
                current?.holdFrom = nil
            case .left, .died:
                close(end: movement.on)
            }
        }
        close(end: nil)
        return out
    }
}
