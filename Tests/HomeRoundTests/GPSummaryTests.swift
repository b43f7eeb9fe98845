import Testing
import CareKit
@testable import HomeRoundPlugin

@Test("the GP summary carries the resident's identifiers, outcome, findings, referrals, medicines and actions in plain text")
func gpSummaryText() {
    var entry = RoundEntry()
    entry.outcome = .reviewed
    entry.findings = "Chest clear.\nAnkles less swollen."
    entry.referrals = [.dietitian, .physiotherapy]
    entry.medicinesChanged = true
    entry.medicinesNotes = "Furosemide reduced to 20 mg"
    entry.assessmentDone = true
    let summary = GPSummary(homeName: "Elm House", roundDay: day("2026-11-26"), resident: resident(1),
                            attendees: [Attendee(name: "Dr Asha Patel", role: "GP", organisation: "Riverside Surgery")],
                            reasons: ["Fall since the last round: 1 fall"], entry: entry,
                            actions: [ActionLine(description: "Weigh weekly", owner: "Nurse Sam Reid", due: day("2026-12-03"))],
                            recordedBy: "Dr Asha Patel")
    let text = summary.text
    #expect(text.hasPrefix("Care home round (EHCH), Elm House, Thu 26 Nov 2026\r\n"))
    #expect(text.contains("NHS number 943 476 5919"))
    #expect(text.contains("Outcome: reviewed"))
    #expect(text.contains("Chest clear.\r\nAnkles less swollen."))
    #expect(text.contains("Referrals: Physiotherapy; Dietitian"))
    #expect(text.contains("Medicines changed: yes, Furosemide reduced to 20 mg"))
    #expect(text.contains("EHCH: comprehensive assessment completed"))
    #expect(text.contains("- Weigh weekly (owner: Nurse Sam Reid, due 3 Dec 2026)"))
    #expect(text.contains("Attendees: Dr Asha Patel (GP, Riverside Surgery)"))
    #expect(!text.contains("<"))
    // Browsers send text areas with CRLF line ends: the summary keeps one line per line.
    entry.findings = "Line one\r\nLine two"
    let crlf = GPSummary(homeName: "Elm House", roundDay: day("2026-11-26"), resident: resident(1), attendees: [], reasons: [], entry: entry, actions: [], recordedBy: "").text
    #expect(crlf.contains("Findings:\r\nLine one\r\nLine two\r\n"))
}

@Test("an entry needs a reason when not seen, findings when reviewed, and details when medicines changed")
func entryValidation() {
    let notSeen = RoundEntry.parse(FormData(fields: ["outcome": ["not-seen"]]))
    #expect(notSeen.errors["not_seen_reason"] != nil)
    let reviewed = RoundEntry.parse(FormData(fields: ["outcome": ["reviewed"], "medicines_changed": ["on"]]))
    #expect(reviewed.errors["findings"] != nil)
    #expect(reviewed.errors["medicines_notes"] != nil)
    let fine = RoundEntry.parse(FormData(fields: ["outcome": ["reviewed"], "findings": ["Well"], "referrals": ["dental", "bogus"]]))
    #expect(fine.errors.isEmpty)
    #expect(fine.entry.referrals == [.dental])
    #expect(RoundEntry.parse(FormData(fields: fine.entry.formFields)).entry == fine.entry)
}
