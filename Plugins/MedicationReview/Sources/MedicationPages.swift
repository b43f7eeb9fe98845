public import CareKit
public import CareServices
import Foundation

/// The plugin's read-only pages, the resident panel and the dashboard card. Forms are in
/// `MedicationPages+Forms.swift`.
struct MedicationPages: Sendable {
    let service: MedicationService
    let context: PluginContext

    var today: Day { service.today() }

    static let intro = "Prompts flag a resident for clinical review. They never recommend a change: the prescriber decides."

    // MARK: - Shared pieces

    static func severityTag(_ severity: PromptSeverity) -> HTML {
        switch severity {
        case .high: UI.tag("High", colour: "red")
        case .moderate: UI.tag("Review", colour: "orange")
        case .consider: UI.tag("Consider", colour: "yellow")
        }
    }

    func loadResident(_ request: Request) throws -> ResidentMedication {
        guard let medication = try service.load(residentID: try request.id("id")) else { throw CareError.notFound("No such resident.") }
        return medication
    }

    static func residentPath(_ id: Int64) -> String { "/medication/residents/\(id)" }

    /// Where a prompt is acknowledged or dismissed.
    static func decisionPath(residentID: Int64, ruleID: String) -> String { "/medication/prompts/\(residentID)-\(ruleID)/acknowledge" }

    /// One prompt: severity, title, the reason with its numbers, the rule's source, and (for editors) the acknowledge link.
    func promptHTML(_ item: PromptItem, residentID: Int64, request: Request, compact: Bool = false) -> HTML {
        let finding = item.finding
        var html: HTML = "<li class=\"prompt\">\(MedicationPages.severityTag(finding.severity)) <strong>\(finding.rule.title)</strong>"
        if compact {
            html += " <span class=\"hint\">\(finding.reason)</span>"
        } else {
            html += UI.ruleReason(finding.reason, ruleID: "\(finding.rule.id) v\(finding.rule.version)", source: finding.rule.source)
            if let earlier = item.earlierDecision {
                html += "<p class=\"hint\">Back because the facts changed since it was \(earlier.decision) by \(UI.person(earlier.decidedBy, earlier.decidedByRole)) on \(HomeTime.display(earlier.decidedAt)): \(earlier.reason)</p>"
            }
            if Role.clinicalEditors.contains(request.principal.role) {
                html += "<p>\(UI.link("Acknowledge or dismiss: \(finding.rule.title)", to: MedicationPages.decisionPath(residentID: residentID, ruleID: finding.rule.id)))</p>"
            }
        }
        return html + "</li>"
    }

    // MARK: - Home-wide prompts

    @Sendable func home(_ request: Request) throws -> Response {
        let residents = try service.homeWide()
        context.audit.record(request, .view, residentID: nil, detail: "medication prompts, home-wide list (\(residents.count) residents)")
        let highCount = residents.filter { $0.prompts.contains { $0.isOpen && $0.finding.severity == .high } }.count
        // One line per resident: the most urgent prompt and how many more; the rest are one tap away
        // on the resident's page (a long list of every prompt buried the urgent ones).
        let rows = residents.map { medication -> [HTML] in
            let open = medication.prompts.filter(\.isOpen)
            let first = open.first   // the rules return findings most urgent first
            let more = open.count - 1
            let path = MedicationPages.residentPath(medication.resident.id)
            let why: HTML = first.map { "<strong>\($0.finding.rule.title)</strong>" } ?? .empty
            let others: HTML = more > 0 ? " " + UI.link("and \(more) more", to: path) : .empty
            return [UI.link(medication.resident.label, to: path), MedicationPages.severityTag(first?.finding.severity ?? .consider), why + others]
        }
        let body: HTML = """
        <p>Who to flag for a structured medication review, most urgent first. \(MedicationPages.intro) This is not a medicines administration record: give medicines from the MAR chart.</p>
        <p>\(residents.count) residents with open prompts; \(highCount) with a high prompt. \(UI.link("Rules in use", to: "/medication/rules"))</p>
        \(UI.table(caption: "Residents with open medication review prompts", headers: ["Resident", "Most urgent", "Prompt"], rows: rows,
                   emptyMessage: "No open prompts: no resident is flagged for a medication review today."))
        """
        return .page(title: "Medication review prompts", body)
    }

