import CareKit
import CareServices
import Foundation
import Testing
@testable import DeteriorationPlugin

/// Every boundary of every NEWS2 parameter (RCP 2017, Chart 1), both SpO2 scales, on air and on oxygen.
@Suite("NEWS2 scoring")
struct NEWS2Tests {
    @Test("breathing rate: 8→3, 9→1, 11→1, 12→0, 20→0, 21→2, 24→2, 25→3")
    func respiration() {
        let expected = [(1, 3), (8, 3), (9, 1), (11, 1), (12, 0), (20, 0), (21, 2), (24, 2), (25, 3), (60, 3)]
        for (rate, score) in expected { #expect(NEWS2.respirationScore(rate) == score, "rate \(rate)") }
    }

    @Test("SpO2 scale 1: 91→3, 92→2, 93→2, 94→1, 95→1, 96→0, 100→0")
    func spo2ScaleOne() {
        let expected = [(70, 3), (91, 3), (92, 2), (93, 2), (94, 1), (95, 1), (96, 0), (100, 0)]
        for (value, score) in expected { #expect(NEWS2.spo2Scale1(value) == score, "SpO2 \(value)") }
    }

    @Test("SpO2 scale 2 on air: 83→3, 84→2, 85→2, 86→1, 87→1, 88→0, 92→0, 93 and above on air→0")
    func spo2ScaleTwoOnAir() {
        let expected = [(80, 3), (83, 3), (84, 2), (85, 2), (86, 1), (87, 1), (88, 0), (92, 0), (93, 0), (97, 0), (100, 0)]
        for (value, score) in expected { #expect(NEWS2.spo2Scale2(value, onOxygen: false) == score, "SpO2 \(value) on air") }
    }

    @Test("SpO2 scale 2 on oxygen: 88–92→0, 93→1, 94→1, 95→2, 96→2, 97→3, 100→3; low values as on air")
    func spo2ScaleTwoOnOxygen() {
        let expected = [(83, 3), (84, 2), (86, 1), (88, 0), (92, 0), (93, 1), (94, 1), (95, 2), (96, 2), (97, 3), (100, 3)]
        for (value, score) in expected { #expect(NEWS2.spo2Scale2(value, onOxygen: true) == score, "SpO2 \(value) on oxygen") }
    }

    @Test("systolic: 90→3, 91→2, 100→2, 101→1, 110→1, 111→0, 219→0, 220→3")
    func systolic() {
        let expected = [(60, 3), (90, 3), (91, 2), (100, 2), (101, 1), (110, 1), (111, 0), (219, 0), (220, 3), (260, 3)]
        for (value, score) in expected { #expect(NEWS2.systolicScore(value) == score, "systolic \(value)") }
    }

    @Test("pulse: 40→3, 41→1, 50→1, 51→0, 90→0, 91→1, 110→1, 111→2, 130→2, 131→3")
    func pulse() {
        let expected = [(30, 3), (40, 3), (41, 1), (50, 1), (51, 0), (90, 0), (91, 1), (110, 1), (111, 2), (130, 2), (131, 3)]
        for (value, score) in expected { #expect(NEWS2.pulseScore(value) == score, "pulse \(value)") }
    }

    @Test("temperature: 35.0→3, 35.1→1, 36.0→1, 36.1→0, 38.0→0, 38.1→1, 39.0→1, 39.1→2")
    func temperature() {
        let expected: [(Double, Int)] = [(34.2, 3), (35.0, 3), (35.1, 1), (36.0, 1), (36.1, 0), (38.0, 0), (38.1, 1), (39.0, 1), (39.1, 2), (41.0, 2)]
        for (value, score) in expected { #expect(NEWS2.temperatureScore(value) == score, "temperature \(value)") }
    }

    @Test("air scores 0 and oxygen 2; alert 0 and any of new confusion, voice, pain, unresponsive 3")
    func oxygenAndConsciousness() {
        let air = NEWS2.score(NEWS2.Inputs(onOxygen: false, consciousness: .alert), scale: .one)
        #expect(air.subScores[.airOrOxygen] == 0 && air.subScores[.consciousness] == 0)
        #expect(NEWS2.score(NEWS2.Inputs(onOxygen: true), scale: .one).subScores[.airOrOxygen] == 2)
        for level in [NEWS2.Consciousness.newConfusion, .voice, .pain, .unresponsive] {
            #expect(NEWS2.score(NEWS2.Inputs(consciousness: level), scale: .one).subScores[.consciousness] == 3, "\(level)")
        }
    }

    static let normal = NEWS2.Inputs(respirationRate: 16, oxygenSaturation: 97, onOxygen: false, systolic: 130, pulse: 70, consciousness: .alert, temperature: 36.8)

    @Test("a complete set has a total; an incomplete one names what is missing and has no total or band")
    func totals() {
        let full = NEWS2.score(NEWS2Tests.normal, scale: .one)
        #expect(full.total == 0 && full.band == .zero && full.missing.isEmpty)
        var partial = NEWS2Tests.normal
        partial.temperature = nil
        partial.systolic = nil
        let score = NEWS2.score(partial, scale: .one)
        #expect(score.total == nil && score.band == nil)
        #expect(score.missing == [.systolic, .temperature])
        // On scale 2 a saturation without air/oxygen cannot be scored.
        var noOxygen = NEWS2Tests.normal
        noOxygen.onOxygen = nil
        #expect(NEWS2.score(noOxygen, scale: .two).missing.contains(.oxygenSaturation))
    }

    @Test("bands: 0; 1–4 low; a single 3 under 5; 5–6 medium; 7 or more high, at their boundaries")
    func bands() {
        func with(_ change: (inout NEWS2.Inputs) -> Void) -> NEWS2.Band? {
            var inputs = NEWS2Tests.normal
            change(&inputs)
            return NEWS2.score(inputs, scale: .one).band
        }
        #expect(with { _ in } == .zero)
        #expect(with { $0.pulse = 95 } == .low)                                         // 1
        #expect(with { $0.pulse = 115; $0.respirationRate = 22 } == .low)                // 2 + 2 = 4
        #expect(with { $0.consciousness = .newConfusion } == .lowMediumSingleThree)      // a single 3, total 3
        #expect(with { $0.respirationRate = 22; $0.oxygenSaturation = 94; $0.pulse = 95; $0.temperature = 38.2 } == .medium)   // 2+1+1+1 = 5
        #expect(with { $0.respirationRate = 22; $0.oxygenSaturation = 93; $0.pulse = 115 } == .medium)                      // 2+2+2 = 6
        #expect(with { $0.respirationRate = 25; $0.oxygenSaturation = 93; $0.pulse = 115 } == .high)                        // 3+2+2 = 7
        #expect(NEWS2.Band.high.monitoring == "Continuous monitoring")
        #expect(NEWS2.Band.low.monitoring == "At least every 4 to 6 hours")
    }

    @Test("scale 2 scores a saturation of 90% on air as 0, where scale 1 scores it 3")
    func scalesDiffer() {
        var inputs = NEWS2Tests.normal
        inputs.oxygenSaturation = 90
        #expect(NEWS2.score(inputs, scale: .one).subScores[.oxygenSaturation] == 3)
        #expect(NEWS2.score(inputs, scale: .two).subScores[.oxygenSaturation] == 0)
    }
}

@Suite("Baseline and readings")
struct BaselineTests {
    let today = Day(year: 2026, month: 11, day: 23)!

    func score(total change: (inout NEWS2.Inputs) -> Void) -> NEWS2.Score {
        var inputs = NEWS2Tests.normal
        change(&inputs)
        return NEWS2.score(inputs, scale: .one)
    }

    @Test("a rise of 1 from the usual is shown but not flagged; 2 is flagged even at a low total; one parameter up 2 is flagged")
    func riseFromUsual() {
        let baseline = Baseline(residentID: 1, usualNEWS2: 1, usual: NEWS2Tests.normal, agreedBy: "Dr A", agreedByRole: "GP", agreedOn: today)
        let upOne = baseline.compare(score { $0.pulse = 95; $0.temperature = 38.2 })       // total 2
        #expect(upOne.change == 1 && !upOne.isFlagged)
        #expect(upOne.summary == "NEWS2 2, usual 1: up 1")
        let upTwo = baseline.compare(score { $0.pulse = 95; $0.temperature = 38.2; $0.oxygenSaturation = 95 })   // total 3
        #expect(upTwo.change == 2 && upTwo.isFlagged)
        let oneParameter = baseline.compare(score { $0.respirationRate = 22 })             // total 2 (up 1), breathing 0 → 2
        #expect(oneParameter.change == 1 && oneParameter.isFlagged)
        #expect(oneParameter.risenParameters == [.respirationRate])
        let same = baseline.compare(score { _ in })
        #expect(same.summary == "NEWS2 0, usual 1: down 1" && !same.isFlagged)
    }

    @Test("the usual is due for review after 6 months, or at once after a return from hospital")
    func review() {
        let baseline = Baseline(residentID: 1, usualNEWS2: 2, agreedBy: "Dr A", agreedByRole: "GP", agreedOn: today)
        #expect(baseline.reviewDue(returnedFromHospitalOn: nil).due == today.adding(months: 6))
        let back = today.adding(days: 20)
        #expect(baseline.reviewDue(returnedFromHospitalOn: back).due == back)
        #expect(baseline.reviewDue(returnedFromHospitalOn: today.adding(days: -1)).due == today.adding(months: 6))
    }

    @Test("impossible readings are refused with the reason; unusual ones are listed for a second look; numbers must be numbers")
    func validation() {
        func read(_ fields: [String: String]) -> (errors: FormErrors, unusual: [String], set: ObservationSet) {
            var errors = FormErrors()
            let form = FormData(fields: fields.mapValues { [$0] })
            let (set, unusual) = ObservationInput(form: form).read(residentID: 1, takenAt: Date(), scale: .one, errors: &errors)
            return (errors, unusual, set)
        }
        #expect(read(["spo2": "101", "oxygen": "air"]).errors["spo2"]?.contains("cannot be over 100%") == true)
        #expect(read(["temperature": "3.7"]).errors["temperature"]?.contains("did you mean 37?") == true)
        #expect(read(["pulse": "fast"]).errors["pulse"]?.contains("whole number") == true)
        #expect(read(["systolic": "120", "diastolic": "130"]).errors["diastolic"] != nil)
        #expect(read(["spo2": "95"]).errors["oxygen"] != nil)
        #expect(read([:]).errors["respiration"] == "Enter at least one observation")
        let unusual = read(["pulse": "38", "temperature": "40.4", "spo2": "96", "oxygen": "air"])
        #expect(unusual.errors.isEmpty)
        #expect(unusual.unusual == ["Pulse 38 beats a minute", "Temperature 40.4 °C"])
        // Boundaries: 40 beats a minute is usual; 100% is possible; 25 °C is possible but unusual.
        #expect(read(["pulse": "40"]).unusual.isEmpty)
        #expect(read(["spo2": "100", "oxygen": "air"]).errors.isEmpty)
        #expect(read(["temperature": "25"]).errors.isEmpty && read(["temperature": "24.9"]).errors["temperature"] != nil)
        #expect(read(["temperature": "37,4"]).set.temperature == 37.4)
    }

    @Test("the next set is due by the band after a set above the usual; a set at the usual with no soft signs ends extra observations")
    func nextDue() {
        let now = Date()
        let baseline = Baseline(residentID: 1, usualNEWS2: 2, agreedBy: "Dr A", agreedByRole: "GP", agreedOn: today)
        var set = ObservationSet(residentID: 1, takenAt: now)
        set.respirationRate = 16; set.oxygenSaturation = 97; set.onOxygen = false; set.systolic = 130; set.pulse = 70; set.consciousness = .alert; set.temperature = 36.8
        #expect(DeteriorationApp.nextDue(latest: set, aboveUsual: false, baseline: baseline, softSignsSince: nil) == nil)
        set.consciousness = .newConfusion
        let due = DeteriorationApp.nextDue(latest: set, aboveUsual: true, baseline: baseline, softSignsSince: nil)
        #expect(due?.at == now.addingTimeInterval(3600))
        let signs = DeteriorationApp.nextDue(latest: nil, aboveUsual: false, baseline: baseline, softSignsSince: now)
        #expect(signs?.at == now)
    }
}

@Suite("Escalation routes and SBARD")
struct EscalationTests {
    let plan = AdvanceCarePlanHeadline(exists: true, kind: "ReSPECT", cpr: "Not for CPR", hospitalTransfer: "Wants hospital transfer if needed", priority: "Balance of sustaining life and comfort")
    let comfort = AdvanceCarePlanHeadline(exists: true, kind: "ReSPECT", cpr: "Not for CPR", hospitalTransfer: "Prefers to stay here, not hospital", priority: "Prioritise comfort", prefersCareHere: true)

    @Test("7 or more suggests 999 first; 5–6 or a single 3 the 2-hour response; low but above usual the nurse then the GP; GP out of hours is 111")
    func routes() {
        func first(_ band: NEWS2.Band?, above: Bool = false, plan: AdvanceCarePlanHeadline? = nil, hours: Bool = true) -> [EscalationRoute] {
            EscalationAdvice.suggest(band: band, consciousness: .alert, aboveUsual: above, softSigns: false, plan: plan ?? self.plan, inGPHours: hours).map(\.route)
        }
        #expect(first(.high).first == .emergency)
        #expect(first(.medium) == [.urgentCommunityResponse, .gp])
        #expect(first(.lowMediumSingleThree, hours: false) == [.urgentCommunityResponse, .nhs111])
        #expect(first(.low, above: true) == [.nurseAssessment, .gp])
        #expect(first(.zero) == [.nurseAssessment])
        // Comfort care here puts the palliative route first, and still lists 999 for an emergency.
        let withPlan = first(.high, plan: comfort)
        #expect(withPlan.first == .palliative)
        #expect(withPlan.contains(.emergency))
        // Unresponsive is an emergency whatever the total.
        #expect(EscalationAdvice.suggest(band: nil, consciousness: .unresponsive, aboveUsual: false, softSigns: false, plan: plan, inGPHours: true).first?.route == .emergency)
    }

    @Test("GP hours are 08:00 to 18:30 on a working day")
    func hours() {
        let calendar = WorkingCalendar()
        #expect(EscalationAdvice.inGPHours(HomeTime.parse("2026-11-23T08:00")!, calendar: calendar))
        #expect(!EscalationAdvice.inGPHours(HomeTime.parse("2026-11-23T18:30")!, calendar: calendar))
        #expect(!EscalationAdvice.inGPHours(HomeTime.parse("2026-11-22T12:00")!, calendar: calendar))   // Sunday
        #expect(!EscalationAdvice.inGPHours(HomeTime.parse("2026-12-25T12:00")!, calendar: calendar))   // Christmas Day
    }
}
