public import CareKit

/// The resident registry: residents and their movements, the home profile, the EHCH
/// 7-working-day admission clock, and the directory every other plugin reads residents from.
public final class ResidentsPlugin: CarePlugin {
    public let manifest = PluginManifest(
        id: "residents", displayName: "Residents", version: "1.0.0", requires: [],
        summary: "Resident registry, movements and occupancy, home profile, EHCH 7-working-day admission clock, transfer summary")

    /// Today in the home; tests pass a fixed day.
    let today: @Sendable () -> Day

    /// Creates the plugin. `today` is for tests; the appliance uses the home's calendar day.
    public init(today: @escaping @Sendable () -> Day = { HomeTime.today() }) {
        self.today = today
    }

    public var migrations: [Migration] { Schema.migrations }

    public func register(with registrar: any PluginRegistrar) throws {
        let context = registrar.context
        let stores = Stores(database: context.database)
        // Services first, so that plugins loading after this one can resolve them at once.
        registrar.publish(Services.residentDirectory, stores.directory)
        registrar.publish(Services.homeProfile, RegistryHomeProfile(profiles: stores.profiles))
    }

    public func seedDemoData(_ context: PluginContext, today: Day) throws {}
}

/// The registry's stores over one database.
struct Stores: Sendable {
    let residents: ResidentStore
    let profiles: HomeProfileStore
    let clocks: ClockStore

    init(database: any CareDatabase) {
        residents = ResidentStore(database: database)
        profiles = HomeProfileStore(database: database)
        clocks = ClockStore(database: database, residents: residents, profiles: profiles)
    }

    var directory: RegistryDirectory { RegistryDirectory(residents: residents, clocks: clocks, profiles: profiles) }
}
