import CareKit
import CareServices
import Foundation

/// The plugin while it serves: route handlers, cards, panels, metrics and the service share this value.
struct DeteriorationApp: Sendable {
    let context: PluginContext
    /// The clock; tests pin it.
    var now: @Sendable () -> Date = { Date() }

    /// Carers record soft signs and observations (and everyone who cares for residents may).
    static let recorders: Set<Role> = Role.careTeam
    /// Nurses and visiting clinicians set baselines and SpO2 targets and record escalations.
    static let clinical: Set<Role> = [.nurse, .clinician]
    /// Who marks a set entered in error: nurses, clinicians and the manager.
    static let editors: Set<Role> = [.nurse, .clinician, .manager]

    var database: any CareDatabase { context.database }
    var today: Day { HomeTime.day(of: now()) }

    // MARK: Residents

    func directory() throws -> any ResidentDirectory {
        try context.services.require(Services.residentDirectory, orSay: "The resident list is not available just now: write the observations on paper and enter them later.")
    }

    func resident(_ request: Request, _ name: String = "id") throws -> ResidentSummary {
        guard let resident = try directory().resident(id: try request.id(name)) else { throw CareError.notFound("No such resident.") }
        return resident
    }

    func homeName() -> String {
        (try? context.services.resolve(Services.homeProfile)?.profile().name) ?? ""
    }

    /// Everything about one resident the pages need, read in one transaction.
    struct Picture: Sendable {
        var baseline: Baseline?
        var baselineVersions: [Baseline]
        var target: SpO2Target?
        var sets: [ObservationSet]
        var softSigns: [SoftSignsRecord]
        var escalations: [DeteriorationStore.Escalation]

        var latest: ObservationSet? { sets.last }
        var scale: NEWS2.SpO2Scale { target?.scale ?? .one }
    }

    /// A resident's record over `days` days (6 months for the long trend).
    func picture(_ residentID: Int64, days: Int = 14) throws -> Picture {
        let since = now().addingTimeInterval(-Double(days) * 86_400)
        return try database.read { db in
            let versions = try DeteriorationStore.baselines(residentID: residentID, in: db)
            return Picture(baseline: versions.first, baselineVersions: versions,
                           target: try DeteriorationStore.spo2Target(residentID: residentID, in: db),
                           sets: try DeteriorationStore.observations(residentID: residentID, since: since, in: db),
                           softSigns: try DeteriorationStore.softSigns(residentID: residentID, since: now().addingTimeInterval(-72 * 3600), in: db),
                           escalations: try DeteriorationStore.escalations(residentID: residentID, since: now().addingTimeInterval(-90 * 86_400), in: db))
        }
    }

    /// When the next set is due, and why; nil when no further set is due (DET-DUE-1, own design on the
    /// RCP's monitoring frequencies): after a set above the usual, in a band above 0 with no baseline,
    /// or after soft signs, the next set is due as the band says; a set at or below the usual, with no
    /// soft signs since, ends the extra observations.
    static func nextDue(latest: ObservationSet?, aboveUsual: Bool, baseline: Baseline?, softSignsSince: Date?) -> (at: Date, why: String)? {
        guard let latest else {
            if let noticed = softSignsSince { return (noticed, "Soft signs noticed: take a set of observations now.") }
            return nil
        }
        if let noticed = softSignsSince, noticed > latest.takenAt {
            return (noticed, "Soft signs noticed after the last set: take a set now.")
        }
        let score = latest.score
        guard let band = score.band else {
            return (latest.takenAt, "The last set was incomplete (\(score.missing.map { Wording.midSentence($0.title) }.joined(separator: ", ")) missing): complete it.")
        }
        let atUsual = baseline.map { !aboveUsual && (score.total ?? 0) <= $0.usualNEWS2 } ?? (band == .zero)
        if atUsual && softSignsSince == nil { return nil }
        let minutes = band.nextSetMinutes
        return (latest.takenAt.addingTimeInterval(Double(minutes) * 60), "\(band.title): \(band.monitoring.lowercased()) (RCP).")
    }

    // MARK: Shared page parts

