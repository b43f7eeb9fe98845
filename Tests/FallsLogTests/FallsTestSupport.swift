import Foundation
import Testing
import CareKit
import CareTesting
import ResidentsPlugin
import MedicationReviewPlugin
@testable import FallsLogPlugin

/// A test home with the real resident registry and the falls log, and residents added through the
/// registry's own form (so the ReSPECT headline and bed days come from the real plugin).
struct FallsHome {
    let home: TestHome
    var residentIDs: [Int64] = []

    init(residents: Int = 2) throws {
        try self.init(home: TestHome(plugins: [ResidentsPlugin(), FallsLogPlugin()]), residents: residents)
    }

    init(home: TestHome, residents: Int) throws {
        self.home = home
        let names = ["Margaret Ann Hughes", "Albert Owen", "Edith Jones", "Stanley Price", "Ivy Morgan"]
        for index in 0..<residents {
            residentIDs.append(try addResident(names[index % names.count], room: String(index + 1)))
        }
    }

    func addResident(_ name: String, room: String) throws -> Int64 {
        let admitted = HomeTime.today().adding(days: -200)
        let response = try home.post("/residents/new", as: .manager, form: [
            "full_name": name, "preferred_name": String(name.split(separator: " ")[0]), "date_of_birth": "1938-04-02",
            "room": room, "admission_type": "permanent", "admission_date": admitted.iso, "allergies": "None known",
            "plan_exists": "yes", "plan_kind": "respect", "plan_date": admitted.iso, "plan_location": "red folder",
            "plan_cpr": "not-for-cpr", "plan_hospital": "not-wanted", "plan_priority": "comfort",
        ])
        try #require(response.status == 303, "adding a resident failed: \(response.status) \(response.body.prefix(2000))")
        let location = try #require(response.location)
        return try #require(Int64(location.split(separator: "/").last.map(String.init) ?? ""))
    }

    /// A local time `minutesAgo` before now, as a `datetime-local` field sends it.
    static func input(minutesAgo: Int) -> String {
        HomeTime.inputValue(Date().addingTimeInterval(TimeInterval(-minutesAgo * 60)))
    }

    /// Records a fall through the quick-entry form and returns its id. `anotherFall`: answer "it is
    /// another fall" if a fall is already recorded within two hours (tests that record several).
    func quickFall(resident: Int64, minutesAgo: Int = 5, location: String = "lounge", witnessed: Bool = true,
                   injured: Bool = false, headStrike: String = "no", as role: Role = .carer, anotherFall: Bool = true) throws -> Int64 {
        var form = [
            "resident_id": String(resident), "occurred_at": FallsHome.input(minutesAgo: minutesAgo), "location": location,
            "witnessed": witnessed ? "yes" : "no", "injured": injured ? "yes" : "no", "head_strike": headStrike,
        ]
        if anotherFall { form["same_fall"] = "another" }
        let response = try home.post("/falls/new", as: role, form: form)
        try #require(response.status == 303, "quick entry failed: \(response.status) \(response.body.prefix(3000))")
        let location = try #require(response.location)
        let parts = location.split(separator: "/")
        return try #require(Int64(String(parts[1])))
    }

    /// Answers the I STUMBLE check: every point "no" except `yes`.
    func check(_ fallID: Int64, yes: [PostFallQuestion] = [], extra: [String: String] = [:]) throws -> TestResponse {
        var form = Dictionary(uniqueKeysWithValues: PostFallQuestion.allCases.map { ($0.rawValue, yes.contains($0) ? "yes" : "no") })
        form.merge(extra) { _, new in new }
        return try home.post("/falls/\(fallID)/check", as: .carer, form: form)
    }

    /// The full record's fields, all answered, as a nurse would complete it.
    static func completeForm(minutesAgo: Int = 5, upAfter: Int = 3, version: Int) -> [String: String] {
        [
            "version": String(version), "occurred_at": input(minutesAgo: minutesAgo), "witnessed": "yes",
            "up_at": input(minutesAgo: minutesAgo - upAfter), "location": "lounge", "activity": "walking", "footwear": "slippers",
            "walking_aid": "using", "call_bell": "not-applicable", "head_strike": "no", "injured": "no", "harm": "none",
            "conveyed": "no", "admitted": "no", "fracture": "no", "family_informed": "yes", "gp_informed": "yes",
            "care_plan_updated": "yes", "medication_review_requested": "no",
        ]
    }
}

extension String {
    /// How many times `needle` occurs.
    func occurrences(of needle: String) -> Int { components(separatedBy: needle).count - 1 }
}
