public import CareKit
public import CareServices
public import Foundation

/// Deterioration: soft signs a carer notices, observations and NEWS2 (RCP 2017) shown against each
/// resident's own usual, when the next set is due, and the escalation call with an SBARD handover.
public final class DeteriorationPlugin: CarePlugin {
    public let manifest = PluginManifest(
        id: "deterioration", displayName: "Deterioration", version: "1.0.0", requires: ["residents"],
        summary: "Soft signs, observations and NEWS2 against each resident's usual, observations due, escalation with SBARD; publishes deterioration for the round")

    let now: @Sendable () -> Date

    /// Creates the plugin. `now` is for tests; the appliance uses the real clock.
    public init(now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
    }

    public var migrations: [Migration] { DeteriorationSchema.migrations }

    public func register(with registrar: any PluginRegistrar) throws {
        let app = DeteriorationApp(context: registrar.context, now: now)
        let recorders = DeteriorationApp.recorders, clinical = DeteriorationApp.clinical
        let routes: [Route] = [
            Route(.get, "/deterioration", roles: recorders, handler: app.homeList),
            Route(.get, "/deterioration/rules", roles: recorders, handler: app.rulesPage),
            Route(.get, "/deterioration/residents/:id", roles: recorders, handler: app.residentPage),
            Route(.get, "/deterioration/residents/:id/soft-signs/new", roles: recorders, handler: app.softSignsForm),
            Route(.post, "/deterioration/residents/:id/soft-signs/new", roles: recorders, handler: app.saveSoftSigns),
            Route(.get, "/deterioration/residents/:id/observations/new", roles: recorders, handler: app.observationsForm),
            Route(.post, "/deterioration/residents/:id/observations/new", roles: recorders, handler: app.saveObservations),
            Route(.get, "/deterioration/residents/:id/baseline", roles: clinical, handler: app.baselineForm),
            Route(.post, "/deterioration/residents/:id/baseline", roles: clinical, handler: app.saveBaseline),
            Route(.get, "/deterioration/residents/:id/spo2-target", roles: clinical, handler: app.spo2TargetForm),
            Route(.post, "/deterioration/residents/:id/spo2-target", roles: clinical, handler: app.saveSpO2Target),
            Route(.get, "/deterioration/residents/:id/escalate", roles: recorders, handler: app.escalationScreen),
            Route(.post, "/deterioration/residents/:id/escalate", roles: clinical, handler: app.saveEscalation),
            Route(.get, "/deterioration/observations/:id", roles: recorders, handler: app.showObservations),
            Route(.post, "/deterioration/observations/:id/entered-in-error", roles: DeteriorationApp.editors, handler: app.observationsEnteredInError),
        ]
        for route in routes { registrar.add(route) }
        // No navigation entry: the bar is full on a phone. Staff reach it from the dashboard card (always
        // shown, with the link to the whole list) and from every resident's page.
        registrar.add(DashboardCard(id: "deterioration-due", title: "Observations due", roles: recorders, order: 18,
                                    roleOrder: [.carer: 3, .nurse: 4], render: app.dueCard))
        registrar.add(DashboardCard(id: "deterioration-concern", title: "Deteriorating: above their usual or in a trigger band",
                                    roles: [.nurse, .manager, .clinician], order: 12, roleOrder: [.nurse: 2], render: app.concernCard))
        registrar.add(ResidentQuickAction(title: "Soft signs", roles: recorders, order: 2) { "/deterioration/residents/\($0)/soft-signs/new" })
        registrar.add(ResidentQuickAction(title: "Observations", roles: recorders, order: 3) { "/deterioration/residents/\($0)/observations/new" })
        registrar.add(ResidentQuickAction(title: "Escalate", roles: recorders, order: 4, kind: "warning") { "/deterioration/residents/\($0)/escalate" })
        registrar.add(ResidentPanel(id: "deterioration", title: "Deterioration", roles: recorders, order: 15, render: app.residentPanel))
        registrar.add(MetricSource(collect: app.metrics))
        registrar.add(DeteriorationFHIR(database: registrar.context.database) as any FHIRContributor)
        registrar.publish(Services.deterioration, DeteriorationService(database: registrar.context.database) as any DeteriorationSource)
    }

    public func seedDemoData(_ context: PluginContext, today: Day) throws {
        try DeteriorationDemoData.seed(context, today: today)
    }
}
