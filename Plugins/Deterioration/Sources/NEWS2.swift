/// The National Early Warning Score 2 (Royal College of Physicians, 2017): each parameter's
/// sub-score, the total, and the RCP's clinical response band with its suggested monitoring.
/// Pure functions of a set of observations; every boundary is tested in `NEWS2Tests`.
public enum NEWS2 {
    /// Where the scoring table comes from, shown on the rules page and beside every score.
    public static let source = "Royal College of Physicians. National Early Warning Score (NEWS) 2: standardising the assessment of acute-illness severity in the NHS. Updated report of a working party. London: RCP, 2017 (Chart 1: the scoring system; Chart 4: clinical response)."

    /// Which oxygen saturation scale scores SpO2.
    public enum SpO2Scale: Int, Sendable, Equatable, Codable {
        /// The usual scale (target 94–98%).
        case one = 1
        /// Only for a resident whose clinician has recorded a target range of 88–92% (for example in
        /// hypercapnic respiratory failure).
        case two = 2
    }

    /// Level of consciousness, as staff say it. Anything but alert scores 3 (ACVPU).
    public enum Consciousness: String, Sendable, CaseIterable, Codable {
        case alert, newConfusion = "new-confusion", voice, pain, unresponsive

        /// As staff say it.
        public var title: String {
            switch self {
            case .alert: "Alert"
            case .newConfusion: "New confusion (or worse than usual)"
            case .voice: "Responds only to voice"
            case .pain: "Responds only to pain"
            case .unresponsive: "Unresponsive"
            }
        }
        /// Short form for tables.
        public var short: String {
            switch self {
            case .alert: "A"
            case .newConfusion: "C"
            case .voice: "V"
            case .pain: "P"
            case .unresponsive: "U"
            }
        }
    }

    /// The seven parameters NEWS2 scores.
    public enum Parameter: String, Sendable, CaseIterable, Codable {
        case respirationRate = "respiration", oxygenSaturation = "spo2", airOrOxygen = "oxygen", systolic, pulse, consciousness, temperature

        /// As staff say it.
        public var title: String {
            switch self {
            case .respirationRate: "Breathing rate"
            case .oxygenSaturation: "Oxygen saturation"
            case .airOrOxygen: "On air or oxygen"
            case .systolic: "Blood pressure (systolic)"
            case .pulse: "Pulse"
            case .consciousness: "Consciousness"
            case .temperature: "Temperature"
            }
        }
    }

    /// The values NEWS2 needs; nil where not measured.
    public struct Inputs: Sendable, Equatable {
        public var respirationRate: Int?
        public var oxygenSaturation: Int?
        public var onOxygen: Bool?
        public var systolic: Int?
        public var pulse: Int?
        public var consciousness: Consciousness?
        /// Degrees Celsius, one decimal place.
        public var temperature: Double?

        /// Creates inputs.
        public init(respirationRate: Int? = nil, oxygenSaturation: Int? = nil, onOxygen: Bool? = nil, systolic: Int? = nil,
                    pulse: Int? = nil, consciousness: Consciousness? = nil, temperature: Double? = nil) {
            self.respirationRate = respirationRate
            self.oxygenSaturation = oxygenSaturation
            self.onOxygen = onOxygen
            self.systolic = systolic
            self.pulse = pulse
            self.consciousness = consciousness
            self.temperature = temperature
        }
    }

    /// The RCP's clinical response bands (Chart 4).
    public enum Band: Int, Sendable, Comparable, CaseIterable, Codable {
        /// Total 0.
        case zero = 0
        /// Total 1–4 with no single parameter scoring 3.
        case low = 1
        /// A single parameter scoring 3 (total under 5).
        case lowMediumSingleThree = 2
        /// Total 5 or 6.
        case medium = 3
        /// Total 7 or more.
        case high = 4

        public static func < (lhs: Band, rhs: Band) -> Bool { lhs.rawValue < rhs.rawValue }

        /// As shown to staff.
        public var title: String {
            switch self {
            case .zero: "Score 0"
            case .low: "Low (1–4)"
            case .lowMediumSingleThree: "Low–medium (3 in one parameter)"
            case .medium: "Medium (5–6): urgent response"
            case .high: "High (7 or more): emergency response"
            }
        }

        /// The RCP's suggested minimum frequency of monitoring, in words.
        public var monitoring: String {
            switch self {
            case .zero: "At least every 12 hours"
            case .low: "At least every 4 to 6 hours"
            case .lowMediumSingleThree: "At least every hour"
            case .medium: "At least every hour"
            case .high: "Continuous monitoring"
            }
        }

        /// The RCP's clinical response, in words (written for a hospital ward; the care-home route is
        /// suggested separately by `EscalationRoute`).
        public var response: String {
            switch self {
            case .zero: "Continue routine monitoring."
            case .low: "A registered nurse assesses and decides whether to observe more often or escalate."
            case .lowMediumSingleThree: "A registered nurse informs the clinician responsible, who reviews and decides whether to escalate."
            case .medium: "Urgent response: a registered nurse informs the clinician responsible at once, for an urgent assessment."
            case .high: "Emergency response: emergency assessment by a clinical team."
            }
        }

