import CareKit
import CareServices
import Foundation

/// Reads CSV text (RFC 4180: quoted cells may hold commas, quotes and line breaks).
enum CSVReader {
    static func rows(_ text: String) -> [[String]] {
        var rows = [[String]]()
        var row = [String]()
        var cell = ""
        var quoted = false
        var chars = Array(text)
        if chars.first == "\u{FEFF}" { chars.removeFirst() }
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < chars.count && chars[i + 1] == "\"" { cell.append("\""); i += 1 } else { quoted = false }
                } else { cell.append(c) }
            } else {
                switch c {
                case "\"": quoted = true
                case ",": row.append(cell); cell = ""
                case "\r\n", "\n", "\r":
                    row.append(cell); cell = ""
                    rows.append(row); row = []
                default: cell.append(c)
                }
            }
            i += 1
        }
        if !cell.isEmpty || !row.isEmpty { row.append(cell); rows.append(row) }
        return rows.filter { !$0.allSatisfy { $0.trimmingWhitespace().isEmpty } }
    }
}

/// The CSV import: every row is checked with the same rules as the form; nothing is saved until
/// the manager confirms, and then every row is saved in one transaction or none is.
struct ResidentImport: Sendable {
    /// One row of the file with what is wrong with it.
    struct Row: Sendable {
        var line: Int
        var input: ResidentInput
        var problems: [String]
        var validated: ResidentInput.Validated?
    }

    /// The whole file, checked.
    struct Preview: Sendable {
        var fileProblems: [String]
        var rows: [Row]
        var isReady: Bool { fileProblems.isEmpty && !rows.isEmpty && rows.allSatisfy { $0.problems.isEmpty } }
        var problemCount: Int { fileProblems.count + rows.reduce(0) { $0 + $1.problems.count } }
    }

    static let requiredColumns = ["full_name", "date_of_birth", "room", "admission_date", "admission_type", "allergies"]

    /// Header text → field key: the key itself or the form's label, ignoring case, spaces, `_` and `-`.
    static func columnKey(_ header: String) -> String? {
        func squash(_ s: String) -> String { s.lowercased().filter { $0.isLetter || $0.isNumber } }
        let wanted = squash(header)
        var aliases: [String: String] = ["admissiondate": "admission_date", "dateofadmission": "admission_date", "admitted": "admission_date",
                                         "dob": "date_of_birth", "nhsno": "nhs_number", "nextofkin": "nok_name", "dementia": "dementia_type"]
        for field in ResidentRecord.fields {
            aliases[squash(field.key)] = field.key
            aliases[squash(field.label)] = field.key
        }
        return aliases[wanted]
    }

    /// A choice typed in a spreadsheet (`Lewy body`, `Not for CPR`) → the stored value; unknown text is
    /// passed through so that validation reports it.
    static func choice(_ key: String, _ text: String) -> String {
        func squash(_ s: String) -> String { s.lowercased().filter { $0.isLetter || $0.isNumber } }
        let t = squash(text)
        var options: [(String, [String])] = []
        switch key {
        case "admission_type": options = AdmissionType.allCases.map { ($0.rawValue, [$0.title, "d2a"]) }
        case "dementia_type":
            // An empty cell is "not recorded"; a stated "no" or "none" is "no dementia" (checked first:
            // the stored value of "not recorded" is also spelt `none`).
            options = [("no-dementia", ["no", "nodementia", "none"]), ("none", ["", "notrecorded", "notknown"])]
            options += DementiaType.allCases.map { ($0.rawValue, [$0.title]) }
            options += [("alzheimers", ["alzheimer", "ad"]), ("lewy-body", ["lewybody", "dlb", "lewy"]),
                        ("parkinsons", ["pdd", "parkinsonsdementia", "parkinsonsdiseasedementia"]), ("vascular", ["vasculardementia"])]
        case "plan_kind": options = PlanKind.allCases.map { ($0.rawValue, [$0.title, "respectform", "acp"]) }
        case "plan_cpr": options = CPRRecommendation.allCases.map { ($0.rawValue, [$0.title, $0 == .notForCPR ? "dnacpr" : "-"]) }
        case "plan_hospital": options = HospitalTransfer.allCases.map { ($0.rawValue, [$0.title, $0 == .wanted ? "yes" : $0 == .notWanted ? "no" : "-"]) }
        case "plan_priority": options = CarePriority.allCases.map { ($0.rawValue, [$0.title]) }
        case "plan_exists", "nhs_verified":
            if ["yes", "y", "true", "1"].contains(t) { return "yes" }
            if ["no", "n", "false", "0", ""].contains(t) { return "no" }
            return text
        default: return text
        }
        for (raw, names) in options {
            if squash(raw) == t || names.contains(where: { squash($0) == t }) {
                // `acp` only means advance care plan for the kind; `dnacpr` under CPR means not for CPR.
                if key == "plan_kind" && t == "acp" { return PlanKind.advanceCarePlan.rawValue }
                return raw
            }
        }
        return text
    }