    // MARK: - Rules in use

    @Sendable func rules(_ request: Request) throws -> Response {
        let table = service.table
        let ruleRows = MedicationRule.all.map { rule -> [HTML] in
            ["<strong>\(rule.id)</strong>", "\(rule.title)", "\(rule.checks)", MedicationPages.severityTag(rule.severity), "\(rule.source)", "\(rule.version)"]
        }
        let sources = table.sources.sorted { $0.key < $1.key }.map { item -> HTML in "<li><strong>\(item.key)</strong>: \(item.value)</li>" }
        let drugRows = table.medicines.sorted { $0.name < $1.name }.map { drug -> [HTML] in
            let flags = drug.medicineFlags.map(\.rawValue).sorted().joined(separator: ", ")
            return ["\(drug.name)", "\(drug.synonyms.joined(separator: ", "))", "\(drug.drugClass)", "\(drug.bnfChapter)",
                    "\(drug.acb) <span class=\"hint\">\(drug.sources.acb)</span>", "\(drug.stoppfall ?? "none")", "\(flags)"]
        }
        var page = Page(title: "Medication rules in use", breadcrumbs: [("Medication review", "/medication")], containsPersonalData: false, body: """
        <p>\(MedicationPages.intro)</p>
        \(UI.summaryList([
            ("Rule set version", HTML(text: MedicationRule.ruleSetVersion)),
            ("Drug table version", HTML(text: "\(table.version) (published \(table.published), \(table.medicines.count) medicines)")),
            ("Drug table status", HTML(text: table.status)),
            ("Unknown medicines", HTML(text: "Accepted, marked unclassified and prompted (MR-UNCLASSIFIED); never guessed. Names match exactly or as the first words of what is typed.")),
        ]))
        \(UI.table(caption: "Rules", headers: ["Id", "Title", "What it checks", "Severity", "Source", "Version"], rows: ruleRows))
        \(UI.section("Sources of the drug table", "<ul>\(sources)</ul>"))
        \(UI.section("Drug table \(table.version)", UI.table(caption: "Medicines in the drug table",
            headers: ["Medicine", "Also matched", "Class", "BNF chapter", "ACB score", "STOPPFall class", "Flags"], rows: drugRows)))
        """)
        page.containsPersonalData = false
        return .page(page)
    }

    // MARK: - One resident

