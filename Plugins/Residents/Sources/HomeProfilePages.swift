import CareKit

/// The home profile: seen by the care team, edited by the manager.
struct HomeProfilePages: Sendable {
    let context: PluginContext
    let stores: Stores
    let today: @Sendable () -> Day

    /// What the manager typed.
    struct Input {
        var values: [String: String]
        subscript(key: String) -> String { values[key] ?? "" }

        static let keys = ["name", "cqc_location_id", "pcn_name", "pcn_ods_code", "lead_name", "lead_role", "lead_contact",
                           "gp_practices", "round_day", "extra_days"]

        init(form: FormData) {
            values = [:]
            for key in Input.keys { values[key] = form[key] ?? "" }
        }

        init(profile p: HomeProfileRecord) {
            values = ["name": p.name, "cqc_location_id": p.cqcLocationID, "pcn_name": p.pcnName, "pcn_ods_code": p.pcnODSCode,
                      "lead_name": p.clinicalLeadName, "lead_role": p.clinicalLeadRole, "lead_contact": p.clinicalLeadContact,
                      "gp_practices": p.gpPractices.joined(separator: "\n"), "round_day": p.roundDay.map { String($0.rawValue) } ?? "",
                      "extra_days": p.extraNonWorkingDays.map { "\($0.day.iso) \($0.reason)" }.joined(separator: "\n")]
        }

        /// The profile, or the messages to show beside the fields.
        func validate() -> Result<HomeProfileRecord, ValidationFailure> {
            var errors = FormErrors()
            var p = HomeProfileRecord()
            p.name = self["name"]
            if p.name.isEmpty { errors.add("name", "Enter the home's name") }
            p.cqcLocationID = self["cqc_location_id"]
            if !p.cqcLocationID.isEmpty && !p.cqcLocationID.hasPrefix("1-") {
                errors.add("cqc_location_id", "A CQC location id starts with 1- (for example 1-123456789)")
            }
            p.pcnName = self["pcn_name"]
            p.pcnODSCode = self["pcn_ods_code"].uppercased()
            if !p.pcnODSCode.isEmpty && !(p.pcnODSCode.count == 6 && p.pcnODSCode.allSatisfy { $0.isLetter || $0.isNumber }) {
                errors.add("pcn_ods_code", "A PCN's ODS code is 6 letters and digits (for example U12345)")
            }
            p.clinicalLeadName = self["lead_name"]
            p.clinicalLeadRole = self["lead_role"]
            p.clinicalLeadContact = self["lead_contact"]
            p.gpPractices = self["gp_practices"].split(separator: "\n").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
            if !self["round_day"].isEmpty {
                if let n = Int(self["round_day"]), let day = Weekday(rawValue: n) { p.roundDay = day }
                else { errors.add("round_day", "Choose a day of the week") }
            }
            for (index, line) in self["extra_days"].split(separator: "\n").enumerated() {
                let text = String(line).trimmingWhitespace()
                guard !text.isEmpty else { continue }
                let parts = text.split(separator: " ", maxSplits: 1)
                guard let first = parts.first, let day = Day(parsing: String(first)) else {
                    errors.add("extra_days", "Line \(index + 1) (\"\(text)\") does not start with a real date: write it as 2026-12-24 Staff training day")
                    continue
                }
                let reason = parts.count > 1 ? String(parts[1]).trimmingWhitespace() : ""
                p.extraNonWorkingDays.append(.init(day: day, reason: reason.isEmpty ? "The home's non-working day" : reason))
            }
            p.extraNonWorkingDays.sort { $0.day < $1.day }
            if !errors.isEmpty { return .failure(ValidationFailure(errors: errors)) }
            return .success(p)
        }
    }