    static func crumbs(_ resident: ResidentSummary? = nil) -> [(title: String, path: String)] {
        var list: [(title: String, path: String)] = [("Deterioration", "/deterioration")]
        if let resident { list.append((resident.label, "/deterioration/residents/\(resident.id)")) }
        return list
    }

    /// A score with each parameter's sub-score, in a table staff can read on a phone.
    static func scoreTable(_ set: ObservationSet, caption: String) -> HTML {
        let score = set.score
        let rows = NEWS2.Parameter.allCases.map { parameter -> [HTML] in
            let sub = score.subScores[parameter]
            let cell: HTML = sub.map { "<span class=\"det-sub det-sub-\($0)\">\($0)</span>" } ?? UI.tag("Not measured", colour: "yellow")
            return [HTML(text: parameter.title), HTML(text: set.display(parameter)), cell]
        }
        var total: HTML
        if let t = score.total { total = "<p class=\"det-total\">NEWS2 total <strong>\(String(t))</strong>\(set.scale == .two ? " (SpO2 scale 2)" : "")</p>" }
        else { total = UI.banner(.warning, title: "No total: \(score.missing.map { Wording.midSentence($0.title) }.joined(separator: ", ")) not measured",
                                 "<p>NEWS2 is only added up from a complete set.</p>") }
        return UI.table(caption: caption, headers: ["Observation", "Reading", "Score"], rows: rows) + total
    }

    /// The band, what the RCP says to do and how often to observe, with the source.
    static func bandPanel(_ score: NEWS2.Score) -> HTML {
        guard let band = score.band else { return .empty }
        let tone: UI.Tone = band >= .medium ? .danger : band == .lowMediumSingleThree ? .warning : .info
        return UI.banner(tone, title: band.title, """
        <p>\(band.response)</p><p>Monitoring: \(band.monitoring).</p>\(UI.why(ruleID: "DET-NEWS2-BAND", source: NEWS2.source))
        """)
    }

    /// The set against the resident's usual.
    static func baselinePanel(_ set: ObservationSet, baseline: Baseline?, residentID: Int64, canSet: Bool) -> HTML {
        guard let baseline else {
            let link: HTML = canSet ? " " + UI.link("Agree their usual observations", to: "/deterioration/residents/\(residentID)/baseline") : ""
            return UI.banner(.warning, title: "No usual observations agreed", "<p>Without them a rise from their usual cannot be seen.\(link)</p>")
        }
        let comparison = baseline.compare(set.score)
        let why: HTML = "<details class=\"why\"><summary>Why?</summary><p>\(Baseline.reasoning)</p><p class=\"rule-source\">Rule DET-BASE-1. Source: own design; evidence as cited.</p></details>"
        if comparison.isFlagged {
            return UI.banner(.warning, title: "Above their usual: \(comparison.summary)", "<p>Tell the nurse in charge now, whatever the total.</p>\(why)")
        }
        return "<p class=\"det-compare\">\(comparison.summary).</p>\(why)"
    }

    /// The ReSPECT / advance care plan headline, wherever a decision about hospital is made.
    static func planBanner(_ resident: ResidentSummary) -> HTML {
        UI.banner(EscalationAdvice.comfortCareHere(resident.advanceCarePlan) ? .warning : .info,
                  title: "ReSPECT and advance care plan", "<p>\(resident.advanceCarePlan.summary)</p>")
    }

    /// The quick actions at the top of a resident's deterioration page.
    static func quickActions(_ residentID: Int64, role: Role) -> HTML {
        var actions = [UI.buttonLink("Soft signs", to: "/deterioration/residents/\(residentID)/soft-signs/new"),
                       UI.buttonLink("Observations", to: "/deterioration/residents/\(residentID)/observations/new", kind: "secondary"),
                       UI.buttonLink("Escalate", to: "/deterioration/residents/\(residentID)/escalate", kind: "warning")]
        if !DeteriorationApp.recorders.contains(role) { actions = [] }
        return "<p class=\"det-actions\">\(actions.reduce(HTML.empty) { $0 + $1 + " " })</p>"
    }
}