    @Sendable func resident(_ request: Request) throws -> Response {
        let medication = try loadResident(request)
        let resident = medication.resident
        context.audit.record(request, .view, residentID: resident.id, detail: "medicines and review prompts")
        let canEdit = Role.clinicalEditors.contains(request.principal.role)
        let open = medication.prompts.filter(\.isOpen)
        let decided = medication.prompts.filter { !$0.isOpen }
        var body: HTML = "<p>\(resident.label). \(resident.dementia.title). Allergies: \(resident.allergies). \(UI.link("Resident's page", to: resident.path))</p>"
        if open.contains(where: { $0.finding.severity == .high }) {
            body += UI.banner(.warning, title: "High medication review prompts: flag for clinical review")
        }
        if canEdit {
            body += """
            <p>\(UI.buttonLink("Add a medicine", to: "/medication/residents/\(resident.id)/medicines/new")) \
            \(UI.buttonLink("Record a medicines reconciliation", to: "/medication/residents/\(resident.id)/reconciliation", kind: "secondary")) \
            \(UI.buttonLink("Record a structured medication review", to: "/medication/residents/\(resident.id)/reviews/new", kind: "secondary"))</p>
            """
        }
        let openList: HTML = open.isEmpty ? "<p class=\"empty\">No open prompts.</p>"
            : "<ul class=\"prompt-list\">\(open.map { promptHTML($0, residentID: resident.id, request: request) })</ul>"
        body += UI.section("Open prompts (\(open.count))", "<p class=\"hint\">\(MedicationPages.intro)</p>" + openList)
        if !decided.isEmpty {
            let items = decided.map { item -> HTML in
                let d = item.decision
                return "<li>\(MedicationPages.severityTag(item.finding.severity)) \(item.finding.rule.title): \(d?.decision ?? "") by \(UI.person(d?.decidedBy ?? "", d?.decidedByRole ?? "")), \(d.map { HomeTime.display($0.decidedAt) } ?? ""): \(d?.reason ?? "")</li>"
            }
            body += UI.section("Acknowledged or dismissed (they come back when the facts change)", "<ul>\(items)</ul>")
        }
        body += UI.section("Current medicines", medicinesTable(medication.current(on: today), canEdit: canEdit))
        let stopped = medication.medicines.filter { !$0.isCurrent(on: today) }
        if !stopped.isEmpty {
            let rows = stopped.map { m -> [HTML] in
                let status: HTML = m.enteredInError ? "Entered in error: \(m.errorReason)" : "Stopped \(m.stopOn?.displayShort ?? ""): \(m.stopReason)"
                return ["\(m.name)", "\(m.directions)", status, canEdit ? UI.link("History", to: "/medication/medicines/\(m.id)/edit") : ""]
            }
            body += UI.section("Stopped medicines", UI.table(caption: "Stopped or entered in error", headers: ["Medicine", "Directions", "Status", "History"], rows: rows))
        }
        body += UI.section("Structured medication reviews", reviewsHTML(medication.reviews, canEdit: canEdit))
        body += UI.section("Medicines reconciliations", reconciliationsHTML(medication.reconciliations, canEdit: canEdit))
        return .page(title: "Medicines: \(resident.label)", breadcrumbs: [("Medication review", "/medication")], body)
    }

    func medicinesTable(_ medicines: [MedicineRecord], canEdit: Bool) -> HTML {
        let rows = medicines.map { m -> [HTML] in
            let drug = service.table.lookup(m.name, recordedRoute: m.route)
            var name: HTML = "\(m.name)"
            if drug == nil { name += " " + UI.tag("Unclassified", colour: "orange") }
            var classification: HTML = ""
            if let drug {
                classification = "\(drug.drugClass); ACB \(drug.acb)"
                if let falls = drug.stoppfall { classification += "; falls risk (\(falls))" }
            }
            var stop: HTML = ""
            if let planned = m.stopOn { stop = "<br>Until \(planned.displayShort)" }
            return [name, "\(m.dose)", "\(m.route)", "\(m.frequency)", m.asNeeded ? "When needed" : "Regular",
                    "\(m.startedOn.displayShort)\(stop)", "\(m.indication)", classification,
                    canEdit ? UI.link("Change \(m.name)", to: "/medication/medicines/\(m.id)/edit") : ""]
        }
        return UI.table(caption: "Current medicines", headers: ["Medicine", "Strength and dose", "Route", "Frequency", "Regular or when needed",
                                                              "Started", "Indication", "Class, ACB, falls risk", "Change"],
                        rows: rows, emptyMessage: "No current medicines recorded.")
    }

    func reviewsHTML(_ reviews: [ReviewRecord], canEdit: Bool) -> HTML {
        guard !reviews.isEmpty else { return "<p class=\"empty\">No structured medication review recorded.</p>" }
        return reviews.map { review -> HTML in
            let changes = review.changes.map { change -> HTML in "<li>\(change.change.capitalized): \(change.detail)</li>" }
            return UI.summaryList([
                ("Date", HTML(text: review.reviewedOn.display)),
                ("Reviewer", HTML(text: UI.person(review.reviewer, review.reviewerRole))),
                ("Discussed with", HTML(text: review.discussedWith)),
                ("What was discussed", HTML(text: review.discussion)),
                ("Outcome", HTML(text: review.outcome)),
                ("Medicines changed", changes.isEmpty ? HTML(text: "None") : "<ul>\(changes)</ul>"),
                ("Next review", HTML(text: review.nextReviewOn.display)),
            ]) + (canEdit ? "<p>\(UI.link("Mark the review of \(review.reviewedOn.displayShort) as entered in error", to: "/medication/reviews/\(review.id)/entered-in-error"))</p>" : .empty)
        }.joined()
    }

