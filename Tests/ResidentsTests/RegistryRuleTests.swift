import Testing
import CareKit
import CareServices
@testable import ResidentsPlugin

@Suite("NHS number Modulus 11 check (RES-NHS-MOD11)")
struct NHSNumberTests {
    @Test("a valid number passes, typed with or without spaces")
    func valid() {
        #expect(NHSNumber.check("943 476 5919") == .valid("9434765919"))
        #expect(NHSNumber.check("9434765919") == .valid("9434765919"))
        #expect(NHSNumber.check("999-100-0003") == .valid("9991000003"))
    }

    @Test("a wrong last digit is refused with a message that says so")
    func wrongCheckDigit() {
        guard case .invalid(let message) = NHSNumber.check("943 476 5910") else { Issue.record("accepted"); return }
        #expect(message.contains("last digit"))
    }

    @Test("a remainder giving check digit 10 can never be valid")
    func checkTen() {
        #expect(NHSNumber.checkDigit(ofFirstNine: [9, 9, 9, 0, 0, 0, 0, 0, 0]) == nil)
        guard case .invalid(let message) = NHSNumber.check("9990000000") else { Issue.record("accepted"); return }
        #expect(message.contains("no real NHS number"))
    }

    @Test("wrong length and letters are explained")
    func shape() {
        #expect(NHSNumber.check("943 476 591") == .invalid("An NHS number is 10 digits: you entered 9"))
        guard case .invalid(let letters) = NHSNumber.check("94347659l9") else { Issue.record("accepted"); return }
        #expect(letters.contains("letters"))
        guard case .invalid = NHSNumber.check("0000000000") else { Issue.record("all zeros accepted"); return }
    }
}

@Suite("Resident input validation")
struct ResidentInputTests {
    let today = Day(year: 2026, month: 11, day: 23)!

    func input(_ changes: [String: String] = [:]) -> ResidentInput {
        var values = ["full_name": "Margaret Ann Hughes", "preferred_name": "Peggy", "date_of_birth": "1938-03-12", "room": "12",
                      "admission_date": "2026-11-18", "admission_type": "permanent", "allergies": "None known", "plan_exists": "no"]
        for (k, v) in changes { values[k] = v }
        return ResidentInput(values: values)
    }

    func errors(_ changes: [String: String]) -> FormErrors {
        if case .failure(let failure) = input(changes).validate(today: today, requireAdmissionDate: true) { return failure.errors }
        return FormErrors()
    }

    @Test("a complete input becomes a record")
    func valid() throws {
        let valid = try input().validate(today: today, requireAdmissionDate: true).get()
        #expect(valid.record.displayName == "Peggy Hughes")
        #expect(valid.admissionDate == Day(year: 2026, month: 11, day: 18))
    }

    @Test("dementia left unanswered is 'not recorded', a different value from 'no dementia'; the page asks for it and flags diagnoses that disagree (RES-DEM-1)")
    func dementiaNotRecordedIsNotNo() throws {
        #expect(try input().validate(today: today, requireAdmissionDate: true).get().record.dementia == .notRecorded)
        #expect(try input(["dementia_type": "no-dementia"]).validate(today: today, requireAdmissionDate: true).get().record.dementia == .noDementia)
        // A spreadsheet import: a blank cell is not recorded; a stated "No" or "None" is no dementia.
        #expect(ResidentImport.choice("dementia_type", "") == DementiaType.notRecorded.rawValue)
        #expect(ResidentImport.choice("dementia_type", "No") == DementiaType.noDementia.rawValue)
        #expect(ResidentImport.choice("dementia_type", "None") == DementiaType.noDementia.rawValue)
        #expect(ResidentImport.choice("dementia_type", "Alzheimer's") == DementiaType.alzheimers.rawValue)
        var record = try input().validate(today: today, requireAdmissionDate: true).get().record
        #expect(ResidentPages.dementiaNote(record).rendered.contains("Record whether they have dementia"))
        record.diagnoses = "Alzheimer's disease"
        #expect(ResidentPages.dementiaNote(record).rendered.contains("The key diagnoses mention Alzheimer&#39;s disease"))
        record.dementia = .noDementia
        #expect(ResidentPages.dementiaNote(record).rendered.contains("but this says no dementia"))
        record.dementia = .alzheimers
        #expect(ResidentPages.dementiaNote(record).rendered.isEmpty)
    }

