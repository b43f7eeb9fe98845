import CareKit
import CareServices
import Foundation

extension DeteriorationApp {
    /// One current resident's state for the lists and cards.
    struct Status: Sendable {
        var resident: ResidentSummary
        var latest: ObservationSet?
        var aboveUsual: Bool
        var baseline: Baseline?
        var softSignsAt: Date?
        var due: (at: Date, why: String)?
        /// When the list was read (the plugin's clock, which tests pin).
        var asOf: Date

        var isOverdue: Bool { due.map { $0.at < asOf } ?? false }
        /// In a trigger band, or above their usual.
        var isConcerning: Bool { aboveUsual || (latest?.score.band ?? .zero) >= .lowMediumSingleThree }
    }

    /// Every current resident living here, with their latest set in the last 7 days: a fixed number
    /// of queries whatever the home's history (each bounded by date or by the current residents).
    func statuses() throws -> [Status] {
        let residents = try directory().currentResidents().filter { $0.status == .livingHere }
        let asOf = now()
        let since = asOf.addingTimeInterval(-7 * 86_400)
        let (latest, baselines, softSigns) = try database.read { db in
            (try DeteriorationStore.latestObservations(since: since, in: db), try DeteriorationStore.currentBaselines(in: db),
             try DeteriorationStore.softSigns(since: now().addingTimeInterval(-24 * 3600), in: db))
        }
        let signsByResident = Dictionary(grouping: softSigns, by: \.residentID)
        return residents.map { resident in
            let entry = latest[resident.id]
            let signsAt = signsByResident[resident.id]?.map(\.noticedAt).max()
            let baseline = baselines[resident.id]
            return Status(resident: resident, latest: entry?.set, aboveUsual: entry?.aboveUsual ?? false, baseline: baseline, softSignsAt: signsAt,
                          due: DeteriorationApp.nextDue(latest: entry?.set, aboveUsual: entry?.aboveUsual ?? false, baseline: baseline, softSignsSince: signsAt),
                          asOf: asOf)
        }
    }

    // MARK: The home's list

    func homeList(_ request: Request) throws -> Response {
        let all = try statuses()
        let due = all.filter { $0.due != nil }.sorted { ($0.due?.at ?? .distantFuture) < ($1.due?.at ?? .distantFuture) }
        let concerning = all.filter(\.isConcerning)
        let noBaseline = all.filter { $0.baseline == nil }
        func row(_ s: Status) -> [HTML] {
            let score: HTML = s.latest.map { set in
                let text = set.score.total.map { "NEWS2 \($0)" } ?? "Incomplete"
                return UI.link(text, to: "/deterioration/observations/\(set.id)") + (s.aboveUsual ? " " + UI.tag("Above usual", colour: "orange") : HTML.empty)
            } ?? HTML(text: "No set in 7 days")
            let dueText: HTML = s.due.map { due in
                (due.at < now() ? UI.tag("Overdue", colour: "red") + " " : HTML.empty) + HTML(text: HomeTime.display(due.at))
            } ?? HTML(text: "—")
            return [UI.link(s.resident.label, to: "/deterioration/residents/\(s.resident.id)"), score, dueText,
                    UI.buttonLink("Observations", to: "/deterioration/residents/\(s.resident.id)/observations/new", kind: "secondary")]
        }
        var body: HTML = "<p class=\"lead\">Soft signs, observations and NEWS2 against each resident's usual. \(UI.link("How it works", to: "/deterioration/rules"))</p>"
        body += UI.table(caption: "Observations due (\(due.count))", headerCells: ["Resident", "Latest", "Next set due", UI.visuallyHidden("Record")],
                         rows: due.map(row), emptyMessage: "No observations are due.")
        body += UI.table(caption: "In a trigger band or above their usual (\(concerning.count))", headerCells: ["Resident", "Latest", "Next set due", UI.visuallyHidden("Record")],
                         rows: concerning.map(row), emptyMessage: "Nobody at the moment.")
        body += UI.table(caption: "No usual observations agreed (\(noBaseline.count))", headers: ["Resident"],
                         rows: noBaseline.map { [UI.link($0.resident.label, to: "/deterioration/residents/\($0.resident.id)/baseline")] },
                         emptyMessage: "Every resident living here has their usual agreed.")
        body += UI.section("Everyone living here", "<ul class=\"det-residents\">\(all.map { s -> HTML in "<li>\(UI.link(s.resident.label, to: "/deterioration/residents/\(s.resident.id)"))</li>" })</ul>")
        return .page(Page(title: "Deterioration", body: body))
    }

