public import CareKit
public import CareServices
public import Foundation

/// The weekly home round: a prioritised agenda built from the other plugins' signals, the round
/// on a tablet one resident at a time, a printable sheet and GP summaries, and actions followed
/// to completion.
public final class HomeRoundPlugin: CarePlugin {
    public let manifest = PluginManifest(
        id: "home-round", displayName: "Home round", version: "1.0.0", requires: ["residents"],
        summary: "Weekly home round: prioritised agenda, round on a tablet, round sheet, GP summaries, actions and figures",
        routePrefixes: ["/rounds"])

    /// The clock (tests fix it; the appliance uses the system clock).
    let now: @Sendable () -> Date

    /// Creates the plugin with the system clock.
    public convenience init() { self.init(now: { Date() }) }

    /// Creates the plugin with a clock (tests).
    public init(now: @escaping @Sendable () -> Date) { self.now = now }

    public var migrations: [Migration] { RoundSchema.migrations }

    /// Who runs rounds: clinicians, nurses and the manager.
    static let runners: Set<Role> = Role.clinicalEditors
    /// Who opens a round: the manager or a nurse.
    static let openers: Set<Role> = [.nurse, .manager]

    public func register(with registrar: any PluginRegistrar) throws {
        registrar.add(PluginStylesheet(name: "home-round.css", css: PackageResources.home_round_css))
        let app = RoundApp(context: registrar.context, now: now)
        for route in app.routes { registrar.add(route) }
        registrar.add(NavigationEntry(title: "Home round", path: "/rounds", roles: HomeRoundPlugin.runners, order: 30))
        registrar.add(NavigationEntry(title: "Round actions", path: "/rounds/actions", roles: [.carer], order: 30))
        registrar.add(app.dashboardCard)
        registrar.add(app.residentPanel)
        registrar.add(MetricSource(collect: app.metrics))
        registrar.add(RoundFHIR(database: registrar.context.database) as any FHIRContributor)
        registrar.publish(Services.roundConcerns, ConcernService(store: app.store, now: now))
        registrar.publish(Services.roundFigures, RoundFiguresService(app: app) as any RoundFiguresSource)
        let store = app.store
        let log = registrar.context.log
        let clock = now
        registrar.onEvent { event in
            switch event {
            case .fallRecorded(let residentID, let fallID, let at, let headStrike, let injured):
                try store.recordFallEvent(fallID: fallID, resident: residentID, at: at, headStrike: headStrike, injured: injured, now: clock())
                log.info("home-round.fall-heard", ["resident.id": String(residentID), "fall.id": String(fallID)])
            case .residentLeft(let residentID, let day), .residentDied(let residentID, let day):
                // Closed, not deleted, with the reason: nobody can act on them now, and they must
                // not sit on the agenda or the action lists. Going to hospital closes nothing (most
                // residents come back); the lists show "In hospital" instead.
                let died: Bool
                if case .residentDied = event { died = true } else { died = false }
                let reason = died ? "Resident died on \(day.display)" : "Resident left the home on \(day.display)"
                let closed = try store.closeOpenItems(resident: residentID, reason: reason, at: clock())
                log.info("home-round.items-closed", ["resident.id": String(residentID), "event": event.name,
                                                     "concerns": String(closed.concerns), "actions": String(closed.actions)])
            default:
                break
            }
        }
    }

    public func seedDemoData(_ context: PluginContext, today: Day) throws {
        try DemoRounds(context: context, today: today, now: now).seed()
    }
}

/// Publishes "add to next round" for other plugins' pages.
struct ConcernService: RoundConcerns {
    let store: RoundStore
    let now: @Sendable () -> Date

    func raise(residentID: Int64, reason: String, by principal: Principal) throws {
        let text = reason.trimmingWhitespace()
        guard !text.isEmpty else { throw CareError.badRequest("Say why the resident should be seen at the next round.") }
        guard text.count <= 1000 else { throw CareError.badRequest("Shorten the reason to 1,000 characters or fewer.") }
        try store.raiseConcern(resident: residentID, reason: text, by: principal, at: now())
    }
}