    @Test("each bad input names its field")
    func badInputs() {
        #expect(errors(["date_of_birth": "2027-01-01"])["date_of_birth"] == "Date of birth must be today or in the past")
        #expect(errors(["admission_date": "1930-01-01"])["admission_date"] == "Admission date is before the date of birth")
        #expect(errors(["date_of_birth": "31/02/1940"])["date_of_birth"]?.contains("real date") == true)
        #expect(errors(["full_name": ""])["full_name"] == "Enter the resident's full name")
        #expect(errors(["nhs_number": "943 476 5910"])["nhs_number"]?.contains("last digit") == true)
        #expect(errors(["plan_exists": "yes"])["plan_kind"] != nil)
        #expect(errors(["nhs_verified": "yes"])["nhs_verified"] != nil)
    }

    @Test("verified is stored separately from the checksum")
    func verifiedFlag() throws {
        let unverified = try input(["nhs_number": "9434765919"]).validate(today: today, requireAdmissionDate: true).get().record
        #expect(unverified.nhsNumber == "9434765919" && !unverified.nhsVerified)
        let verified = try input(["nhs_number": "9434765919", "nhs_verified": "yes"]).validate(today: today, requireAdmissionDate: true).get().record
        #expect(verified.nhsVerified)
    }

    @Test("a stored version reads back whole, and an older version without newer fields still reads")
    func snapshotRoundTrip() throws {
        let record = try input(["nhs_number": "9434765919", "dementia_type": "lewy-body", "plan_exists": "yes", "plan_kind": "respect",
                                "plan_cpr": "not-for-cpr", "plan_hospital": "wanted", "plan_priority": "balance"])
            .validate(today: today, requireAdmissionDate: true).get().record
        #expect(try JSONCoding.decode(ResidentRecord.self, record.snapshot()) == record)
        let old = try JSONCoding.decode(ResidentRecord.self, #"{"fullName":"Edna Rose Williams","room":"5"}"#)
        #expect(old.fullName == "Edna Rose Williams" && old.room == "5" && old.dementia == .notRecorded && !old.planExists)
    }

    @Test("the history lists what changed, field by field")
    func changes() throws {
        let before = try input().validate(today: today, requireAdmissionDate: true).get().record
        var after = before
        after.room = "14"
        after.dementia = .lewyBody
        #expect(after.changes(from: before) == ["Room: 12 → 14", "Dementia: Not recorded yet → Dementia with Lewy bodies"])
    }
}

@Suite("Occupancy from movements")
struct OccupancyTests {
    func d(_ m: Int, _ day: Int) -> Day { Day(year: 2026, month: m, day: day)! }

    func movement(_ kind: ResidentMovement.Kind, _ on: Day, id: Int64) throws -> StoredMovement {
        try StoredMovement(row: SQLRow(columns: ["id", "resident_id", "kind", "on_day", "place", "note", "clock_tracked", "recorded_at",
                                                 "recorded_by", "entered_in_error", "error_reason", "error_by"],
                                       values: [.integer(id), .integer(1), .text(kind.rawValue), .text(on.iso), "", "", 1, .null, "", 0, .null, .null]))
    }

    @Test("a night counts when the resident is here at midnight: admission day yes, hospital and leaving days no")
    func nights() throws {
        let moves = [try movement(.admitted, d(11, 1), id: 1), try movement(.wentToHospital, d(11, 10), id: 2),
                     try movement(.returnedFromHospital, d(11, 14), id: 3), try movement(.died, d(11, 20), id: 4)]
        // 1–9 Nov (9 nights), 14–19 Nov (6 nights).
        #expect(MovementRules.nightsPresent(from: d(11, 1), to: d(11, 30), movements: moves) == 15)
        #expect(MovementRules.nightsPresent(from: d(11, 10), to: d(11, 13), movements: moves) == 0)
        #expect(MovementRules.isPresent(on: d(11, 1), movements: moves))
        #expect(!MovementRules.isPresent(on: d(11, 10), movements: moves))
        #expect(MovementRules.isPresent(on: d(11, 14), movements: moves))
        #expect(!MovementRules.isPresent(on: d(11, 20), movements: moves))
        #expect(MovementRules.nightsPresent(from: d(10, 1), to: d(10, 31), movements: moves) == 0)
    }

    @Test("still here: nights up to the end of the period")
    func ongoing() throws {
        let moves = [try movement(.admitted, d(11, 20), id: 1)]
        #expect(MovementRules.nightsPresent(from: d(11, 1), to: d(11, 23), movements: moves) == 4)
    }

    @Test("movements allowed from each status")
    func transitions() {
        #expect(MovementRules.allowed(from: .livingHere) == [.wentToHospital, .left, .died])
        #expect(MovementRules.allowed(from: .inHospital).contains(.returnedFromHospital))
        #expect(MovementRules.allowed(from: .died).isEmpty)
    }
}
