import CareKit
import CareServices
import MedicationReviewPlugin
import Testing

@Suite("Drug table")
struct DrugTableTests {
    let table: DrugTable

    init() throws { table = try DrugTable.shipped() }

    @Test("the shipped table covers at least 150 medicines and has a version")
    func coverage() {
        #expect(table.medicines.count >= 150)
        #expect(!table.version.isEmpty)
        #expect(table.sources["ACB"]?.contains("Boustani") == true)
        #expect(table.sources["STOPPFall"]?.contains("Seppala") == true)
    }

    @Test("every entry has a class, a BNF chapter, an ACB score 0–3 and a source for each fact")
    func everyEntryIsComplete() {
        for entry in table.medicines {
            #expect(!entry.drugClass.isEmpty, "\(entry.id) has no class")
            #expect((1...15).contains(entry.bnfChapter), "\(entry.id) chapter \(entry.bnfChapter)")
            #expect((0...3).contains(entry.acb), "\(entry.id) ACB \(entry.acb)")
            #expect(!entry.sources.acb.isEmpty && !entry.sources.stoppfall.isEmpty && !entry.sources.bnfChapter.isEmpty)
            for flag in entry.flags {
                #expect(MedicineFlag(rawValue: flag) != nil, "\(entry.id): unknown flag \(flag)")
                #expect(entry.sources.flags[flag] != nil, "\(entry.id): flag \(flag) has no source")
            }
            #expect(!entry.contains.isEmpty)
        }
    }

    @Test("ACB scores match the published scale for anchor medicines")
    func anchorScores() {
        let expected = ["Amitriptyline": 3, "Oxybutynin": 3, "Quetiapine": 3, "Chlorphenamine": 3, "Paroxetine": 3,
                        "Carbamazepine": 2, "Amantadine": 2, "Furosemide": 1, "Warfarin": 1, "Risperidone": 1,
                        "Codeine": 1, "Sertraline": 0, "Paracetamol": 0, "Amlodipine": 0]
        for (name, score) in expected {
            #expect(table.lookup(name)?.acb == score, "\(name) should score \(score)")
        }
    }

    @Test("falls-risk classes and flags follow STOPPFall, BNF and NG232")
    func anchorClasses() {
        #expect(table.lookup("Zopiclone")?.stoppfall != nil)
        #expect(table.lookup("Furosemide")?.stoppfall == "Diuretics")
        #expect(table.lookup("Tamsulosin")?.stoppfall != nil)
        #expect(table.lookup("Amlodipine")?.stoppfall == nil)
        #expect(table.lookup("Apixaban")?.has(.anticoagulant) == true)
        #expect(table.lookup("Clopidogrel")?.has(.antiplatelet) == true)
        #expect(table.lookup("Aspirin")?.has(.aspirin) == true)
        #expect(table.lookup("Pregabalin")?.has(.gabapentinoid) == true)
        #expect(table.lookup("Senna")?.has(.laxative) == true)
        #expect(table.lookup("Metformin")?.has(.sickDay) == true)
        #expect(table.lookup("Haloperidol")?.has(.antipsychotic) == true)
        #expect(table.lookup("Lorazepam")?.has(.benzodiazepine) == true)
    }

    @Test("names match as staff type them: brands, strengths, punctuation and case")
    func matching() {
        #expect(table.lookup("Eliquis")?.id == "apixaban")
        #expect(table.lookup("amlodipine 5mg tablets")?.id == "amlodipine")
        #expect(table.lookup("Co-Codamol 30/500")?.id == "co-codamol")
        #expect(table.lookup("  OXYNORM liquid ")?.id == "oxycodone")
        #expect(table.lookup("Ibuprofen gel 5%")?.id == "ibuprofen-gel")
        #expect(table.lookup("Ibuprofen 200 mg")?.id == "ibuprofen")
        #expect(table.lookup("Adcal-D3 chewable")?.id == "calcium-colecalciferol")
    }

    @Test("an unknown or misspelt medicine is not guessed")
    func unknownIsNotGuessed() {
        #expect(table.lookup("Amlodipene 5mg") == nil)
        #expect(table.lookup("Zzyxaprine") == nil)
        #expect(table.lookup("") == nil)
        #expect(table.lookup("5 mg") == nil)
    }

    @Test("a table where one name belongs to two medicines is refused")
    func ambiguousTableRefused() {
        let json = """
        {"version":"t","published":"x","sources":{},"medicines":[
        {"id":"a","name":"Alpha","synonyms":["Same"],"class":"c","bnfChapter":1,"acb":0,"stoppfall":null,"flags":[],"sickDayGroup":null,"contains":["a"],"sources":{"class":"s","bnfChapter":"s","acb":"s","stoppfall":"s","flags":{}}},
        {"id":"b","name":"Beta","synonyms":["Same"],"class":"c","bnfChapter":1,"acb":0,"stoppfall":null,"flags":[],"sickDayGroup":null,"contains":["b"],"sources":{"class":"s","bnfChapter":"s","acb":"s","stoppfall":"s","flags":{}}}]}
        """
        #expect(throws: (any Error).self) { try DrugTable.decode(Array(json.utf8)) }
    }
}
