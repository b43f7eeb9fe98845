public import CareKit
public import CareServices
public import Foundation

/// The falls log: the post-fall protocol (I STUMBLE, NICE NG232 head injury advice, the 2-hour
/// Urgent Community Response), the full falls record with versions, follow-up checks, the NICE NG249
/// multifactorial assessment, and the falls figures.
public final class FallsLogPlugin: CarePlugin {
    public let manifest = PluginManifest(
        id: "falls-log", displayName: "Falls log", version: "1.0.0", requires: ["residents"],
        summary: "Falls: quick entry, post-fall check, follow-up checks, falls assessments, figures; publishes falls and the fall-recorded event",
        routePrefixes: ["/falls"])

    /// The clock the plugin reads (tests pass their own).
    let now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date = { Date() }) { self.now = now }

    public var migrations: [Migration] { FallsSchema.migrations }

    public func register(with registrar: any PluginRegistrar) throws {
        registrar.add(PluginStylesheet(name: "falls-log.css", css: PackageResources.falls_log_css))
        registrar.add(FallsApp.helpIcon)
        let app = FallsApp(context: registrar.context, now: now)
        let recorders = FallsApp.recorders, editors = FallsApp.editors
        let routes: [Route] = [
            Route(.get, "/falls", roles: recorders, handler: app.listFalls),
            Route(.get, "/falls/new", roles: recorders, handler: app.newFallForm),
            Route(.post, "/falls/new", roles: recorders, handler: app.createFall),
            Route(.get, "/falls/help", roles: recorders, handler: app.helpPage),
            Route(.get, "/falls/checks", roles: recorders, handler: app.dueChecksPage),
            Route(.get, "/falls/checks/:checkID", roles: recorders, handler: app.checkDoneForm),
            Route(.post, "/falls/checks/:checkID", roles: recorders, handler: app.saveCheckDone),
            Route(.get, "/falls/analytics", roles: recorders, handler: app.analytics),
            Route(.get, "/falls/analytics/falls.csv", roles: [.nurse, .manager, .clinician], handler: app.exportCSV),
            Route(.get, "/falls/assessments", roles: recorders, handler: app.assessmentsList),
            Route(.get, "/falls/assessments/:residentID", roles: recorders, handler: app.assessmentForm),
            Route(.post, "/falls/assessments/:residentID", roles: FallsApp.assessors, handler: app.saveAssessment),
            Route(.get, "/falls/assessments/:residentID/:assessmentID/amend", roles: FallsApp.assessors, handler: app.amendAssessmentForm),
            Route(.post, "/falls/assessments/:residentID/:assessmentID/amend", roles: FallsApp.assessors, handler: app.saveAmendedAssessment),
            Route(.get, "/falls/:id", roles: recorders, handler: app.showFall),
            Route(.get, "/falls/:id/check", roles: recorders, handler: app.checkForm),
            Route(.post, "/falls/:id/check", roles: recorders, handler: app.saveCheck),
            Route(.get, "/falls/:id/complete", roles: editors, handler: app.completeForm),
            Route(.post, "/falls/:id/complete", roles: editors, handler: app.saveComplete),
            Route(.get, "/falls/:id/amend", roles: editors, handler: app.amendForm),
            Route(.post, "/falls/:id/amend", roles: editors, handler: app.saveAmend),
            Route(.get, "/falls/:id/entered-in-error", roles: editors, handler: app.enteredInErrorForm),
            Route(.post, "/falls/:id/entered-in-error", roles: editors, handler: app.saveEnteredInError),
        ]
        for route in routes { registrar.add(route) }
        registrar.add(NavigationEntry(title: "Falls", path: "/falls", roles: recorders, order: 40))
        // A carer's and a nurse's home screen starts with recording a fall: one tap to the form.
        registrar.add(DashboardCard(id: "falls-record", title: "A fall?", roles: [.carer, .nurse, .manager], order: 60,
                                    roleOrder: [.carer: 1, .nurse: 1]) { _ in
            """
            <p>\(UI.buttonLink("Record a fall", to: "/falls/new"))</p>\
            <p class="hint">On the floor? Do not lift them yet: the eight-point check comes first on the form.</p>
            """
        })
        registrar.add(DashboardCard(id: "falls-checks-due", title: "Falls checks due now", roles: recorders, order: 20, roleOrder: [.carer: 2, .nurse: 3],
                                    render: app.dueChecksCard))
        registrar.add(DashboardCard(id: "falls-to-complete", title: "Fall records to complete", roles: editors, order: 25,
                                    render: app.toCompleteCard))
        registrar.add(DashboardCard(id: "falls-summary", title: "Falls", roles: recorders, order: 45, render: app.summaryCard))
        registrar.add(ResidentQuickAction(title: "Record a fall", roles: recorders, order: 1, kind: "primary") { "/falls/new?resident_id=\($0)" })
        registrar.add(ResidentPanel(id: "falls", title: "Falls", roles: recorders, order: 40, render: app.residentPanel))
        registrar.add(MetricSource(collect: app.metrics))
        registrar.publish(Services.falls, FallsSourceService(database: registrar.context.database) as any FallsSource)
        let context = registrar.context, now = now
        registrar.onEvent { event in
            // NICE NG249: a multifactorial falls assessment on moving in (FALL-NG249-1), repeated on
            // return from hospital, a re-admission (FALL-NG249-2). Never a second open prompt.
            let residentID: Int64, day: Day, promptedBy: String
            switch event {
            case .residentAdmitted(let id, let on): (residentID, day, promptedBy) = (id, on, "admission")
            case .residentReadmitted(let id, let on): (residentID, day, promptedBy) = (id, on, "readmission")
            default: return
            }
            let promptedAt = min(now(), HomeTime.startOf(day))
            try context.database.write { db in
                try FallsStore.promptAssessment(residentID: residentID, promptedBy: promptedBy, fallID: nil, at: promptedAt, in: db)
            }
            context.log.info("falls-log.assessment-prompted", ["resident.id": String(residentID), "prompted.by": promptedBy])
        }
    }

    public func seedDemoData(_ context: PluginContext, today: Day) throws {
        try FallsDemoData.seed(context, today: today)
    }
}