    func reconciliationsHTML(_ records: [ReconciliationRecord], canEdit: Bool) -> HTML {
        let rows = records.map { r -> [HTML] in
            ["\(r.reconciledOn.displayShort)", "\(r.triggerTitle)\(r.triggerOn.map { " (\($0.displayShort))" } ?? "")", "\(r.sources)",
             r.discrepanciesFound ? "Yes: \(r.discrepancies)" : "None found", "\(UI.person(r.reconciledBy, r.reconciledByRole))",
             canEdit ? UI.link("Entered in error", to: "/medication/reconciliations/\(r.id)/entered-in-error") : .empty]
        }
        return UI.table(caption: "Medicines reconciliations", headers: ["Date", "When", "Sources checked", "Discrepancies", "By", "Correction"], rows: rows,
                        emptyMessage: "No medicines reconciliation recorded.")
    }

    // MARK: - Panel and card

    @Sendable func panel(_ request: Request, _ residentID: Int64) throws -> HTML? {
        guard let medication = try service.load(residentID: residentID) else { return nil }
        context.audit.record(request, .view, residentID: residentID, detail: "medicines panel")
        let current = medication.current(on: today)
        let open = medication.prompts.filter(\.isOpen)
        let meds = current.map { m -> HTML in
            let unclassified: HTML = service.table.lookup(m.name, recordedRoute: m.route) == nil ? " " + UI.tag("Unclassified", colour: "orange") : ""
            return "<li>\(m.name) \(m.directions)\(unclassified)</li>"
        }
        let promptItems = open.map { promptHTML($0, residentID: residentID, request: request, compact: true) }
        return """
        <p>\(current.count) current medicines; \(open.count) open review prompts. \(UI.link("Medicines and prompts", to: MedicationPages.residentPath(residentID)))</p>
        \(open.isEmpty ? HTML.empty : "<ul class=\"prompt-list\">\(promptItems)</ul>")
        \(meds.isEmpty ? HTML(trusted: "<p class=\"empty\">No current medicines recorded.</p>") : "<ul>\(meds)</ul>")
        """
    }

    @Sendable func card(_ request: Request) throws -> HTML? {
        let residents = try service.homeWide()
        guard !residents.isEmpty else { return "<p>No resident is flagged for a medication review today. \(UI.link("Rules in use", to: "/medication/rules"))</p>" }
        let high = residents.filter { $0.prompts.contains { $0.isOpen && $0.finding.severity == .high } }
        // The most urgent prompt links to where it is acted on (for those who may), so acting on it
        // is one tap from the home screen; the resident's name opens all their prompts.
        let decides = Role.clinicalEditors.contains(request.principal.role)
        let top = residents.prefix(5).map { medication -> HTML in
            let first = medication.prompts.first(where: \.isOpen)
            let title: HTML = first.map { item in
                decides ? UI.link(item.finding.rule.title, to: MedicationPages.decisionPath(residentID: medication.resident.id, ruleID: item.finding.rule.id))
                        : HTML(text: item.finding.rule.title)
            } ?? .empty
            return "<li>\(UI.link(medication.resident.label, to: MedicationPages.residentPath(medication.resident.id))): \(first.map { MedicationPages.severityTag($0.finding.severity) } ?? .empty) \(title)</li>"
        }
        return """
        <p><strong>\(residents.count)</strong> residents with open prompts, <strong>\(high.count)</strong> high.</p>
        <ul>\(top)</ul><p>\(UI.link("Who needs a review and why", to: "/medication"))</p>
        """
    }
}
