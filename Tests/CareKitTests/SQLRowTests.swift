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

@Suite("Words inside sentences")
struct WordingTests {
    @Test("titles go lower case inside a sentence, but names, acronyms and two-word proper names keep their capitals")
    func midSentence() {
        #expect(Wording.midSentence("New or worse confusion") == "new or worse confusion")
        #expect(Wording.midSentence("New Year's Day (substitute day)") == "New Year's Day (substitute day)")
        #expect(Wording.midSentence("Good Friday") == "Good Friday")
        #expect(Wording.midSentence("Boxing Day") == "Boxing Day")
        #expect(Wording.midSentence("Alzheimer's disease") == "Alzheimer's disease")
        #expect(Wording.midSentence("Dementia with Lewy bodies") == "dementia with Lewy bodies")
        #expect(Wording.midSentence("Lewy body dementia") == "Lewy body dementia")
        #expect(Wording.midSentence("GP") == "GP")
        #expect(Wording.midSentence("EHCH items") == "EHCH items")
        #expect(Wording.midSentence("Vascular dementia") == "vascular dementia")
    }
}
