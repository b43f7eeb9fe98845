import CareKit
import Testing

@Suite("Reading rows")
struct SQLRowTests {
    let row = SQLRow(columns: ["id", "name", "born", "gone"], values: [.integer(7), .text("Peggy"), .text("1938-03-12"), .null])

    @Test("typed readers read what the query returned; required readers refuse a NULL with a message, not blank data")
    func readers() throws {
        #expect(row.int64("id") == 7 && row.string("name") == "Peggy" && row.day("born") == Day(year: 1938, month: 3, day: 12))
        #expect(row.string("gone") == nil)
        #expect(try row.requiredString("name") == "Peggy")
        #expect(try row.requiredDay("born") == Day(year: 1938, month: 3, day: 12))
        #expect(throws: CareError.self) { try row.requiredString("gone") }
        #expect(row.has("gone") && !row.has("nmae"))
    }

    @Test("reading a column the query did not return stops a debug build (a misspelt name is never blank data)")
    func missingColumnStops() async {
        await #expect(processExitsWith: .failure) {
            let row = SQLRow(columns: ["id", "name"], values: [.integer(1), .text("Peggy")])
            _ = row.string("nmae")
        }
    }
}
