public import CareKit
public import Foundation

/// One set of observations as recorded: what NEWS2 scores, and the optional extras.
public struct ObservationSet: Sendable, Equatable {
    public var id: Int64 = 0
    public var residentID: Int64
    /// When the observations were taken.
    public var takenAt: Date
    public var respirationRate: Int?
    public var oxygenSaturation: Int?
    public var onOxygen: Bool?
    public var systolic: Int?
    public var diastolic: Int?
    public var pulse: Int?
    public var consciousness: NEWS2.Consciousness?
    public var temperature: Double?
    /// Blood glucose, mmol/L (optional).
    public var glucose: Double?
    /// Weight, kg (optional).
    public var weight: Double?
    /// The SpO2 scale the set was scored on (2 only while a clinician's 88–92% target is recorded).
    public var scale: NEWS2.SpO2Scale = .one
    /// The soft-signs record that prompted it, if any.
    public var softSignsID: Int64?
    /// Where it was asked for (`Soft signs`, `Falls log: head-injury observations`), free words.
    public var prompt: String = ""
    /// Unusual readings the recorder confirmed on a second look, in words.
    public var confirmedUnusual: String = ""
    public var recordedByName: String = ""
    public var recordedAt: Date = Date(timeIntervalSince1970: 0)

    /// Creates a set.
    public init(residentID: Int64, takenAt: Date) {
        self.residentID = residentID
        self.takenAt = takenAt
    }

    /// The NEWS2 inputs.
    public var inputs: NEWS2.Inputs {
        NEWS2.Inputs(respirationRate: respirationRate, oxygenSaturation: oxygenSaturation, onOxygen: onOxygen, systolic: systolic,
                     pulse: pulse, consciousness: consciousness, temperature: temperature)
    }

    /// The NEWS2 score on the scale recorded with the set.
    public var score: NEWS2.Score { NEWS2.score(inputs, scale: scale) }

    /// The value of a parameter in words (`18 /min`, `95% on air`).
    public func display(_ parameter: NEWS2.Parameter) -> String {
        switch parameter {
        case .respirationRate: respirationRate.map { "\($0) /min" } ?? "—"
        case .oxygenSaturation: oxygenSaturation.map { "\($0)%" } ?? "—"
        case .airOrOxygen: onOxygen.map { $0 ? "Oxygen" : "Air" } ?? "—"
        case .systolic: systolic.map { s in diastolic.map { "\(s)/\($0) mmHg" } ?? "\(s) mmHg" } ?? "—"
        case .pulse: pulse.map { "\($0) /min" } ?? "—"
        case .consciousness: consciousness?.title ?? "—"
        case .temperature: temperature.map { String(format: "%.1f °C", $0) } ?? "—"
        }
    }
}

/// Reading an observations form: impossible values are refused with the reason beside the field;
/// unusual but possible ones are asked to be confirmed (DET-OBS-1).
public struct ObservationInput: Sendable {
    /// The form.
    public var form: FormData

    /// Creates a reader.
    public init(form: FormData) { self.form = form }

    /// A value outside what is possible, or unusual enough to check again.
    struct Limits {
        let possible: ClosedRange<Double>
        let usual: ClosedRange<Double>
    }

    static let limits: [String: Limits] = [
        "respiration": Limits(possible: 1...80, usual: 8...35),
        "spo2": Limits(possible: 40...100, usual: 80...100),
        "systolic": Limits(possible: 40...300, usual: 80...220),
        "diastolic": Limits(possible: 20...200, usual: 35...130),
        "pulse": Limits(possible: 20...250, usual: 40...150),
        "temperature": Limits(possible: 25...45, usual: 35...40),
        "glucose": Limits(possible: 0.5...60, usual: 4...20),
        "weight": Limits(possible: 20...300, usual: 30...200),
    ]