    // MARK: Dashboard cards and the resident panel

    func dueCard(_ request: Request) throws -> HTML? {
        let due = try statuses().filter { $0.due != nil }
        guard !due.isEmpty else { return "<p>No observations are due. \(UI.link("Deterioration: everyone's latest observations", to: "/deterioration"))</p>" }
        let overdue = due.filter(\.isOverdue).count
        let items = due.prefix(6).map { s -> HTML in
            "<li>\(UI.link(s.resident.label, to: "/deterioration/residents/\(s.resident.id)/observations/new"))\(s.isOverdue ? " " + UI.tag("Overdue", colour: "red") : HTML.empty)</li>"
        }
        return "<p>\(String(due.count)) due\(overdue > 0 ? ", \(overdue) overdue" : ""). \(UI.link("See all", to: "/deterioration"))</p><ul>\(items)</ul>"
    }

    func concernCard(_ request: Request) throws -> HTML? {
        let list = try statuses().filter(\.isConcerning)
        guard !list.isEmpty else { return nil }
        let items = list.map { s -> HTML in
            "<li>\(UI.link(s.resident.label, to: "/deterioration/residents/\(s.resident.id)/escalate")): \(s.latest?.score.total.map { "NEWS2 \($0)" } ?? "")\(s.aboveUsual ? " (above usual)" : "")</li>"
        }
        return "<ul>\(items)</ul>"
    }

    func residentPanel(_ request: Request, _ residentID: Int64) throws -> HTML? {
        let picture = try picture(residentID, days: 7)
        var html = HTML.empty   // its quick actions stand with every plugin's at the top of the page
        if let latest = picture.latest {
            let comparison: String = picture.baseline.map { $0.compare(latest.score).summary } ?? (latest.score.total.map { "NEWS2 \($0); usual not agreed" } ?? "Incomplete set")
            html += "<p>Latest \(HomeTime.display(latest.takenAt)): \(comparison). \(UI.link("Trend and record", to: "/deterioration/residents/\(residentID)"))</p>"
        } else {
            html += "<p>No observations in the last 7 days. \(UI.link("Record and trend", to: "/deterioration/residents/\(residentID)"))</p>"
        }
        return html
    }

    // MARK: Metrics (counts only)

    @Sendable func metrics() throws -> [Metric] {
        let since30 = now().addingTimeInterval(-30 * 86_400), since90 = now().addingTimeInterval(-90 * 86_400)
        let (sets, escalations) = try database.read { db in
            (try db.scalar("SELECT COUNT(*) FROM deterioration_observations WHERE taken_at >= ? AND entered_in_error = 0", [SQLValue(since30)]) ?? 0,
             try DeteriorationStore.escalations(since: since90, in: db))
        }
        let all = try statuses()
        var byRouteOutcome = [String: Int]()
        for e in escalations { byRouteOutcome["\(e.route?.rawValue ?? "unknown")|\(e.outcome?.rawValue ?? "unknown")", default: 0] += 1 }
        let samples = byRouteOutcome.sorted { $0.key < $1.key }.map { key, value -> Metric.Sample in
            let parts = key.split(separator: "|").map(String.init)
            return Metric.Sample(value, labels: ["route": parts[0], "outcome": parts.count > 1 ? parts[1] : "unknown"])
        }
        return [
            Metric("carehome_deterioration_observation_sets_30d", help: "Sets of observations recorded in the last 30 days (not entered in error)", value: Int(sets)),
            Metric("carehome_deterioration_escalations_90d", help: "Escalations recorded in the last 90 days, by route and outcome",
                   samples: samples.isEmpty ? [Metric.Sample(0, labels: ["route": "none", "outcome": "none"])] : samples),
            Metric("carehome_deterioration_baselines_missing", help: "Residents living here with no usual observations agreed", value: all.filter { $0.baseline == nil }.count),
            Metric("carehome_deterioration_observations_overdue", help: "Residents living here whose next set of observations is overdue", value: all.filter(\.isOverdue).count),
        ]
    }

    // MARK: The rules page

    func rulesPage(_ request: Request) throws -> Response {
        func row(_ id: String, _ what: String, _ source: String) -> [HTML] { [HTML(text: id), HTML(text: what), HTML(text: source)] }
        let rows = [
            row("DET-NEWS2-1", "Breathing rate: 8 or less scores 3; 9–11: 1; 12–20: 0; 21–24: 2; 25 or more: 3.", "RCP NEWS2 (2017), Chart 1"),
            row("DET-NEWS2-2", "Oxygen saturation, scale 1: 91% or less scores 3; 92–93: 2; 94–95: 1; 96 or more: 0.", "RCP NEWS2 (2017), Chart 1"),
            row("DET-NEWS2-3", "Oxygen saturation, scale 2 (only with a clinician's 88–92% target): 83% or less: 3; 84–85: 2; 86–87: 1; 88–92, or 93 or more on air: 0; on oxygen 93–94: 1, 95–96: 2, 97 or more: 3.", "RCP NEWS2 (2017), Chart 1"),
            row("DET-NEWS2-4", "On oxygen scores 2; on air 0.", "RCP NEWS2 (2017), Chart 1"),
            row("DET-NEWS2-5", "Systolic blood pressure: 90 or less scores 3; 91–100: 2; 101–110: 1; 111–219: 0; 220 or more: 3.", "RCP NEWS2 (2017), Chart 1"),
            row("DET-NEWS2-6", "Pulse: 40 or less scores 3; 41–50: 1; 51–90: 0; 91–110: 1; 111–130: 2; 131 or more: 3.", "RCP NEWS2 (2017), Chart 1"),
            row("DET-NEWS2-7", "Consciousness: alert 0; new confusion, responds to voice, to pain, or unresponsive: 3.", "RCP NEWS2 (2017), Chart 1"),
            row("DET-NEWS2-8", "Temperature: 35.0 °C or less scores 3; 35.1–36.0: 1; 36.1–38.0: 0; 38.1–39.0: 1; 39.1 or more: 2.", "RCP NEWS2 (2017), Chart 1"),
            row("DET-NEWS2-TOTAL", "The total is given only for a complete set; an incomplete set names what is missing.", "RCP NEWS2 (2017)"),
            row("DET-NEWS2-BAND", "0: at least every 12 hours. 1–4: at least every 4–6 hours, a nurse assesses. A single 3: at least hourly, the clinician is told. 5–6: urgent response, at least hourly. 7 or more: emergency response, continuous monitoring.", "RCP NEWS2 (2017), Chart 4"),
            row("DET-BASE-1", Baseline.reasoning, "Own design; Age and Ageing 2019; Barker et al."),
            row("DET-BASE-2", "The usual is reviewed at least every 6 months and after a hospital stay (prompted on the resident's page).", "Own design, after RESTORE2 guidance (agree each resident's normal)"),
            row("DET-DUE-1", "After soft signs, or a set above the usual or in a band above 0 without a usual agreed, the next set is due as the RCP's band says (0: 12 hours; 1–4: 4 hours; a single 3 or 5–6: 1 hour; 7 or more: 15 minutes while help comes). A set at or below the usual, with no soft signs since, ends the extra observations.", "Own design on RCP NEWS2 Chart 4"),
            row("DET-OBS-1", "Impossible readings are refused with the reason (a saturation over 100%, a temperature of 3.7 °C); unusual but possible ones must be confirmed on a second look.", "Own design"),
            row("DET-ESC-1", "A route is suggested, never decided: the ReSPECT plan first when it puts comfort here; 999 at 7 or more or when responding only to pain or unresponsive; the 2-hour Urgent Community Response or the GP (NHS 111 out of hours) at 5–6 or a single 3; the nurse and the GP for advice when above the usual or after soft signs.", "Own design on RCP NEWS2 Chart 4; NHS England 2-hour Urgent Community Response"),
        ]
        let body = UI.table(caption: "Rules in use", headers: ["Rule", "What it does", "Source"], rows: rows)
            + UI.ruleReason("The soft signs list is our own, drawn from the signs NHS guidance names; this plugin does not reproduce any trademarked tool.", source: NEWS2.source)
        return .page(Page(title: "Deterioration: how it works", breadcrumbs: DeteriorationApp.crumbs(), containsPersonalData: false, body: body))
    }
}

/// The service other plugins resolve (`Services.deterioration`): the round's agenda reads it.
struct DeteriorationService: DeteriorationSource {
    let database: any CareDatabase

