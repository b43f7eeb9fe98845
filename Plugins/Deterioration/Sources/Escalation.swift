public import CareKit
public import CareServices
public import Foundation

/// Who to call. Suggested from the NEWS2 band, the rise from the usual, the soft signs and the
/// ReSPECT / advance care plan; never decided for staff (DET-ESC-1, own design on the RCP's bands).
public enum EscalationRoute: String, Sendable, CaseIterable, Codable {
    case emergency = "999", urgentCommunityResponse = "ucr", gp, nhs111 = "111", outOfHours = "out-of-hours", palliative, nurseAssessment = "nurse"

    /// As staff say it.
    public var title: String {
        switch self {
        case .emergency: "999 (emergency ambulance)"
        case .urgentCommunityResponse: "2-hour Urgent Community Response"
        case .gp: "The GP practice"
        case .nhs111: "NHS 111"
        case .outOfHours: "GP out-of-hours service"
        case .palliative: "Palliative route (GP or community palliative care team, as the plan says)"
        case .nurseAssessment: "The nurse in charge (assessment here, observe more often)"
        }
    }
}

/// What happened after the call.
public enum EscalationOutcome: String, Sendable, CaseIterable, Codable {
    case stayed, seenHere = "seen-here", conveyed, admitted

    /// As staff say it.
    public var title: String {
        switch self {
        case .stayed: "Stayed here: advice only"
        case .seenHere: "Seen here by a clinician"
        case .conveyed: "Taken to hospital (A&E), not admitted"
        case .admitted: "Admitted to hospital"
        }
    }
}

/// A suggestion with its reason.
public struct RouteSuggestion: Sendable, Equatable {
    public var route: EscalationRoute
    public var why: String
}

/// Suggests routes, most fitting first.
public enum EscalationAdvice {
    /// Whether the plan puts comfort here before hospital.
    public static func comfortCareHere(_ plan: AdvanceCarePlanHeadline) -> Bool {
        plan.prefersCareHere
    }

    /// In-hours for a GP practice: a working day (no bank holiday), 08:00 to 18:30.
    public static func inGPHours(_ date: Date, calendar: WorkingCalendar) -> Bool {
        let day = HomeTime.day(of: date)
        guard calendar.isWorkingDay(day) else { return false }
        let (hour, minute) = HomeTime.clock(of: date)
        let minutes = hour * 60 + minute
        return minutes >= 8 * 60 && minutes < 18 * 60 + 30
    }

    /// The suggested routes for a set, most fitting first.
    public static func suggest(band: NEWS2.Band?, consciousness: NEWS2.Consciousness?, aboveUsual: Bool, softSigns: Bool,
                               plan: AdvanceCarePlanHeadline, inGPHours: Bool) -> [RouteSuggestion] {
        var list = [RouteSuggestion]()
        let primary = inGPHours ? EscalationRoute.gp : .nhs111
        let comfort = comfortCareHere(plan)
        let emergency = band == .high || consciousness == .unresponsive || consciousness == .pain
        if comfort {
            list.append(RouteSuggestion(route: .palliative, why: "Their ReSPECT or advance care plan puts comfort here first: \(plan.summary)"))
        }
        if emergency {
            list.append(RouteSuggestion(route: .emergency, why: band == .high
                ? "NEWS2 7 or more: the RCP's emergency response band."
                : "Responds only to pain, or unresponsive: an emergency." + (comfort ? " Call 999 if the plan allows it or for a problem it does not cover." : "")))
        }
        if band == .medium || band == .lowMediumSingleThree || (emergency && comfort) {
            list.append(RouteSuggestion(route: .urgentCommunityResponse, why: "An urgent response is needed and may be given here: the 2-hour Urgent Community Response assesses within 2 hours."))
            list.append(RouteSuggestion(route: primary, why: inGPHours ? "Ask for an urgent visit or call back today." : "Out of GP hours: NHS 111 (or the home's out-of-hours number)."))
        } else if !emergency && (band == .low || aboveUsual || softSigns) {
            list.append(RouteSuggestion(route: .nurseAssessment, why: "A registered nurse assesses, and decides whether to observe more often or to call."))
            list.append(RouteSuggestion(route: primary, why: aboveUsual ? "Above their usual: ask for advice even though the total is low."
                                                                         : "For advice if the nurse is concerned."))
        }
        if list.isEmpty {
            list.append(RouteSuggestion(route: .nurseAssessment, why: "No trigger: keep observing as the band says, and call if anything changes."))
        }
        return list
    }
}