    func show(_ request: Request) throws -> Response {
        let profile = try stores.profiles.load()
        let year = today().year
        var body: HTML = ""
        if Access.manage.contains(request.principal.role) { body += "<p class=\"residents-actions\">\(UI.buttonLink("Edit the home profile", to: "/home-profile/edit"))</p>" }
        if profile.name.isEmpty { body += UI.banner(.warning, title: "The home profile has not been filled in yet") }
        body += UI.summaryList([
            ("Home", "\(profile.name)"),
            ("CQC location id", "\(profile.cqcLocationID)"),
            ("Primary care network", "\(profile.pcnName)\(profile.pcnODSCode.isEmpty ? "" : " (\(profile.pcnODSCode))")"),
            ("Named clinical lead", "\([profile.clinicalLeadName, profile.clinicalLeadRole, profile.clinicalLeadContact].filter { !$0.isEmpty }.joined(separator: ", "))"),
            ("GP practices", Parts.multiline(profile.gpPractices.joined(separator: "\n"))),
            ("Weekly home round", "\(profile.roundDay?.name ?? "Not set")"),
        ])
        body += UI.section("Days not counted as working days",
                           "<p>Weekends, the bank holidays of England and Wales and the home's own days are skipped when the 7-working-day deadline is worked out.</p>"
                           + UI.table(caption: "Non-working days in \(year) and \(year + 1) (weekends not listed)", headers: ["Day", "What", "Kind"],
                                      rows: sortedByDay(profile: profile, years: [year, year + 1])))
        let versions = try stores.profiles.versions().map { v -> [HTML] in
            ["\(v.version)", "\(v.changedAt.map(HomeTime.display) ?? "")", "\(v.changedBy)", Parts.multiline(v.summary, empty: "")]
        }
        body += UI.section("History", UI.table(caption: "Changes to the home profile", headers: ["Version", "When", "Who", "What changed"],
                                               rows: versions, emptyMessage: "No changes yet."))
        return .page(Page(title: "Home profile", containsPersonalData: false, body: body))
    }

    func sortedByDay(profile: HomeProfileRecord, years: [Int]) -> [[HTML]] {
        var items: [(Day, String, String)] = []
        for year in years { for h in WorkingCalendar.bankHolidays(in: year) { items.append((h.day, h.name, "Bank holiday")) } }
        for e in profile.extraNonWorkingDays where years.contains(e.day.year) { items.append((e.day, e.reason, "The home's own day")) }
        return items.sorted { $0.0 < $1.0 }.map { ["\($0.0.display)", "\($0.1)", "\($0.2)"] }
    }

    func form(_ request: Request, input: Input, version: Int64, errors: FormErrors) -> HTML {
        func text(_ key: String, _ label: String, hint: String? = nil, required: Bool = false) -> HTML {
            Form.input(key, label: label, value: input[key], errors: errors, hint: hint, required: required)
        }
        return """
        \(Form.errorSummary(errors))\(Form.start(action: "/home-profile/edit", request: request))\
        <input type="hidden" name="version" value="\(version)">\
        \(text("name", "Home name", required: true))\
        \(text("cqc_location_id", "CQC location id", hint: "For example 1-123456789"))\
        \(text("pcn_name", "Aligned primary care network"))\
        \(text("pcn_ods_code", "PCN ODS code", hint: "For example U12345"))\
        \(text("lead_name", "Named clinical lead"))\
        \(text("lead_role", "Clinical lead's role", hint: "For example GP, advanced nurse practitioner"))\
        \(text("lead_contact", "Clinical lead's contact", hint: "Telephone or NHSmail address"))\
        \(Form.textarea("gp_practices", label: "GP practices", value: input["gp_practices"], errors: errors, hint: "One per line", rows: 3))\
        \(Form.select("round_day", label: "Day of the weekly home round", options: Weekday.allCases.map { (String($0.rawValue), $0.name) },
                      selected: input["round_day"], errors: errors, placeholder: "Not set"))\
        \(Form.textarea("extra_days", label: "The home's extra non-working days", value: input["extra_days"], errors: errors,
                        hint: "One per line: the date, then what it is. For example: 2026-12-24 Christmas Eve. Bank holidays are already counted.", rows: 4))\
        \(Form.submit("Save the home profile"))\(Form.end)
        """
    }

    func editForm(_ request: Request) throws -> Response {
        let (profile, version) = try context.database.read { try stores.profiles.load($0) }
        return .page(Page(title: "Edit the home profile", breadcrumbs: [("Home profile", "/home-profile")], containsPersonalData: false,
                          body: form(request, input: Input(profile: profile), version: version, errors: FormErrors())))
    }

    func save(_ request: Request) throws -> Response {
        let input = Input(form: request.form)
        let version = Int64(request.form["version"] ?? "") ?? 0
        switch input.validate() {
        case .failure(let failure):
            return .page(Page(title: "Edit the home profile", breadcrumbs: [("Home profile", "/home-profile")], containsPersonalData: false,
                              body: form(request, input: input, version: version, errors: failure.errors)), status: 422)
        case .success(let profile):
            try stores.profiles.save(profile, expectedVersion: version, by: request.principal)
            context.audit.record(request, .amend, residentID: nil, detail: "home profile saved")
            return .redirect(to: "/home-profile", flash: "Home profile saved")
        }
    }
}
