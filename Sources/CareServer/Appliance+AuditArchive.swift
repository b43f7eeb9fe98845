import CareHTTP
import CareKit
import CareStore
import Foundation

/// The audit trail's archive on the manager's audit page: the retention, what is archived, a search of the
/// archive (`/audit/archive`) and the change of retention (`POST /audit/retention`, manager only, CSRF-checked
/// by the pipeline, audited).
extension Appliance {
    /// The "Archive" section under the audit trail's entries, and a line for the top of the page saying
    /// where older entries are: a few indexed reads whatever the trail's size.
    func auditArchiveSection(_ request: Request, errors: FormErrors, filterQuery: String) throws -> (note: HTML, section: HTML) {
        let months = try AuditArchive.keepLiveMonths(pool: home.pool)
        let summary = try AuditArchive.summary(pool: home.pool)
        let note: HTML = summary.segments == 0 ? .empty : """
            <p>This list starts on \(summary.oldestLiveAt.map(HomeTime.display) ?? "—"); older entries are in the \
            <a href="#archive">archive</a> (<a href="/audit/archive\(filterQuery)">search it</a>).</p>
            """
        let live = summary.oldestLiveAt.map { "the oldest recorded \(HomeTime.display($0))" } ?? "none yet"
        let archived: HTML = summary.segments == 0
            ? "<p>Nothing has been archived yet: every entry is in the list above.</p>"
            : """
            <p>\(Appliance.count(summary.archivedEntries)) entries recorded from \(summary.oldestArchived.map { HomeTime.day(of: $0).displayShort } ?? "—") \
            to \(summary.newestArchived.map { HomeTime.day(of: $0).displayShort } ?? "—"), in \(summary.segments) compressed \
            segment\(summary.segments == 1 ? "" : "s") (\(String(format: "%.1f", Double(summary.compressedBytes) / 1_048_576)) MB).
            <a href="/audit/archive\(filterQuery)">Search the archive</a></p>
            """
        // A value sent and refused is shown again as typed.
        let typed = request.method == .post ? request.form["keep_months"] : nil
        return (note, """
        <h2 id="archive">Archive</h2>
        <p>Entries older than <strong>\(months) months</strong> move into the archive once a day. Archived entries are kept \
        (the appliance never deletes them), can be searched, and are checked with the rest of the trail.</p>
        <p>In the list above: \(Appliance.count(summary.liveEntries)) entries, \(live).</p>
        \(archived)
        \(Form.errorSummary(errors))\(Form.start(action: "/audit/retention", request: request))
        \(Form.input("keep_months", label: "Months to keep in the list above before archiving", value: typed ?? String(months), errors: errors,
                     hint: "A whole number from \(AuditArchive.keepLiveRange.lowerBound) to \(AuditArchive.keepLiveRange.upperBound). Changing it is recorded in the audit trail.",
                     width: "4", inputmode: "numeric"))
        \(Form.submit("Save", kind: "secondary"))\(Form.end)
        """)
    }

    /// `POST /audit/retention`: the manager changes how long entries stay live.
    func changeAuditRetention(_ request: Request) throws -> Response {
        var errors = FormErrors()
        let text = (request.form["keep_months"] ?? "").trimmingCharacters(in: .whitespaces)
        let range = AuditArchive.keepLiveRange
        guard let months = Int(text), range.contains(months) else {
            errors.add("keep_months", text.isEmpty
                ? "Enter how many months to keep, from \(range.lowerBound) to \(range.upperBound)."
                : "Enter a whole number of months from \(range.lowerBound) to \(range.upperBound), such as 24.")
            return try auditPage(request, retentionErrors: errors, status: 422)
        }
        let before = try AuditArchive.keepLiveMonths(pool: home.pool)
        try AuditArchive.setKeepLiveMonths(months, pool: home.pool)
        audit.record(AuditEntry(userID: request.principal.userID, username: request.principal.username, address: request.remoteAddress, source: "core",
                                action: "audit-retention-changed", detail: "entries archived after \(months) months (was \(before))"), durable: true)
        return .redirect(to: "/audit#archive", flash: "Entries will move to the archive after \(months) months, from the next daily run.")
    }

    /// `GET /audit/archive`: archived entries matching the audit page's filters, a page at a time, saying
    /// which period each page looked through.
    func auditArchivePage(_ request: Request) throws -> Response {
        let filter = auditFilter(request)
        let before = request.query.nonEmpty("before").flatMap { Int64($0) }
        let archive = AuditArchive(pool: home.pool, anchor: audit.anchor)
        let summary = try AuditArchive.summary(pool: home.pool)
        let query = request.query
        let filters = query.fields.filter { $0.key != "before" }.sorted { $0.key < $1.key }.flatMap { key, values in values.map { (key, $0) } }
        let filterQuery = Appliance.queryString(HTTPRequest(method: "GET", path: "", query: filters))
        let form = Appliance.auditFilterForm(action: "/audit/archive", query: query, submit: "Search the archive")
        guard summary.segments > 0 else {
            return .page(Page(title: "Archived audit entries", breadcrumbs: [("Audit trail", "/audit")], body: """
                <p>Nothing has been archived yet: every entry is on the <a href="/audit\(filterQuery)">audit trail page</a>.</p>
                """))
        }
        let page = try archive.search(filter, before: before, limit: Appliance.auditPageSize)
        let to = page.searchedTo.map { HomeTime.day(of: $0).displayShort } ?? "—"
        let covered: String
        if let from = page.searchedFrom {
            covered = "This page looked through the archive from \(HomeTime.day(of: from).displayShort) to \(to)."
        } else {
            covered = before == nil ? "This search looked through the whole archive, up to \(to)."
                                    : "This page looked through the archive from its start to \(to)."
        }
        let later = summary.oldestLiveAt.map { " Entries from \(HomeTime.display($0)) on are on the <a href=\"/audit\(filterQuery)\">audit trail page</a>." } ?? ""
        let rows = page.entries.map { entry -> [HTML] in
            [HTML(text: HomeTime.display(entry.at)), HTML(text: entry.username), HTML(text: entry.action), HTML(text: entry.source),
             entry.residentID.map { "<a href=\"/residents/\($0)\">\($0)</a>" } ?? "—", HTML(text: entry.detail), HTML(text: entry.address)]
        }
        var paging: [HTML] = []
        if before != nil { paging.append("<a href=\"/audit/archive\(filterQuery)\">Newest archived entries</a>") }
        if let next = page.continueBefore {
            let older = Appliance.queryString(HTTPRequest(method: "GET", path: "", query: filters + [("before", String(next))]))
            paging.append("<a href=\"/audit/archive\(older)\">Search further back</a>")
        }
        let body: HTML = """
        \(form)
        <p class="hint" id="covered">\(covered)\(HTML(trusted: later))</p>
        \(UI.table(caption: "Archived entries, newest first, at most \(Appliance.auditPageSize) a page", headers: ["When", "Who", "Action", "Where", "Resident", "Detail", "Address"],
                   rows: rows, emptyMessage: "No archived entries in that period match."))
        \(paging.isEmpty ? "" : HTML(trusted: "<nav class=\"paging\" aria-label=\"Archive pages\"><p>" + paging.map(\.description).joined(separator: " · ") + "</p></nav>"))
        """
        return .page(Page(title: "Archived audit entries", breadcrumbs: [("Audit trail", "/audit")], body: body))
    }

    /// 1234567 as "1,234,567".
    static func count(_ number: Int) -> String {
        let digits = String(number)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return out
    }
}