    /// What each field measures, for messages.
    static let words: [String: (label: String, unit: String, hint: String)] = [
        "respiration": ("breathing rate", "breaths a minute", "Count the breaths for a full minute"),
        "spo2": ("oxygen saturation", "%", "A saturation cannot be over 100%; check the probe sits on a warm finger and the reading is steady"),
        "systolic": ("systolic blood pressure", "mmHg", "Take the blood pressure again"),
        "diastolic": ("diastolic blood pressure", "mmHg", "Take the blood pressure again"),
        "pulse": ("pulse", "beats a minute", "Count the pulse for a full minute"),
        "temperature": ("temperature", "°C", "A body temperature is between 25 and 45 °C: did you mean 37?"),
        "glucose": ("blood glucose", "mmol/L", "Check the meter's units (mmol/L) and test again"),
        "weight": ("weight", "kg", "Enter the weight in kilograms"),
    ]

    /// The set, or the errors; `unusual` lists readings that need a second look before they are saved.
    public func read(residentID: Int64, takenAt: Date, scale: NEWS2.SpO2Scale,
                     errors: inout FormErrors) -> (set: ObservationSet, unusual: [String]) {
        var set = ObservationSet(residentID: residentID, takenAt: takenAt)
        var unusual = [String]()
        func number(_ name: String, decimals: Bool) -> Double? {
            guard let text = form.nonEmpty(name)?.replacingOccurrences(of: ",", with: ".") else { return nil }
            let word = ObservationInput.words[name]
            guard let value = Double(text), value.isFinite, decimals || value == value.rounded() else {
                errors.add(name, "Enter the \(word?.label ?? name) as \(decimals ? "a number" : "a whole number") (\(word?.unit ?? ""))")
                return nil
            }
            if let limits = ObservationInput.limits[name] {
                if !limits.possible.contains(value) {
                    errors.add(name, "\(ObservationInput.format(value, decimals)) \(word?.unit ?? "") is not a possible \(word?.label ?? name). \(word?.hint ?? "")")
                    return nil
                }
                if !limits.usual.contains(value) {
                    unusual.append("\(word?.label.capitalisedFirst ?? name) \(ObservationInput.format(value, decimals)) \(word?.unit ?? "")")
                }
            }
            return value
        }
        set.respirationRate = number("respiration", decimals: false).map { Int($0) }
        set.oxygenSaturation = number("spo2", decimals: false).map { Int($0) }
        switch form["oxygen"] {
        case "air": set.onOxygen = false
        case "oxygen": set.onOxygen = true
        case nil, "": break
        default: errors.add("oxygen", "Choose air or oxygen")
        }
        set.systolic = number("systolic", decimals: false).map { Int($0) }
        set.diastolic = number("diastolic", decimals: false).map { Int($0) }
        if let s = set.systolic, let d = set.diastolic, d >= s {
            errors.add("diastolic", "The lower (diastolic) number must be below the upper (systolic) one: take the blood pressure again")
        }
        set.pulse = number("pulse", decimals: false).map { Int($0) }
        if let text = form.nonEmpty("consciousness") {
            if let level = NEWS2.Consciousness(rawValue: text) { set.consciousness = level } else { errors.add("consciousness", "Choose how alert they are") }
        }
        set.temperature = number("temperature", decimals: true).map { ($0 * 10).rounded() / 10 }
        set.glucose = number("glucose", decimals: true)
        set.weight = number("weight", decimals: true)
        set.scale = scale
        let measured: [Any?] = [set.respirationRate, set.oxygenSaturation, set.onOxygen, set.systolic, set.pulse, set.consciousness,
                                set.temperature, set.glucose, set.weight]
        if errors.isEmpty && measured.allSatisfy({ $0 == nil }) {
            errors.add("respiration", "Enter at least one observation")
        }
        if set.oxygenSaturation != nil && set.onOxygen == nil {
            errors.add("oxygen", "Say whether they were on air or on oxygen when the saturation was taken")
        }
        return (set, unusual)
    }

    static func format(_ value: Double, _ decimals: Bool) -> String {
        decimals ? String(format: "%.1f", value) : String(Int(value))
    }
}

extension String {
    /// `breathing rate` → `Breathing rate`.
    var capitalisedFirst: String { prefix(1).uppercased() + dropFirst() }
}