    func deteriorating(since: Date) throws -> [Int64: String] {
        let (sets, signs, escalations) = try database.read { db in
            (try DeteriorationStore.concerningObservations(since: since, in: db), try DeteriorationStore.softSigns(since: since, in: db),
             try DeteriorationStore.escalations(since: since, in: db))
        }
        var lines = [Int64: [String]]()
        for e in escalations {
            lines[e.residentID, default: []].append("Escalated \(HomeTime.display(e.calledAt)) (\(Wording.midSentence(e.route?.title ?? "")); \(Wording.midSentence(e.outcome?.title ?? "")))")
        }
        for (set, above) in sets where lines[set.residentID]?.contains(where: { $0.hasPrefix("NEWS2") }) != true {
            lines[set.residentID, default: []].append("NEWS2 \(set.score.total.map(String.init) ?? "incomplete") on \(HomeTime.display(set.takenAt))\(above ? ", above their usual" : "")")
        }
        for record in signs where lines[record.residentID]?.contains(where: { $0.hasPrefix("Soft signs") }) != true {
            lines[record.residentID, default: []].append("Soft signs \(HomeTime.display(record.noticedAt)): \(Wording.midSentence(record.summary))")
        }
        return lines.mapValues { $0.joined(separator: "; ") }
    }

    /// How far back the transfer summary looks: what happened in the days before the transfer.
    static let transferWindow: TimeInterval = 72 * 3600

