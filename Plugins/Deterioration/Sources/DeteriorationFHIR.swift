import CareKit
import Foundation

/// Observations and soft signs as FHIR Observations: each vital sign with its LOINC code and UCUM unit
/// as FHIR R4's vital signs profiles require, the NEWS2 total with the RCP's SNOMED CT code, and what
/// has no agreed code here (consciousness, air or oxygen, blood glucose, soft signs) in words only.
struct DeteriorationFHIR: FHIRContributor {
    let database: any CareDatabase

    let resourceTypes: Set<String> = ["Observation"]

    /// A vital sign: its LOINC code, the FHIR core profile, the UCUM unit.
    struct Vital {
        let key: String, loinc: String, display: String, profile: String, unit: String, ucum: String
    }
    static let respiration = Vital(key: "resp", loinc: "9279-1", display: "Respiratory rate", profile: "resprate", unit: "breaths/minute", ucum: "/min")
    static let oxygen = Vital(key: "spo2", loinc: "2708-6", display: "Oxygen saturation in Arterial blood", profile: "oxygensat", unit: "%", ucum: "%")
    static let pulse = Vital(key: "pulse", loinc: "8867-4", display: "Heart rate", profile: "heartrate", unit: "beats/minute", ucum: "/min")
    static let temperature = Vital(key: "temp", loinc: "8310-5", display: "Body temperature", profile: "bodytemp", unit: "°C", ucum: "Cel")
    static let weight = Vital(key: "weight", loinc: "29463-7", display: "Body weight", profile: "bodyweight", unit: "kg", ucum: "kg")

    func resources(matching query: FHIRQuery, emit: (FHIRResource) throws -> Bool) throws {
        guard query.wants("Observation") else { return }
        let resident = FHIR.residentFilter(query)
        var condition = "entered_in_error = 0 AND \(resident.sql)"
        var arguments = resident.arguments
        // The date index keeps a search by date to the rows it names.
        if let from = query.from { condition += " AND {time} >= ?"; arguments.append(SQLValue(from)) }
        if let to = query.to { condition += " AND {time} < ?"; arguments.append(SQLValue(to)) }
        var keepGoing = true
        if let row = FHIR.rowFilter(query, prefix: "obs-") {
            try FHIR.emitRows(from: database, select: "SELECT * FROM deterioration_observations",
                              where: condition.replacingOccurrences(of: "{time}", with: "taken_at") + " AND \(row.sql)", arguments: arguments + row.arguments,
                              make: observations, emit: { resource in keepGoing = try emit(resource); return keepGoing })
        }
        guard keepGoing, let row = FHIR.rowFilter(query, prefix: "soft-") else { return }
        try FHIR.emitRows(from: database, select: "SELECT * FROM deterioration_soft_signs",
                          where: condition.replacingOccurrences(of: "{time}", with: "noticed_at") + " AND \(row.sql)", arguments: arguments + row.arguments,
                          make: { row in [try softSigns(row)] }, emit: emit)
    }

