import CareKit
import Foundation
import Testing

@Suite("FHIR values and builders for plugins")
struct FHIRTests {
    static func json(_ value: FHIRValue) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value.foundationObject, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }

    @Test("an object leaves out a key whose value is nil, and decimals are written as a person would")
    func objects() throws {
        let note: String? = nil
        let value: FHIRValue = ["status": "final", "note": note.map(FHIRValue.string), "value": .decimal(36.6), "weight": .decimal(80), "count": 3, "ok": true]
        #expect(try FHIRTests.json(value) == #"{"count":3,"ok":true,"status":"final","value":36.6,"weight":80}"#)
        #expect(value["status"]?.text == "final")
        #expect(value.setting("status", "amended")["status"]?.text == "amended")
    }

    @Test("a resource's narrative is its summary, escaped, and resourceType and id come from the resource")
    func narrative() throws {
        let resource = FHIRResource(type: "Flag", id: "acp-1", residentID: 1, date: nil, summary: "Not for CPR <ReSPECT> & comfort first",
                                    ["id": "wrong", "status": "active"])
        let text = try FHIRTests.json(resource.json)
        #expect(text.contains(#""div":"<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Not for CPR &lt;ReSPECT&gt; &amp; comfort first</p></div>""#))
        #expect(text.contains(#""id":"acp-1""#) && !text.contains("wrong"))
        #expect(text.contains(#""resourceType":"Flag""#))
        #expect(resource.reference == "Flag/acp-1")
    }

    @Test("a GP practice's id is the same for the same name in any case or spacing, and differs between practices")
    func practiceIDs() {
        #expect(FHIR.practiceID("Riverside Medical Centre") == FHIR.practiceID("  riverside   medical centre "))
        #expect(FHIR.practiceID("Riverside Medical Centre") != FHIR.practiceID("Riverside Surgery"))
        #expect(FHIR.practiceID("Riverside Medical Centre").hasPrefix("gp-"))
    }

    @Test("a read by id reaches only the table whose ids it can name")
    func rowFilter() {
        #expect(FHIR.rowFilter(FHIRQuery(types: ["Observation"], id: "obs-40-news2"), prefix: "obs-")?.arguments == [.integer(40)])
        #expect(FHIR.rowFilter(FHIRQuery(types: ["Observation"], id: "soft-7"), prefix: "obs-") == nil)
        #expect(FHIR.rowFilter(FHIRQuery(types: ["Observation"], id: "obs-x"), prefix: "obs-") == nil)
        #expect(FHIR.rowFilter(FHIRQuery(types: ["Observation"]), prefix: "obs-")?.sql == "1 = 1")
        #expect(FHIR.residentFilter(FHIRQuery(types: ["Observation"], residentID: 9)).arguments == [.integer(9)])
    }

    @Test("a concept known only by words carries no coding; a coded one carries its words too")
    func concepts() throws {
        #expect(try FHIRTests.json(FHIR.text("Osteoarthritis of both knees")) == #"{"text":"Osteoarthritis of both knees"}"#)
        let coded = try FHIRTests.json(FHIR.concept(system: FHIR.loinc, code: "8867-4", display: "Heart rate"))
        #expect(coded == #"{"coding":[{"code":"8867-4","display":"Heart rate","system":"http://loinc.org"}],"text":"Heart rate"}"#)
        #expect(FHIR.period(start: nil, end: nil) == nil)
        #expect(FHIR.note("   ") == nil)
    }
}