    /// Checks the file against the rules and the residents already here (`existingNumbers`: NHS
    /// numbers of current residents).
    static func preview(csv: String, today: Day, existingNumbers: Set<String>) -> Preview {
        let table = CSVReader.rows(csv)
        guard let header = table.first else { return Preview(fileProblems: ["The file is empty."], rows: []) }
        var fileProblems = [String]()
        var keys = [String?]()
        for name in header {
            let key = columnKey(name)
            if key == nil && !name.trimmingWhitespace().isEmpty { fileProblems.append("Column \"\(name)\" is not one this import knows.") }
            keys.append(key)
        }
        for required in requiredColumns where !keys.contains(required) {
            fileProblems.append("The column \"\(required)\" is missing.")
        }
        if table.count < 2 { fileProblems.append("There are no residents below the header row.") }
        var seen = [String: Int]()
        var rows = [Row]()
        let labels = Dictionary(ResidentRecord.fields.map { ($0.key, $0.label) }, uniquingKeysWith: { a, _ in a })
            .merging(["admission_date": "Date of admission"]) { a, _ in a }
        for (index, cells) in table.dropFirst().enumerated() {
            let line = index + 2
            var values = [String: String]()
            for (column, cell) in cells.enumerated() {
                guard column < keys.count, let key = keys[column] else { continue }
                values[key] = choice(key, cell.trimmingWhitespace())
            }
            if cells.count > header.count { fileProblems.append("Row \(line) has more cells than the header.") }
            let input = ResidentInput(values: values)
            var problems = [String]()
            var validated: ResidentInput.Validated?
            switch input.validate(today: today, requireAdmissionDate: true) {
            case .failure(let failure):
                problems = failure.errors.items.map { "\(labels[$0.field] ?? $0.field): \($0.message)" }
            case .success(let valid):
                validated = valid
            }
            // Duplicates are checked for every row with a valid number, whatever else is wrong with it.
            if case .valid(let nhs) = NHSNumber.check(input["nhs_number"]) {
                if existingNumbers.contains(nhs) { problems.append("NHS number: another current resident already has this NHS number") }
                if let earlier = seen[nhs] { problems.append("NHS number: the same number is on row \(earlier)") }
                if seen[nhs] == nil { seen[nhs] = line }
            }
            rows.append(Row(line: line, input: input, problems: problems, validated: problems.isEmpty ? validated : nil))
        }
        return Preview(fileProblems: fileProblems, rows: rows)
    }

    /// Saves every row in one transaction, or nothing (re-checking inside the transaction). Returns
    /// the new ids, or the preview with its problems when anything is wrong.
    static func commit(csv: String, stores: Stores, by principal: Principal, today: Day, at now: Date = Date()) throws -> Result<[Int64], ValidationFailure> {
        do {
            let ids = try stores.residents.database.write { db -> [Int64] in
                let existing = Set(try db.query("""
                    SELECT nhs_number FROM residents_residents WHERE nhs_number IS NOT NULL AND entered_in_error = 0
                        AND status IN ('living-here', 'in-hospital')
                    """).compactMap { $0.string("nhs_number") })
                let preview = preview(csv: csv, today: today, existingNumbers: existing)
                guard preview.isReady else {
                    var errors = FormErrors()
                    errors.add("csv", "The file has \(preview.problemCount) problem(s): nothing was saved.")
                    throw ValidationFailure(errors: errors)
                }
                let calendar = try stores.profiles.load(db).profile.calendar
                var ids = [Int64]()
                for row in preview.rows {
                    guard let valid = row.validated, let admitted = valid.admissionDate else { continue }
                    let tracked = calendar.admissionDeadline(admittedOn: admitted) >= today
                    ids.append(try stores.residents.create(valid.record, admittedOn: admitted, by: principal, at: now, clockTracked: tracked, db))
                }
                return ids
            }
            return .success(ids)
        } catch let failure as ValidationFailure {
            return .failure(failure)
        }
    }
}