    func observations(_ row: SQLRow) throws -> [FHIRResource] {
        let id = try row.requiredInt64("id")
        let resident = try row.requiredInt64("resident_id")
        let taken = try row.requiredDate("taken_at")
        let recorder = row.int64("recorded_by_id").flatMap { $0 > 0 ? FHIR.practitioner(userID: $0, name: row.string("recorded_by_name") ?? "") : nil }
        func observation(_ key: String, summary: String, profiles: [String], category: String?, code: FHIRValue, value: (String, FHIRValue)?,
                         component: FHIRValue? = nil) -> FHIRResource {
            var elements: FHIRValue = [
                "meta": ["profile": .array(profiles.map(FHIRValue.string))],
                "status": "final",
                "category": category.map { [FHIR.concept(system: "http://terminology.hl7.org/CodeSystem/observation-category", code: $0,
                                                         display: $0 == "vital-signs" ? "Vital Signs" : ($0 == "survey" ? "Survey" : "Exam"))] },
                "code": code,
                "subject": FHIR.patient(resident),
                "effectiveDateTime": FHIR.dateTime(taken),
                "performer": recorder.map { [$0] },
            ]
            if let value { elements = elements.setting(value.0, value.1) }
            if let component { elements = elements.setting("component", component) }
            return FHIRResource(type: "Observation", id: "obs-\(id)-\(key)", residentID: resident, date: taken, summary: summary, elements)
        }
        func vital(_ vital: Vital, _ value: FHIRValue, words: String) -> FHIRResource {
            observation(vital.key, summary: "\(vital.display): \(words) \(vital.unit) at \(Timestamp.format(taken))",
                        profiles: [FHIR.ukCoreProfileBase + "UKCore-Observation", "http://hl7.org/fhir/StructureDefinition/\(vital.profile)"],
                        category: "vital-signs", code: FHIR.concept(system: FHIR.loinc, code: vital.loinc, display: vital.display),
                        value: ("valueQuantity", ["value": value, "unit": .string(vital.unit), "system": .string(FHIR.ucum), "code": .string(vital.ucum)]))
        }
        let base = [FHIR.ukCoreProfileBase + "UKCore-Observation"]
        var out = [FHIRResource]()
        if let total = row.int("news2_total") {
            out.append(observation("news2", summary: "NEWS2 total score \(total) (scale \(row.int("scale") ?? 1) for oxygen saturation) at \(Timestamp.format(taken))",
                                   profiles: base, category: "survey",
                                   code: FHIR.concept(system: FHIR.snomed, code: "1104051000000101",
                                                      display: "Royal College of Physicians NEWS2 (National Early Warning Score 2) total score",
                                                      text: "NEWS2 total score"),
                                   value: ("valueInteger", .integer(total))))
        }
        if let value = row.int("respiration") { out.append(vital(Self.respiration, .integer(value), words: "\(value)")) }
        if let value = row.int("spo2") { out.append(vital(Self.oxygen, .integer(value), words: "\(value)")) }
        if let onOxygen = row.bool("on_oxygen") {
            let words = onOxygen ? "Supplemental oxygen" : "Air"
            out.append(observation("o2", summary: "Breathing: \(words.lowercased())", profiles: base, category: nil,
                                   code: FHIR.text("Air or supplemental oxygen (NEWS2)"), value: ("valueCodeableConcept", FHIR.text(words))))
        }
        if let systolic = row.int("systolic") {
            let diastolic = row.int("diastolic")
            var components: [FHIRValue] = [[
                "code": FHIR.concept(system: FHIR.loinc, code: "8480-6", display: "Systolic blood pressure"),
                "valueQuantity": ["value": .integer(systolic), "unit": "mmHg", "system": .string(FHIR.ucum), "code": "mm[Hg]"],
            ]]
            if let diastolic {
                components.append([
                    "code": FHIR.concept(system: FHIR.loinc, code: "8462-4", display: "Diastolic blood pressure"),
                    "valueQuantity": ["value": .integer(diastolic), "unit": "mmHg", "system": .string(FHIR.ucum), "code": "mm[Hg]"],
                ])
            }
            out.append(observation("bp", summary: "Blood pressure \(systolic)\(diastolic.map { "/\($0)" } ?? "") mmHg at \(Timestamp.format(taken))",
                                   profiles: base + ["http://hl7.org/fhir/StructureDefinition/bp"], category: "vital-signs",
                                   code: FHIR.concept(system: FHIR.loinc, code: "85354-9", display: "Blood pressure panel with all children optional",
                                                      text: "Blood pressure"),
                                   value: nil, component: .array(components)))
        }
        if let value = row.int("pulse") { out.append(vital(Self.pulse, .integer(value), words: "\(value)")) }
        if let level = row.string("consciousness").flatMap(NEWS2.Consciousness.init(rawValue:)) {
            out.append(observation("acvpu", summary: "Consciousness (ACVPU): \(level.title)", profiles: base, category: "exam",
                                   code: FHIR.text("Level of consciousness (ACVPU, NEWS2)"), value: ("valueCodeableConcept", FHIR.text(level.title))))
        }
        if let value = row.double("temperature") {
            out.append(vital(Self.temperature, .decimal(value), words: String(format: "%.1f", value)))
        }
        if let value = row.double("glucose") {
            out.append(observation("glucose", summary: "Blood glucose \(value) mmol/L", profiles: base, category: nil,
                                   code: FHIR.text("Capillary blood glucose"),
                                   value: ("valueQuantity", ["value": .decimal(value), "unit": "mmol/L", "system": .string(FHIR.ucum), "code": "mmol/L"])))
        }
        if let value = row.double("weight") { out.append(vital(Self.weight, .decimal(value), words: String(format: "%.1f", value))) }
        return out
    }

    func softSigns(_ row: SQLRow) throws -> FHIRResource {
        let id = try row.requiredInt64("id")
        let resident = try row.requiredInt64("resident_id")
        let noticed = try row.requiredDate("noticed_at")
        let signs = (row.string("signs") ?? "").split(separator: ",").compactMap { SoftSign(rawValue: String($0)) }.map(\.title)
        let words = signs.isEmpty ? "None named" : signs.joined(separator: "; ")
        let recorder = row.int64("recorded_by_id").flatMap { $0 > 0 ? FHIR.practitioner(userID: $0, name: row.string("recorded_by_name") ?? "") : nil }
        return FHIRResource(type: "Observation", id: "soft-\(id)", residentID: resident, date: noticed, summary: "Soft signs of deterioration: \(words)", [
            "meta": FHIR.meta(profile: "UKCore-Observation"),
            "status": "final",
            "code": FHIR.text("Soft signs of deterioration (the care home's own list)"),
            "subject": FHIR.patient(resident),
            "effectiveDateTime": FHIR.dateTime(noticed),
            "performer": recorder.map { [$0] },
            "valueString": .string(words),
            "note": FHIR.note(row.string("notes") ?? ""),
        ])
    }
}
