public import CareKit
public import CareServices
import Foundation

/// Medication review prompts: each resident's medicines, cited rules that flag who needs a
/// structured medication review and why, reconciliations, and the structured review itself.
public final class MedicationReviewPlugin: CarePlugin {
    public let manifest = PluginManifest(
        id: "medication-review", displayName: "Medication review", version: "1.0.0", requires: ["residents"],
        summary: "Medicines per resident, cited review prompts, reconciliations and structured medication reviews",
        routePrefixes: ["/medication"])

    /// The drug table, decoded once when the plugin is created (a bad table stops the plugin loading).
    let drugTable: Result<DrugTable, any Error>
    /// Today in the home (tests fix it).
    let today: @Sendable () -> Day

    /// Creates the plugin. `today` is for tests; the appliance uses the home's clock.
    public init(today: @escaping @Sendable () -> Day = { HomeTime.today() }) {
        self.today = today
        drugTable = Result { try DrugTable.shipped() }
    }

    public var migrations: [Migration] { MedicationSchema.migrations }

    func service(_ context: PluginContext) throws -> MedicationService {
        MedicationService(database: context.database, services: context.services, table: try drugTable.get(), today: today)
    }

    public func register(with registrar: any PluginRegistrar) throws {
        let context = registrar.context
        let service = try service(context)
        context.log.info("medication-review.drug-table-loaded", ["drug-table.version": service.table.version, "drug-table.count": String(service.table.medicines.count),
                                               "rules.version": MedicationRule.ruleSetVersion])
        let pages = MedicationPages(service: service, context: context)
        let view = Role.careTeam
        let edit = Role.clinicalEditors

        registrar.add(Route(.get, "/medication", roles: view, handler: pages.home))
        registrar.add(Route(.get, "/medication/rules", roles: view, handler: pages.rules))
        registrar.add(Route(.get, "/medication/residents/:id", roles: view, handler: pages.resident))
        registrar.add(Route(.get, "/medication/residents/:id/medicines/new", roles: edit, handler: pages.newMedicine))
        registrar.add(Route(.post, "/medication/residents/:id/medicines/new", roles: edit, handler: pages.newMedicine))
        registrar.add(Route(.get, "/medication/medicines/:id/edit", roles: edit, handler: pages.editMedicine))
        registrar.add(Route(.post, "/medication/medicines/:id/edit", roles: edit, handler: pages.editMedicine))
        registrar.add(Route(.get, "/medication/residents/:id/reconciliation", roles: edit, handler: pages.reconciliation))
        registrar.add(Route(.post, "/medication/residents/:id/reconciliation", roles: edit, handler: pages.reconciliation))
        registrar.add(Route(.get, "/medication/residents/:id/reviews/new", roles: edit, handler: pages.newReview))
        registrar.add(Route(.post, "/medication/residents/:id/reviews/new", roles: edit, handler: pages.newReview))
        for (path, target) in [("/medication/reviews/:id/entered-in-error", MedicationStore.ErrorTarget.review),
                               ("/medication/reconciliations/:id/entered-in-error", .reconciliation)] {
            registrar.add(Route(.get, path, roles: edit, handler: pages.enteredInError(target)))
            registrar.add(Route(.post, path, roles: edit, handler: pages.enteredInError(target)))
        }
        registrar.add(Route(.get, "/medication/prompts/:id/acknowledge", roles: edit, handler: pages.acknowledge))
        registrar.add(Route(.post, "/medication/prompts/:id/acknowledge", roles: edit, handler: pages.acknowledge))

        registrar.add(NavigationEntry(title: "Medication", path: "/medication", roles: view, order: 40))
        // A nurse acts on the prompts: near the top of their home screen, after the falls, observations and admissions.
        registrar.add(DashboardCard(id: "prompts", title: "Medication review", roles: view, order: 40, roleOrder: [.nurse: 6], render: pages.card))
        registrar.add(ResidentPanel(id: "medicines", title: "Medicines and review prompts", roles: view, order: 30, render: pages.panel))

        registrar.add(MetricSource(collect: service.metrics))
        registrar.add(MedicationFHIR(database: context.database, today: today) as any FHIRContributor)

        registrar.publish(Services.currentMedicines, service)
        registrar.publish(Services.medicationPrompts, service)
        registrar.publish(Services.medicationReviewFigures, service as any MedicationReviewFigures)

        registrar.onEvent { event in
            // Keep falls heard from the falls plugin, so the after-a-fall rule works even when its service is off.
            if case .fallRecorded(let residentID, let fallID, let at, _, _) = event {
                try context.database.write { try MedicationStore.recordFall($0, fallID: fallID, residentID: residentID, at: at) }
                context.log.info("medication-review.fall-noted", ["resident.id": String(residentID), "fall.id": String(fallID)])
            }
        }
    }

    public func seedDemoData(_ context: PluginContext, today day: Day) throws {
        try DemoMedicines.seed(context, today: day, table: try drugTable.get())
    }
}
