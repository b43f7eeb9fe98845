import CareKit
import CareServices
import Foundation

/// Paper: the list of current residents (the fallback when the system is down) and the one-page
/// transfer summary for a hospital or ambulance crew.
struct PrintPages: Sendable {
    let pages: ResidentPages
    var context: PluginContext { pages.context }
    var stores: Stores { pages.stores }

    func printedLine(_ request: Request) -> HTML {
        // On paper the shell's masthead says the home, the time printed and by whom.
        "<p class=\"residents-print-meta\"><span class=\"no-print\">Printed \(HomeTime.display(Date())) by \(request.principal.displayName). </span>Check against the live record when the system is back.</p>"
    }

    func list(_ request: Request) throws -> Response {
        let today = pages.today()
        let residents = try stores.residents.residents(statuses: [.livingHere, .inHospital])
        let profile = try stores.profiles.load()
        context.audit.record(request, .print, residentID: nil, detail: "printable list of current residents (\(residents.count))")
        let rows = residents.map { resident -> [HTML] in
            let r = resident.record
            return [
                "\(r.room)",
                "\(r.fullName)\(r.preferredName.isEmpty ? "" : " (\(r.preferredName))")",
                "\(r.dateOfBirth?.displayShort ?? "")",
                "\(r.nhsNumber.map(NHSNumber.spaced) ?? "None")",
                "\(resident.status.title)",
                "\(r.allergies)",
                "\(r.dementia.hasDementia ? r.dementia.title : "")",
                "\(r.advanceCarePlan.exists ? "\(r.planCPR.title); \(r.planHospital.title)" : "No plan recorded")",
                "\(r.nextOfKinName)\(r.nextOfKinPhone.isEmpty ? "" : " \(r.nextOfKinPhone)")",
            ]
        }
        let occupancy = residents.filter { $0.status == .livingHere }.count
        let body: HTML = """
        <div class="residents-print">\(printedLine(request))\
        <p>\(profile.name.isEmpty ? "The home" : profile.name): \(residents.count) current residents, \(occupancy) in the home tonight, \
        \(residents.count - occupancy) in hospital. Today is \(today.display).</p>\
        <p class="no-print"><a href="/residents">Back to residents</a>. Use your browser's Print command.</p>\
        \(UI.table(caption: "Current residents by room", headers: ["Room", "Name", "Born", "NHS number", "Where", "Allergies", "Dementia", "ReSPECT / plan", "Next of kin"], rows: rows, emptyMessage: "No current residents."))\
        </div>
        """
        return .page(title: "Current residents (printable)", breadcrumbs: [("Residents", "/residents")], body)
    }

    func transferSummary(_ request: Request) throws -> Response {
        let resident = try pages.loadResident(request)
        guard !resident.enteredInError else { throw CareError.conflict("This record was marked entered in error.") }
        let r = resident.record
        let today = pages.today()
        let profile = try stores.profiles.load()
        context.audit.record(request, .print, residentID: resident.id, detail: "transfer summary")

        var body: HTML = "<div class=\"residents-print residents-transfer\">\(printedLine(request))"
        body += "<p class=\"no-print\">For a hospital or ambulance crew: print it and send it with the resident (in the spirit of the PRSB care home to hospital transfer standard).</p>"
        // The same summary for a hospital system that takes FHIR (the server's download, a document Bundle).
        body += "<p class=\"no-print\"><a href=\"/export/residents/\(resident.id)/transfer-document\" download>Download this summary as a FHIR document</a> (for a hospital system that accepts FHIR UK Core).</p>"
        let plan = r.advanceCarePlan
        body += UI.banner(plan.exists && r.planCPR == .notForCPR ? .danger : .warning, title: plan.summary)
        body += "<div class=\"residents-transfer-face\">\(Face.html(try stores.photos.current(residentID: resident.id), name: r.displayName, size: "large"))</div>"
        body += UI.section("Who", UI.summaryList([
            ("Name", "\(r.fullName)\(r.preferredName.isEmpty ? "" : ", known as \(r.preferredName)")"),
            ("Date of birth", "\(Parts.dateOfBirth(r.dateOfBirth, today: today))"),
            ("NHS number", Parts.nhsNumber(r)),
            ("Lives at", "\(profile.name.isEmpty ? "This care home" : profile.name), room \(r.room)"),
            ("GP practice", "\(r.gpPractice.isEmpty ? "Not recorded" : r.gpPractice)"),
        ]))
        body += UI.section("Allergies", "<p><strong>\(r.allergies)</strong></p>")
        let transfer = currentTransfer(resident.id)
        body += recentEvents(resident.id, transfer: transfer)
        var health: [(key: String, value: HTML)] = [
            ("Key diagnoses", Parts.multiline(r.diagnoses)),
            ("Dementia", "\(r.dementia.title)"),
        ]
        if r.dementia.isLewyOrParkinsons {
            health.append(("Caution", "Lewy body or Parkinson's disease dementia: antipsychotics can cause severe, sometimes fatal reactions (NICE NG97)."))
        }
        health.append(("Communication needs", Parts.multiline(r.communicationNeeds)))
        health.append(("What matters to me", Parts.multiline(r.whatMatters)))
        body += UI.section("Health and communication", UI.summaryList(health))
        body += UI.section("Current medicines", try medicines(resident.id))
        // The ReSPECT / advance care plan headline is the banner at the top (kind, date, CPR, transfer, priority, where kept).
        var contacts = ResidentPages.contacts(r)
        let lead = [profile.clinicalLeadName, profile.clinicalLeadRole, profile.clinicalLeadContact].filter { !$0.isEmpty }.joined(separator: ", ")
        if !lead.isEmpty { contacts += UI.summaryList([("The home's clinical lead", "\(lead)")]) }
        body += UI.section("Contacts", contacts)
        // The reason as the transfer was recorded, or a line to fill in when none is recorded yet.
        let reasonLine: HTML = transfer.map { "<p>Reason for transfer: <strong>\($0.reason)</strong> (see above)</p>" }
            ?? "<p>Reason for transfer: ..............................................................................</p>"
        body += UI.section("Sent by the home", reasonLine + """
        <p>Usual abilities (mobility, eating, continence): ..........................................</p>\
        <p>Sent with: glasses / hearing aids / dentures / walking aid / medicines (circle)</p>\
        <p>Staff member: .............................................. Telephone: ..............................</p>
        """)
        body += "</div>"
        return .page(title: "Transfer summary: \(r.fullName)", breadcrumbs: Parts.breadcrumbs(resident), body)
    }

