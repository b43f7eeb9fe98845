public import CareKit
public import CareServices

/// The resident registry: residents and their movements, the home profile, the EHCH
/// 7-working-day admission clock, and the directory every other plugin reads residents from.
public final class ResidentsPlugin: CarePlugin {
    public let manifest = PluginManifest(
        id: "residents", displayName: "Residents", version: "1.0.0", requires: [],
        summary: "Resident registry, movements and occupancy, home profile, EHCH 7-working-day admission clock, transfer summary",
        routePrefixes: ["/residents", "/admissions", "/home-profile"])

    /// Today in the home; tests pass a fixed day.
    let today: @Sendable () -> Day

    /// Creates the plugin. `today` is for tests; the appliance uses the home's calendar day.
    public init(today: @escaping @Sendable () -> Day = { HomeTime.today() }) {
        self.today = today
    }

    public var migrations: [Migration] { Schema.migrations }

    public func register(with registrar: any PluginRegistrar) throws {
        registrar.add(PluginStylesheet(name: "residents.css", css: PackageResources.residents_css))
        let context = registrar.context
        let stores = Stores(database: context.database)
        // Services first, so that plugins loading after this one can resolve them at once.
        registrar.publish(Services.residentDirectory, stores.directory)
        registrar.publish(Services.homeProfile, RegistryHomeProfile(profiles: stores.profiles))
        registrar.publish(Services.residentMovements, RegistryMovementRecorder(residents: stores.residents, today: today) as any ResidentMovementRecorder)

        let residents = ResidentPages(context: context, stores: stores, today: today)
        let movements = MovementPages(pages: residents)
        let clocks = ClockPages(pages: residents)
        let paper = PrintPages(pages: residents)
        let imports = ImportPages(pages: residents)
        let profile = HomeProfilePages(context: context, stores: stores, today: today)
        let photos = PhotoPages(pages: residents)

        // Fixed paths before `:id` patterns, so that /residents/new is never read as a resident id.
        let routes: [Route] = [
            Route(.get, "/residents", roles: Access.view, handler: residents.list),
            Route(.get, "/residents/new", roles: Access.edit, handler: residents.newForm),
            Route(.post, "/residents/new", roles: Access.edit, handler: residents.create),
            Route(.get, "/residents/print", roles: Access.view, handler: paper.list),
            Route(.get, "/residents/import", roles: Access.manage, handler: imports.form),
            Route(.post, "/residents/import", roles: Access.manage, handler: imports.preview),
            Route(.post, "/residents/import/confirm", roles: Access.manage, handler: imports.confirm),
            Route(.get, "/residents/:id", roles: Access.view, handler: residents.show),
            Route(.get, "/residents/:id/edit", roles: Access.edit, handler: residents.editForm),
            Route(.post, "/residents/:id/edit", roles: Access.edit, handler: residents.amend),
            Route(.get, "/residents/:id/entered-in-error", roles: Access.edit, handler: residents.enteredInErrorForm),
            Route(.post, "/residents/:id/entered-in-error", roles: Access.edit, handler: residents.markEnteredInError),
            Route(.get, "/residents/:id/movements", roles: Access.edit, handler: movements.show),
            Route(.post, "/residents/:id/movements", roles: Access.edit, handler: movements.record),
            Route(.post, "/residents/:id/movements/:movement/correct", roles: Access.edit, handler: movements.correct),
            Route(.get, "/residents/:id/photo", roles: Access.edit, handler: photos.form),
            Route(.post, "/residents/:id/photo", roles: Access.edit, handler: photos.upload),
            Route(.post, "/residents/:id/photo/remove", roles: Access.edit, handler: photos.remove),
            Route(.get, "/residents/:id/photos/:photo", roles: Access.view, handler: photos.image),
            Route(.get, "/residents/:id/history", roles: Access.view, handler: clocks.history),
            Route(.get, "/residents/:id/transfer-summary", roles: Access.view, handler: paper.transferSummary),
            Route(.get, "/residents/:id/clock", roles: Access.view, handler: clocks.show),
            Route(.post, "/residents/:id/clock/assessment", roles: Access.clock) { try clocks.record(.assessment, $0) },
            Route(.post, "/residents/:id/clock/care-plan", roles: Access.clock) { try clocks.record(.carePlan, $0) },
            Route(.post, "/residents/:id/clock/medication-review", roles: Access.clock) { try clocks.record(.medicationReviewFlag, $0) },
            Route(.post, "/residents/:id/clock/entries/:entry/error", roles: Access.clock, handler: clocks.markInError),
            Route(.get, "/admissions", roles: Access.view, handler: clocks.openClocks),
            Route(.get, "/home-profile", roles: Access.view, handler: profile.show),
            Route(.get, "/home-profile/edit", roles: Access.manage, handler: profile.editForm),
            Route(.post, "/home-profile/edit", roles: Access.manage, handler: profile.save),
        ]
        for route in routes { registrar.add(route) }

        registrar.add(NavigationEntry(title: "Residents", path: "/residents", roles: Access.view, order: 10))
        registrar.add(NavigationEntry(title: "Admissions", path: "/admissions", roles: Access.view, order: 11))
        registrar.add(NavigationEntry(title: "Home profile", path: "/home-profile", roles: Access.manage, order: 90))
        let metrics = RegistryMetrics(stores: stores, today: today)
        registrar.add(MetricSource(collect: metrics.collect))
        registrar.add(RegistryFHIR(stores: stores, today: today) as any FHIRContributor)

        // A completed structured medication review means the resident was flagged for one: tick the
        // SMR flag on an open clock so that nobody records it twice.
        // Items ticked at the home round go on the clock too, with where they came from: nobody types them twice.
        registrar.onEvent { event in
            switch event {
            case .medicationReviewCompleted(let residentID, let day):
                if try stores.clocks.recordFlagFromCompletedReview(residentID: residentID, on: day, today: self.today()) {
                    context.log.info("residents.smr-flag-recorded", ["resident.id": String(residentID)])
                }
            case .clockItemsDone(let residentID, let items, let day, let source, let person):
                let recorded = try stores.clocks.recordDoneElsewhere(items, residentID: residentID, on: day, source: source, by: person, today: self.today())
                if !recorded.isEmpty {
                    context.log.info("residents.clock-items-recorded", ["resident.id": String(residentID),
                                                                                  "clock.items": recorded.map(\.rawValue).joined(separator: ",")])
                }
            default:
                return
            }
        }

        // Each line opens the clock at the form of the item to do first (ClockPages.card).
        registrar.add(DashboardCard(id: "admission-clocks", title: "Admissions: 7-working-day clock", roles: Access.view, order: 10, roleOrder: [.carer: 80, .nurse: 5],
                                    render: clocks.card))
        registrar.add(DashboardCard(id: "occupancy", title: "Residents", roles: Access.view, order: 11, roleOrder: [.carer: 5]) { _ in
            try OccupancyCard.render(stores: stores, today: self.today())
        })
    }

