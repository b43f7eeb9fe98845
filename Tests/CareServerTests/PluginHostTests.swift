import CareKit
import CareServer
import CareTesting
import Foundation
import Testing

@Suite("Plugin host: ordering and refusals")
struct PluginHostTests {
    func status(_ home: TestHome, _ id: String) -> PluginStatus? { home.statuses.first { $0.id == id } }

    @Test("plugins load in `requires` order whatever order they were found in")
    func requiresOrder() throws {
        let home = try TestHome(plugins: [FakePlugin("c", requires: ["b"]), FakePlugin("b", requires: ["a"]), FakePlugin("a")])
        #expect(home.appliance.host.loadOrder == ["a", "b", "c"])
    }

    @Test("a missing requirement refuses the plugin with a reason; the others load")
    func missingRequirement() throws {
        let home = try TestHome(plugins: [FakePlugin("falls", requires: ["registry"]), FakePlugin("other")])
        #expect(status(home, "falls")?.state == .failed)
        #expect(status(home, "falls")?.reason == "requires registry, which is not installed")
        #expect(status(home, "other")?.state == .loaded)
    }

    @Test("a requirement cycle refuses every plugin in it and names the cycle")
    func cycle() throws {
        let home = try TestHome(plugins: [FakePlugin("a", requires: ["b"]), FakePlugin("b", requires: ["a"]), FakePlugin("c")])
        #expect(status(home, "a")?.state == .failed)
        #expect(status(home, "b")?.state == .failed)
        #expect(status(home, "a")?.reason?.contains("requirement cycle: a → b → a") == true)
        #expect(status(home, "c")?.state == .loaded)
    }

    @Test("a second plugin with the same id is refused")
    func duplicateID() throws {
        let home = try TestHome(plugins: [FakePlugin("same", routes: [(.get, "/one")]), FakePlugin("same", routes: [(.get, "/two")])])
        #expect(home.statuses.filter { $0.id == "same" && $0.state == .loaded }.count == 1)
        #expect(home.statuses.contains { $0.id == "same" && $0.state == .failed && ($0.reason?.contains("already has the id same") ?? false) })
        #expect(try home.get("/one", as: .nurse).status == 200)
        #expect(try home.get("/two", as: .nurse).status == 404)
    }

    @Test("a route that clashes with another plugin's refuses the later plugin entirely")
    func routeClash() throws {
        let home = try TestHome(plugins: [FakePlugin("first", routes: [(.get, "/things/:id")]),
                                          FakePlugin("second", routes: [(.get, "/second"), (.get, "/things/:thing")])])
        #expect(status(home, "second")?.state == .failed)
        #expect(status(home, "second")?.reason == "route GET /things/:thing clashes with /things/:id of plugin first")
        #expect(try home.get("/second", as: .nurse).status == 404, "none of a refused plugin's routes may serve")
        #expect(try home.get("/things/3", as: .nurse).body == "GET /things/:id")
    }

    @Test("a table without the plugin's prefix, or not STRICT, is rolled back and the plugin refused")
    func tableRules() throws {
        let home = try TestHome(plugins: [
            FakePlugin("tidy", migrations: [Migration(1, "bad name", sql: "CREATE TABLE residents (id INTEGER) STRICT;")]),
            FakePlugin("loose", migrations: [Migration(1, "not strict", sql: "CREATE TABLE loose_things (id INTEGER);")]),
        ])
        #expect(status(home, "tidy")?.reason?.contains("creates table residents, which does not start with tidy_") == true)
        #expect(status(home, "loose")?.reason?.contains("table loose_things is not STRICT") == true)
        let tables = try home.appliance.home.pool.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_schema WHERE name IN ('residents', 'loose_things')") }
        #expect(tables.isEmpty)
    }

    @Test("a plugin id reserved by the server is refused")
    func reservedID() throws {
        let home = try TestHome(plugins: [FakePlugin("admin")])
        #expect(status(home, "admin")?.reason?.contains("reserved") == true)
    }

    @Test("a literal route wins over a parameter route")
    func literalBeatsParameter() throws {
        let home = try TestHome(plugins: [FakePlugin("r", routes: [(.get, "/r/:id"), (.get, "/r/new")])])
        #expect(try home.get("/r/new", as: .carer).body == "GET /r/new")
        #expect(try home.get("/r/5", as: .carer).body == "GET /r/:id")
    }
}

import GRDB
