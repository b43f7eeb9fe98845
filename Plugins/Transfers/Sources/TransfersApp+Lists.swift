import CareKit
import CareServices
import Foundation

extension TransfersApp {
    /// How far back the home-wide lists look: a transfer older than this is in the figures, not the to-do lists.
    static let listDays = 90

    func home(_ request: Request) throws -> Response {
        let directory = try directory()
        let since = today.adding(days: -TransfersApp.listDays)
        let (recent, open, awaiting, deaths) = try database.read { db in
            (try TransfersStore.transfers(from: since, to: today, in: db).filter { $0.leftOn >= since }.reversed(),
             try TransfersStore.openTransfers(in: db), try TransfersStore.awaitingReview(since: since, in: db), try TransfersStore.deathsToComplete(in: db))
        }
        func name(_ id: Int64) -> String { (try? directory.resident(id: id))?.label ?? "Resident \(id)" }
        context.audit.record(request, .view, residentID: nil, detail: "hospital transfers list")
        var body: HTML = "<p>\(UI.buttonLink("Record a transfer to hospital", to: "/transfers/new")) \(UI.buttonLink("Resident and family voice", to: "/transfers/voice/new", kind: "secondary")) \(UI.buttonLink("Figures and the EHCH impact pack", to: "/transfers/figures", kind: "secondary"))</p>"
        // Residents the registry has in hospital with no transfer recorded here.
        let openResidents = Set(open.map(\.residentID))
        let unrecorded = try directory.currentResidents().filter { $0.status == .inHospital && !openResidents.contains($0.id) }
        if !unrecorded.isEmpty {
            body += UI.banner(.warning, title: "In hospital with no transfer recorded",
                              "<ul>\(unrecorded.map { r -> HTML in "<li>\(UI.link(r.label, to: "/transfers/new?resident_id=\(r.id)"))</li>" })</ul><p>Record why and how they went, so the figures are complete.</p>")
        }
        let awayRows = open.map { t -> [HTML] in
            [UI.link(name(t.residentID), to: t.path), HTML(text: t.leftOn.displayShort), HTML(text: t.outcome.title), HTML(text: String(t.lengthOfStay(today: today)))]
        }
        body += UI.table(caption: "Away in hospital now", headers: ["Resident", "Left", "At the hospital", "Nights so far"], rows: awayRows, emptyMessage: "Nobody is away in hospital.")
        let reviewRows = awaiting.map { t -> [HTML] in [UI.link(name(t.residentID), to: t.path), HTML(text: t.summary)] }
        body += UI.table(caption: "Waiting for the MDT's review (on the next round's agenda)", headers: ["Resident", "Transfer"], rows: reviewRows,
                         emptyMessage: "Every unplanned transfer in the last 90 days has been reviewed.")
        let followRows = recent.filter { $0.returnedOn != nil && ($0.dischargeSummaryOn == nil || $0.reconciliation == .notYet) && $0.outcome != .aeOnly }.map { t -> [HTML] in
            [UI.link(name(t.residentID), to: t.path), HTML(text: t.returnedOn?.displayShort ?? ""),
             HTML(text: t.dischargeSummaryOn == nil ? "Not received" : "Received"), HTML(text: t.reconciliation.title)]
        }
        body += UI.table(caption: "Back from a stay: discharge summary or medicines still to do", headers: ["Resident", "Came back", "Discharge summary", "Medicines reconciled"],
                         rows: followRows, emptyMessage: "Nothing outstanding.")
        let deathRows = deaths.map { d -> [HTML] in [UI.link(name(d.residentID), to: "/transfers/deaths/\(d.id)"), HTML(text: d.diedOn.displayShort)] }
        if !deathRows.isEmpty {
            body += UI.table(caption: "Deaths: record where, and where they wanted", headers: ["Resident", "Died"], rows: deathRows)
        }
        let recentRows = recent.map { t -> [HTML] in
            [UI.link(name(t.residentID), to: t.path), HTML(text: t.leftOn.displayShort), HTML(text: t.reason.title), HTML(text: t.route.title), HTML(text: t.outcome.title)]
        }
        body += UI.table(caption: "Transfers in the last 90 days", headers: ["Resident", "Left", "Why", "How", "At the hospital"], rows: recentRows, emptyMessage: "None.")
        return .page(Page(title: "Hospital transfers", body: body))
    }

    func residentPanel(_ request: Request, _ residentID: Int64) throws -> HTML? {
        let transfers = try database.read { db in try TransfersStore.transfers(residentID: residentID, in: db) }.filter { !$0.enteredInError }
        let list: HTML = transfers.isEmpty ? "<p>No transfers to hospital recorded.</p>"
            : "<ul>\(transfers.prefix(5).map { t -> HTML in "<li>\(UI.link(t.summary, to: t.path))</li>" })</ul>"
        return list + "<p>\(UI.link("Record a transfer to hospital", to: "/transfers/new?resident_id=\(residentID)"))</p>"
    }

    func reviewCard(_ request: Request) throws -> HTML? {
        let awaiting = try database.read { db in try TransfersStore.awaitingReview(since: today.adding(days: -TransfersApp.listDays), in: db) }
        let links: HTML = "<p>\(UI.link("Transfers", to: "/transfers")) · \(UI.link("Figures", to: "/transfers/figures")) · \(UI.link("EHCH impact pack", to: "/transfers/pack"))</p>"
        guard !awaiting.isEmpty else { return "<p>No transfer is waiting for the MDT's review.</p>" + links }
        return "<p>\(awaiting.count == 1 ? "1 transfer" : "\(awaiting.count) transfers") to hospital waiting for the MDT's review.</p>" + links
    }