/// An SBARD handover (situation, background, assessment, recommendation, decision), written from
/// the record to read out on the phone and to paste or print.
public struct SBARD: Sendable, Equatable {
    public var situation: String
    public var background: String
    public var assessment: String
    public var recommendation: String
    public var decision: String

    /// As plain text, one section a paragraph.
    public var text: String {
        """
        S — Situation: \(situation)
        B — Background: \(background)
        A — Assessment: \(assessment)
        R — Recommendation: \(recommendation)
        D — Decision: \(decision)
        """
    }

    /// Writes the handover from what the record holds.
    public static func compose(resident: ResidentSummary, homeName: String, caller: String, today: Day, latest: ObservationSet?,
                               baseline: Baseline?, softSigns: [SoftSignsRecord], medicines: [MedicineSummary]?,
                               falls: [FallSummary]?, suggestion: RouteSuggestion?) -> SBARD {
        var situation = "This is \(caller) at \(homeName.isEmpty ? "the care home" : homeName), calling about \(resident.fullName)"
        if let born = resident.dateOfBirth { situation += ", aged \(born.age(on: today))" }
        situation += resident.nhsNumber == nil ? " (no NHS number recorded)" : ", NHS number \(resident.nhsNumberDisplay)"
        situation += ". I am concerned because "
        var concerns = [String]()
        if let latest {
            let score = latest.score
            if let total = score.total { concerns.append("their NEWS2 is \(total)" + (baseline.map { " (usual \($0.usualNEWS2))" } ?? "")) }
            else { concerns.append("their observations are incomplete (\(score.missing.map { Wording.midSentence($0.title) }.joined(separator: ", ")) not measured)") }
        }
        if let signs = softSigns.first { concerns.append("staff noticed: \(Wording.midSentence(signs.summary))") }
        situation += concerns.isEmpty ? "of a change staff have noticed." : concerns.joined(separator: ", and ") + "."

        var background = [String]()
        if !resident.diagnoses.isEmpty { background.append("Key diagnoses: \(resident.diagnoses.split(whereSeparator: \.isNewline).joined(separator: "; "))") }
        background.append("Dementia: \(resident.dementia.title)")
        background.append("Allergies: \(resident.allergies.isEmpty ? "not recorded" : resident.allergies)")
        if let medicines {
            let ordered = medicines.sorted { a, b in
                let aFirst = a.flags.contains(.anticoagulant) || a.flags.contains(.antiplatelet)
                let bFirst = b.flags.contains(.anticoagulant) || b.flags.contains(.antiplatelet)
                return aFirst && !bFirst
            }
            let names = ordered.map { m in m.flags.contains(.anticoagulant) ? "\(m.name) (anticoagulant)" : m.flags.contains(.antiplatelet) ? "\(m.name) (antiplatelet)" : m.name }
            background.append("Current medicines: \(names.isEmpty ? "none recorded" : names.joined(separator: ", "))")
        } else {
            background.append("Medicines: see the MAR chart")
        }
        if let falls, !falls.isEmpty {
            background.append("Falls in the last 30 days: \(falls.map { HomeTime.display($0.occurredAt) + ($0.headStrike == true ? " (head strike)" : "") }.joined(separator: ", "))")
        }
        background.append("ReSPECT / advance care plan: \(resident.advanceCarePlan.summary)")

        var assessment = [String]()
        if let latest {
            let values = NEWS2.Parameter.allCases.map { "\(Wording.midSentence($0.title)) \(latest.display($0))" }
            assessment.append("Observations at \(HomeTime.display(latest.takenAt)): " + values.joined(separator: "; ") + (latest.scale == .two ? " (SpO2 scale 2)" : ""))
            if let band = latest.score.band { assessment.append("NEWS2 band: \(band.title)") }
            if let baseline { assessment.append(baseline.compare(latest.score).summary) }
            if let glucose = latest.glucose { assessment.append("Blood glucose \(String(format: "%.1f", glucose)) mmol/L") }
        } else {
            assessment.append("No observations recorded yet")
        }
        if softSigns.count > 1 { assessment.append("Earlier soft signs: \(softSigns.dropFirst().prefix(3).map { "\(HomeTime.display($0.noticedAt)): \(Wording.midSentence($0.summary))" }.joined(separator: "; "))") }

        let recommendation = suggestion.map { "I would like advice on what to do next; the record suggests \(Wording.midSentence($0.route.title)). \($0.why)" }
            ?? "I would like advice on what to do next."
        return SBARD(situation: situation, background: background.joined(separator: ". ") + ".",
                     assessment: assessment.joined(separator: ". ") + ".", recommendation: recommendation,
                     decision: "(Write down what was agreed, by whom, and when to call again.)")
    }
}