    /// The transfer the resident is away on, as the transfers plugin recorded it (nil without the plugin,
    /// or before the transfer is recorded).
    func currentTransfer(_ residentID: Int64) -> TransferHeadline? {
        guard let source = context.services.resolve(Services.currentTransfer) else { return nil }
        do {
            return try source.currentTransfer(residentID: residentID)
        } catch {
            context.log.warning("residents.transfer-summary.transfer-failed", ["resident.id": String(residentID)])
            return nil
        }
    }

    /// What a crew and an A&E team need first: why they are going (transfers), falls in the last 30
    /// days (falls log) and the latest observations, soft signs and escalation (deterioration), from
    /// the plugins that are loaded.
    func recentEvents(_ residentID: Int64, transfer: TransferHeadline?) -> HTML {
        var rows: [(key: String, value: HTML)] = []
        if let transfer {
            let detail = transfer.detail.isEmpty ? "" : ". \(transfer.detail)"
            rows.append(("Reason for transfer", "<strong>\(transfer.reason)</strong>, \(Wording.midSentence(transfer.route)), left \(HomeTime.display(transfer.leftAt))\(detail)"))
        }
        if let falls = context.services.resolve(Services.falls) {
            let since = Date().addingTimeInterval(-30 * 24 * 3600)
            if let recent = try? falls.falls(residentID: residentID, since: since) {
                let text = recent.isEmpty ? "None recorded"
                    : recent.sorted { $0.occurredAt > $1.occurredAt }.map { fall in
                        "\(HomeTime.display(fall.occurredAt)): \(fall.summary)" + (fall.headStrike == true ? " (head strike)" : "") + (fall.injured ? " (injured)" : "")
                    }.joined(separator: "; ")
                rows.append(("Falls in the last 30 days", "\(text)"))
            } else {
                context.log.warning("residents.transfer-summary.falls-failed", ["resident.id": String(residentID)])
            }
        }
        if let deterioration = context.services.resolve(Services.deterioration) {
            do {
                let lines = try deterioration.forTransfer(residentID: residentID)
                if lines.isEmpty { rows.append(("Observations", "None recorded in the last 3 days")) }
                rows += lines.map { ($0.heading, "\($0.text)") }
            } catch {
                context.log.warning("residents.transfer-summary.observations-failed", ["resident.id": String(residentID)])
            }
        }
        return rows.isEmpty ? .empty : UI.section("Before the transfer", UI.summaryList(rows))
    }

    /// The medicines from the medication plugin, or a note when it is not in use.
    func medicines(_ residentID: Int64) throws -> HTML {
        guard let service = context.services.resolve(Services.currentMedicines) else {
            return "<p>Medicines are not recorded in this system: send the MAR chart.</p>"
        }
        let list: [MedicineSummary]
        let antithrombotic: AntithromboticStatus
        do {
            list = try service.medicines(residentID: residentID)
            antithrombotic = try service.antithromboticStatus(residentID: residentID)
        } catch {
            context.log.warning("residents.transfer-summary.medicines-failed", ["resident.id": String(residentID)])
            return "<p>The medicines list could not be read: send the MAR chart.</p>"
        }
        var html: HTML = ""
        switch antithrombotic {
        case .anticoagulant(let names): html += UI.banner(.warning, title: "On an anticoagulant: \(names.joined(separator: ", "))")
        case .antiplatelet(let names): html += UI.banner(.warning, title: "On an antiplatelet: \(names.joined(separator: ", "))")
        case .cannotTell(let unknown):
            html += UI.banner(.warning, title: "Anticoagulants: not known from this list",
                              "<p>Not recognised by the appliance's drug table: \(unknown.joined(separator: ", ")). Check the MAR chart for an anticoagulant or antiplatelet.</p>")
        case .aspirinAlone, .none: break
        }
        let rows = list.map { m -> [HTML] in ["\(m.name)", "\(m.directions)", "\(m.asNeeded ? "When needed" : "Regular")"] }
        html += UI.table(caption: "Current medicines (\(list.count)); also send the MAR chart", headers: ["Medicine", "Directions", "Regular or when needed"],
                         rows: rows, emptyMessage: "No current medicines recorded.")
        return html
    }
}