    public func seedDemoData(_ context: PluginContext, today: Day) throws {
        try DemoData.seed(context, stores: Stores(database: context.database), today: today)
    }
}

/// The registry's stores over one database.
struct Stores: Sendable {
    let residents: ResidentStore
    let profiles: HomeProfileStore
    let clocks: ClockStore
    let photos: PhotoStore

    init(database: any CareDatabase) {
        residents = ResidentStore(database: database)
        profiles = HomeProfileStore(database: database)
        clocks = ClockStore(database: database, residents: residents, profiles: profiles)
        photos = PhotoStore(database: database, residents: residents)
    }

    var directory: RegistryDirectory { RegistryDirectory(residents: residents, clocks: clocks, profiles: profiles) }
}

/// The dashboard's residents card: who is here tonight, who is in hospital, occupied bed days.
enum OccupancyCard {
    static func render(stores: Stores, today: Day) throws -> HTML {
        let current = try stores.residents.residents(statuses: [.livingHere, .inHospital])
        let inHospital = current.filter { $0.status == .inHospital }
        let monthStart = Day(year: today.year, month: today.month, day: 1) ?? today
        let bedDays = try stores.directory.occupiedBedDays(from: monthStart, to: today)
        var html: HTML = "<p>\(current.count - inHospital.count) living here, \(inHospital.count) in hospital. Occupied bed days this month: \(bedDays).</p>"
        if !inHospital.isEmpty {
            let items = inHospital.map { r -> HTML in
                let since = r.movements.last.map { " since \($0.on.displayShort)" } ?? ""
                return "<li><a href=\"\(r.path)\">\(r.record.displayName)</a>\(since)</li>"
            }
            html += "<ul>\(items)</ul>"
        }
        return html + "<p><a href=\"/residents\">All residents</a></p>"
    }
}