    // MARK: Metrics

    /// Counts for the current and previous month and quarter, for a care group's or ICB's monitoring.
    /// Counts only (rates follow from them and the occupied bed days): nothing points at one person.
    func metrics() throws -> [Metric] {
        let periods: [(String, Period)] = [
            ("current_month", Period.month(containing: today)), ("previous_month", Period.month(containing: Period.month(containing: today).start.adding(days: -1))),
            ("current_quarter", Period.quarter(containing: today)), ("previous_quarter", TransfersApp.lastCompleteQuarter(today)),
        ]
        let gathered = try gather(from: periods.map(\.1.start).min() ?? today, to: today)
        var samples = [String: [Metric.Sample]]()
        var titles = [String: String]()
        for (label, period) in periods {
            for row in try gathered.figures(for: period).rows {
                guard let count = row.count else { continue }
                samples[row.key, default: []].append(Metric.Sample(count, labels: ["period": label]))
                titles[row.key] = row.title
            }
        }
        var metrics = samples.keys.sorted().map { key in
            Metric("carehome_transfers_\(key)", help: "\(titles[key] ?? key) (count)", samples: samples[key] ?? [])
        }
        let (open, awaiting) = try database.read { db in
            (try TransfersStore.openTransfers(in: db).count, try TransfersStore.awaitingReview(since: today.adding(days: -TransfersApp.listDays), in: db).count)
        }
        metrics.append(Metric("carehome_transfers_in_hospital_now", help: "Residents away in hospital now (open transfers)", value: open))
        let plans = try planSnapshot()
        metrics.append(Metric("carehome_transfers_current_residents", help: "Current residents (living here or in hospital)", value: plans.residents))
        metrics.append(Metric("carehome_transfers_residents_with_plan", help: "Current residents with a ReSPECT form or advance care plan recorded", value: plans.withPlan))
        metrics.append(Metric("carehome_transfers_awaiting_review", help: "Unplanned transfers in the last 90 days not yet reviewed by the MDT", value: awaiting))
        return metrics
    }

    /// Today's current residents and how many have a ReSPECT form or advance care plan recorded.
    /// Today's current residents: how many have an advance care plan, and (nil: the medication plugin is
    /// not loaded) how many had a structured medication review in the last 12 months.
    func planSnapshot() throws -> (withPlan: Int, withReviewInYear: Int?, residents: Int) {
        let residents = try directory().currentResidents()
        let reviewed = try context.services.resolve(Services.medicationReviewFigures)?
            .residentsReviewed(since: today.adding(months: -12), among: Set(residents.map(\.id)))
        return (residents.filter(\.advanceCarePlan.exists).count, reviewed, residents.count)
    }

    // MARK: Events

    /// The registry's movements end a stay: back, died or left. A death starts a death record with what
    /// the registry says (place, whether a plan existed), for staff to complete with the preferred place.
    func handle(_ event: CareEvent) throws {
        switch event {
        case .residentReadmitted(let id, let on):
            _ = try database.write { db in try TransfersStore.endOpenStay(residentID: id, on: on, how: .returned, in: db) }
        case .medicationReviewCompleted(let id, let on):
            _ = try database.write { db in try TransfersStore.noteMedicationReview(residentID: id, on: on, in: db) }
        case .residentLeft(let id, let on):
            _ = try database.write { db in try TransfersStore.endOpenStay(residentID: id, on: on, how: .left, in: db) }
        case .residentDied(let id, let on):
            let directory = context.services.resolve(Services.residentDirectory)
            let resident = try directory?.resident(id: id)
            let place = (try directory?.movements(residentID: id))?.last { $0.kind == .died }.flatMap { DeathPlace(rawValue: $0.place) }
            let record = DeathRecord(residentID: id, diedOn: on, place: place, preferred: .notKnown,
                                     planExisted: resident?.advanceCarePlan.exists ?? false, completed: false)
            let at = now()
            try database.write { db in
                _ = try TransfersStore.endOpenStay(residentID: id, on: on, how: .died, in: db)
                try TransfersStore.insertDeath(record, by: "From the registry", at: at, in: db)
            }
        default:
            return
        }
        context.log.info("transfers.event-handled", ["event": event.name, "resident.id": event.residentID.map(String.init) ?? ""])
    }
}

/// The service the home round resolves (`Services.transferReviews`).
struct TransferReviewService: TransferReviewSource {
    let database: any CareDatabase
    let now: @Sendable () -> Date

    func transfersAwaitingReview() throws -> [Int64: String] {
        let since = HomeTime.day(of: now()).adding(days: -TransfersApp.listDays)
        let awaiting = try database.read { db in try TransfersStore.awaitingReview(since: since, in: db) }
        var lines = [Int64: [String]]()
        for t in awaiting { lines[t.residentID, default: []].append("\(t.summary): could it have been avoided?") }
        return lines.mapValues { $0.joined(separator: "; ") }
    }
}

/// The transfer a resident is away on, for the registry's transfer summary (`Services.currentTransfer`).
struct CurrentTransferService: CurrentTransferSource {
    let database: any CareDatabase

    func currentTransfer(residentID: Int64) throws -> TransferHeadline? {
        guard let t = try database.read({ db in try TransfersStore.openTransfer(residentID: residentID, in: db) }) else { return nil }
        let detail = [t.reasonDetail, t.linkedRecord, t.fallID.map { _ in "Recorded in the falls log." } ?? ""]
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }.joined(separator: " ")
        return TransferHeadline(leftAt: t.leftAt, reason: t.reason.title, detail: detail, route: t.route.title)
    }
}
