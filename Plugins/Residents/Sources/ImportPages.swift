import CareKit

/// The CSV import pages: upload or paste, preview every row's problems, confirm.
struct ImportPages: Sendable {
    let pages: ResidentPages
    var context: PluginContext { pages.context }
    var stores: Stores { pages.stores }

    static let exampleHeader = "full_name,preferred_name,date_of_birth,nhs_number,nhs_verified,room,admission_date,admission_type,gp_practice,nok_name,nok_relationship,nok_phone,lpa_name,lpa_phone,communication_needs,allergies,diagnoses,dementia_type,what_matters,plan_exists,plan_kind,plan_date,plan_location,plan_cpr,plan_hospital,plan_priority"

    func formBody(_ request: Request, csv: String, errors: FormErrors) -> HTML {
        let start = Form.startUpload(action: "/residents/import", request: request)
        return """
        <p>When the home starts using the appliance, bring its residents in from a spreadsheet saved as CSV. \
        Nothing is saved until you have seen every row's problems and confirmed; then every row is saved, or none.</p>\
        <p>The first row names the columns. Required: full_name, date_of_birth, room, admission_date, admission_type, allergies. \
        Dates as 23/11/1940 or 1940-11-23. Every column the form has can be used:</p>\
        <pre class="residents-example">\(ImportPages.exampleHeader)</pre>\
        <p>Residents whose 7-working-day window has already closed are imported without a clock (it was not tracked here).</p>\
        \(Form.errorSummary(errors))\(start)\
        <div class="field"><label for="f-file">CSV file</label><input type="file" id="f-file" name="file" accept=".csv,text/csv"></div>\
        \(Form.textarea("csv", label: "Or paste the CSV here", value: csv, errors: errors, rows: 8))\
        \(Form.submit("Check the file"))\(Form.end)
        """
    }

    func form(_ request: Request) throws -> Response {
        .page(title: "Import residents from CSV", breadcrumbs: [("Residents", "/residents")], formBody(request, csv: "", errors: FormErrors()))
    }

    func previewPage(_ request: Request, csv: String, preview: ResidentImport.Preview, status: Int, notice: HTML = .empty) -> Response {
        var body = notice
        if !preview.fileProblems.isEmpty {
            body += UI.banner(.danger, title: "The file cannot be imported", "<ul>\(preview.fileProblems.map { p -> HTML in "<li>\(p)</li>" })</ul>")
        }
        let rows = preview.rows.map { row -> [HTML] in
            let problems: HTML = row.problems.isEmpty ? UI.tag("Ready", colour: "green")
                : "<ul class=\"residents-problems\">\(row.problems.map { p -> HTML in "<li>\(p)</li>" })</ul>"
            return ["\(row.line)", "\(row.input["full_name"])", "\(row.input["room"])", "\(row.input["admission_date"])", problems]
        }
        body += UI.table(caption: "\(preview.rows.count) row(s), \(preview.problemCount) problem(s)",
                         headers: ["Row", "Full name", "Room", "Admitted", "Problems"], rows: rows, emptyMessage: "No rows.")
        if preview.isReady {
            body += """
            \(UI.banner(.info, title: "Every row is ready. Nothing has been saved yet."))\
            \(Form.start(action: "/residents/import/confirm", request: request))\
            <textarea name="csv" hidden readonly>\(csv)</textarea>\
            \(Form.submit("Import \(preview.rows.count) resident(s)"))\(Form.end)
            """
        } else {
            body += UI.banner(.warning, title: "Nothing has been saved", "<p>Correct the spreadsheet and check it again.</p>")
            body += formBody(request, csv: csv, errors: FormErrors())
        }
        return .page(title: "Import residents: check", status: status, breadcrumbs: [("Residents", "/residents"), ("Import", "/residents/import")], body)
    }

    func csvText(_ request: Request) -> String {
        if let file = request.form.files.first(where: { $0.field == "file" }), !file.bytes.isEmpty {
            return String(decoding: file.bytes, as: UTF8.self)
        }
        return request.form.fields["csv"]?.first ?? ""
    }

    func existingNumbers() throws -> Set<String> {
        Set(try stores.residents.residents(statuses: [.livingHere, .inHospital]).compactMap(\.record.nhsNumber))
    }

    func preview(_ request: Request) throws -> Response {
        let csv = csvText(request)
        guard !csv.trimmingWhitespace().isEmpty else {
            var errors = FormErrors()
            errors.add("csv", "Choose a CSV file or paste the CSV")
            return .page(title: "Import residents from CSV", status: 422, breadcrumbs: [("Residents", "/residents")], formBody(request, csv: csv, errors: errors))
        }
        let preview = ResidentImport.preview(csv: csv, today: pages.today(), existingNumbers: try existingNumbers())
        return previewPage(request, csv: csv, preview: preview, status: preview.isReady ? 200 : 422)
    }

    func confirm(_ request: Request) throws -> Response {
        let csv = request.form.fields["csv"]?.first ?? ""
        switch try ResidentImport.commit(csv: csv, stores: stores, by: request.principal, today: pages.today()) {
        case .success(let ids):
            for id in ids { context.audit.record(request, .create, residentID: id, detail: "resident imported from CSV") }
            context.log.info("residents.imported", ["import.count": String(ids.count)])
            return .redirect(to: "/residents", flash: "\(ids.count) resident(s) imported")
        case .failure(let failure):
            let preview = ResidentImport.preview(csv: csv, today: pages.today(), existingNumbers: try existingNumbers())
            return previewPage(request, csv: csv, preview: preview, status: 422,
                               notice: UI.banner(.danger, title: failure.errors["csv"] ?? "Nothing was saved"))
        }
    }
}
