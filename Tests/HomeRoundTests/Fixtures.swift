import CareKit
import CareServices
import Foundation
@testable import HomeRoundPlugin

/// A day in tests (the dates used are real, so the force unwrap cannot fail).
func day(_ iso: String) -> Day {
    guard let value = Day(iso: iso) else { preconditionFailure("bad test date \(iso)") }
    return value
}

/// A resident for the pure-logic tests.
func resident(_ id: Int64, room: String = "1", acp: Bool = true, status: ResidentStatus = .livingHere) -> ResidentSummary {
    ResidentSummary(id: id, preferredName: "Resident\(id)", fullName: "Test Resident\(id)", dateOfBirth: day("1940-03-03"),
                    nhsNumber: "9434765919", room: room, status: status, admittedOn: day("2025-01-06"), latestAdmission: day("2025-01-06"),
                    latestAdmissionIsReadmission: false, dementia: .alzheimers, allergies: "None known",
                    advanceCarePlan: AdvanceCarePlanHeadline(exists: acp, kind: "ReSPECT", date: day("2025-02-01"), cpr: "Not for CPR"),
                    gpPractice: "Riverside Surgery")
}

/// A fall at a local time in the home.
func fall(_ id: Int64, resident: Int64, at text: String, injured: Bool = false, headStrike: Bool? = false) -> FallSummary {
    FallSummary(id: id, residentID: resident, occurredAt: HomeTime.parse(text) ?? Date(timeIntervalSince1970: 0),
                headStrike: headStrike, injured: injured, summary: "Lounge, witnessed")
}