        /// Minutes until the next set is due (the lower end of the RCP's range; own reading for
        /// "continuous": stay with them and repeat within 15 minutes while help comes).
        public var nextSetMinutes: Int {
            switch self {
            case .zero: 12 * 60
            case .low: 4 * 60
            case .lowMediumSingleThree, .medium: 60
            case .high: 15
            }
        }
    }

    /// A computed score.
    public struct Score: Sendable, Equatable {
        /// Each measured parameter's sub-score (0–3).
        public var subScores: [Parameter: Int]
        /// Parameters that were not measured: no total is given while any is missing.
        public var missing: [Parameter]
        /// The scale used for SpO2.
        public var scale: SpO2Scale

        /// The total, only when every parameter was measured.
        public var total: Int? { missing.isEmpty ? subScores.values.reduce(0, +) : nil }
        /// Whether any single parameter scores 3.
        public var hasSingleThree: Bool { subScores.values.contains(3) }
        /// The clinical response band, only for a complete set.
        public var band: Band? {
            guard let total else { return nil }
            if total >= 7 { return .high }
            if total >= 5 { return .medium }
            if hasSingleThree { return .lowMediumSingleThree }
            return total == 0 ? .zero : .low
        }
    }

    /// Scores a set. A parameter that was not measured is listed in `missing` and has no sub-score.
    public static func score(_ inputs: Inputs, scale: SpO2Scale) -> Score {
        var sub = [Parameter: Int]()
        var missing = [Parameter]()
        func put(_ parameter: Parameter, _ value: Int?) {
            if let value { sub[parameter] = value } else { missing.append(parameter) }
        }
        put(.respirationRate, inputs.respirationRate.map(respirationScore))
        if let saturation = inputs.oxygenSaturation, scale == .one || inputs.onOxygen != nil {
            sub[.oxygenSaturation] = scale == .one ? spo2Scale1(saturation) : spo2Scale2(saturation, onOxygen: inputs.onOxygen ?? false)
        } else {
            missing.append(.oxygenSaturation)
        }
        put(.airOrOxygen, inputs.onOxygen.map { $0 ? 2 : 0 })
        put(.systolic, inputs.systolic.map(systolicScore))
        put(.pulse, inputs.pulse.map(pulseScore))
        put(.consciousness, inputs.consciousness.map { $0 == .alert ? 0 : 3 })
        put(.temperature, inputs.temperature.map(temperatureScore))
        return Score(subScores: sub, missing: missing, scale: scale)
    }

    /// Breaths a minute: ≤8 → 3; 9–11 → 1; 12–20 → 0; 21–24 → 2; ≥25 → 3.
    public static func respirationScore(_ rate: Int) -> Int {
        switch rate {
        case ...8: 3
        case 9...11: 1
        case 12...20: 0
        case 21...24: 2
        default: 3
        }
    }

    /// SpO2 scale 1: ≤91 → 3; 92–93 → 2; 94–95 → 1; ≥96 → 0.
    public static func spo2Scale1(_ saturation: Int) -> Int {
        switch saturation {
        case ...91: 3
        case 92...93: 2
        case 94...95: 1
        default: 0
        }
    }

    /// SpO2 scale 2: ≤83 → 3; 84–85 → 2; 86–87 → 1; 88–92, or 93 and above on air → 0;
    /// on oxygen 93–94 → 1, 95–96 → 2, ≥97 → 3.
    public static func spo2Scale2(_ saturation: Int, onOxygen: Bool) -> Int {
        switch saturation {
        case ...83: return 3
        case 84...85: return 2
        case 86...87: return 1
        case 88...92: return 0
        default:
            guard onOxygen else { return 0 }
            switch saturation {
            case 93...94: return 1
            case 95...96: return 2
            default: return 3
            }
        }
    }

    /// Systolic mmHg: ≤90 → 3; 91–100 → 2; 101–110 → 1; 111–219 → 0; ≥220 → 3.
    public static func systolicScore(_ systolic: Int) -> Int {
        switch systolic {
        case ...90: 3
        case 91...100: 2
        case 101...110: 1
        case 111...219: 0
        default: 3
        }
    }

    /// Beats a minute: ≤40 → 3; 41–50 → 1; 51–90 → 0; 91–110 → 1; 111–130 → 2; ≥131 → 3.
    public static func pulseScore(_ pulse: Int) -> Int {
        switch pulse {
        case ...40: 3
        case 41...50: 1
        case 51...90: 0
        case 91...110: 1
        case 111...130: 2
        default: 3
        }
    }

    /// °C, to one decimal place: ≤35.0 → 3; 35.1–36.0 → 1; 36.1–38.0 → 0; 38.1–39.0 → 1; ≥39.1 → 2.
    public static func temperatureScore(_ celsius: Double) -> Int {
        let tenths = Int((celsius * 10).rounded())
        switch tenths {
        case ...350: return 3
        case 351...360: return 1
        case 361...380: return 0
        case 381...390: return 1
        default: return 2
        }
    }
}
