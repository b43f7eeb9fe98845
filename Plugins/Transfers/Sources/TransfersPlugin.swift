public import CareKit
public import CareServices
public import Foundation

/// Hospital transfers, their outcomes and the EHCH impact pack.
public final class TransfersPlugin: CarePlugin {
    public let manifest = PluginManifest(
        id: "transfers", displayName: "Hospital transfers", version: "1.0.0", requires: ["residents"],
        summary: "Hospital transfers and deaths, the MDT's avoidability review, admissions per 1,000 occupied bed days and the EHCH impact pack")

    let now: @Sendable () -> Date

    /// Creates the plugin. `now` is for tests; the appliance uses the real clock.
    public init(now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
    }

    public var migrations: [Migration] { TransfersSchema.migrations }

    public func register(with registrar: any PluginRegistrar) throws {
        registrar.add(PluginStylesheet(name: "transfers.css", css: PackageResources.transfers_css))
        let app = TransfersApp(context: registrar.context, now: now)
        let recorders = TransfersApp.recorders, reviewers = TransfersApp.reviewers
        let routes: [Route] = [
            Route(.get, "/transfers", roles: recorders, handler: app.home),
            Route(.get, "/transfers/new", roles: recorders, handler: app.newForm),
            Route(.post, "/transfers/new", roles: recorders, handler: app.create),
            Route(.get, "/transfers/figures", roles: recorders, handler: app.figuresPage),
            Route(.get, "/transfers/figures.csv", roles: recorders, handler: app.csv),
            Route(.get, "/transfers/pack", roles: recorders, handler: app.pack),
            Route(.get, "/transfers/voice/new", roles: recorders, handler: app.voiceForm),
            Route(.post, "/transfers/voice/new", roles: recorders, handler: app.saveVoice),
            Route(.get, "/transfers/deaths/:id", roles: reviewers, handler: app.deathForm),
            Route(.post, "/transfers/deaths/:id", roles: reviewers, handler: app.saveDeath),
            Route(.get, "/transfers/:id", roles: recorders, handler: app.show),
            Route(.post, "/transfers/:id/update", roles: recorders, handler: app.update),
            Route(.post, "/transfers/:id/review", roles: reviewers, handler: app.saveReview),
            Route(.post, "/transfers/:id/entered-in-error", roles: reviewers, handler: app.enteredInError),
        ]
        for route in routes { registrar.add(route) }
        // No navigation entry: the bar is full on a phone. The dashboard card (always shown, with the
        // transfers, the figures and the impact pack) and each resident's page lead here. On the manager's
        // home screen it comes second, after the admissions clock: compliance at a glance.
        registrar.add(DashboardCard(id: "transfers-review", title: "Hospital transfers", roles: recorders, order: 30, roleOrder: [.manager: 11], render: app.reviewCard))
        registrar.add(ResidentPanel(id: "transfers", title: "Hospital transfers", roles: recorders, order: 30, render: app.residentPanel))
        registrar.add(MetricSource(collect: app.metrics))
        registrar.publish(Services.transferReviews, TransferReviewService(database: registrar.context.database, now: now) as any TransferReviewSource)
        registrar.publish(Services.currentTransfer, CurrentTransferService(database: registrar.context.database) as any CurrentTransferSource)
        registrar.onEvent { event in try app.handle(event) }
    }

    public func seedDemoData(_ context: PluginContext, today: Day) throws {
        try TransfersDemoData.seed(context, today: today)
    }
}