    func forTransfer(residentID: Int64) throws -> [(heading: String, text: String)] {
        let since = Date().addingTimeInterval(-DeteriorationService.transferWindow)
        let (sets, signs, escalations) = try database.read { db in
            (try DeteriorationStore.observations(residentID: residentID, since: since, in: db),
             try DeteriorationStore.softSigns(residentID: residentID, since: since, in: db),
             try DeteriorationStore.escalations(residentID: residentID, since: since, in: db))
        }
        var lines: [(heading: String, text: String)] = []
        if let latest = sets.max(by: { $0.takenAt < $1.takenAt }) {
            let values = NEWS2.Parameter.allCases.map { "\(Wording.midSentence($0.title)) \(latest.display($0))" }.joined(separator: "; ")
            let total = latest.score.total.map { "NEWS2 \($0)" } ?? "NEWS2 incomplete"
            lines.append(("Latest observations", "\(HomeTime.display(latest.takenAt)): \(total). \(values)\(latest.scale == .two ? " (SpO2 scale 2)" : "")."))
        }
        if let sign = signs.max(by: { $0.noticedAt < $1.noticedAt }) {
            lines.append(("Soft signs", "\(HomeTime.display(sign.noticedAt)): \(sign.summary)"))
        }
        if let escalation = escalations.max(by: { $0.calledAt < $1.calledAt }) {
            var text = "\(HomeTime.display(escalation.calledAt)): \(escalation.route?.title ?? "Called")"
            if !escalation.calledWho.isEmpty { text += " (\(escalation.calledWho))" }
            if let outcome = escalation.outcome { text += ", \(Wording.midSentence(outcome.title))" }
            if !escalation.advice.isEmpty { text += ". Advice: \(escalation.advice)" }
            lines.append(("Escalation", text))
        }
        return lines
    }

    func observationFormPath(residentID: Int64, prompt: String) -> String {
        let encoded = prompt.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        return "/deterioration/residents/\(residentID)/observations/new?prompt=\(encoded)"
    }
}
