import Foundation
import CareKit
import CareServices

/// One fall, as stored in `falls_log_falls` (the current version) and snapshotted into
/// `falls_log_fall_versions` on every change.
struct FallRecord: Codable, Sendable, Equatable {
    var id: Int64 = 0
    var residentID: Int64
    var status: FallStatus = .firstEntry
    var version: Int = 1

    // The quick first entry.
    /// When the fall happened (best estimate when nobody saw it).
    var occurredAt: Date
    var location: FallLocation
    var witnessed: Bool
    var injured: Bool
    var headStrike: HeadStrike

    // The I STUMBLE check and medicines at the time.
    var postFallCheck: PostFallCheck?
    var antithrombotic: AntithromboticAnswer?
    /// `Medicines list: Apixaban` or `Asked on the form`.
    var antithromboticSource: String = ""

    // The full record.
    var foundAt: Date?
    /// When they were off the floor (got up or were helped up).
    var upAt: Date?
    var locationDetail: String = ""
    var activity: FallActivity?
    var footwear: Footwear?
    var walkingAid: WalkingAid?
    var callBell: CallBell?
    var injuries: String = ""
    var harm: HarmLevel?
    var observations: String = ""
    var called: [WhoCalled] = []
    var conveyed: Bool?
    var admitted: Bool?
    var fracture: Bool?
    var familyInformed: Bool?
    var gpInformed: Bool?
    var carePlanUpdated: Bool?
    var medicationReviewRequested: Bool?
    var notes: String = ""

    // Who and when.
    var recordedByID: Int64 = 0
    var recordedByName: String = ""
    var recordedAt: Date = Date(timeIntervalSince1970: 0)
    var updatedAt: Date = Date(timeIntervalSince1970: 0)
    var enteredInErrorReason: String?

    var timeOnFloor: TimeOnFloor? { TimeOnFloor.compute(fellAt: occurredAt, foundAt: foundAt, upAt: upAt) }
    var isLongLie: Bool { timeOnFloor?.isLongLie ?? false }
    var headInjuryAdvice: HeadInjuryAdvice {
        HeadInjuryAdvice.decide(headStrike: headStrike, witnessed: witnessed, antithrombotic: antithrombotic)
    }
    var urgentResponseAdvice: UrgentResponseAdvice {
        UrgentResponseAdvice.decide(check: postFallCheck, headStrike: headStrike, harm: harm)
    }

    /// `Lounge, unwitnessed, head strike, injured`: one line for lists and other plugins.
    var summary: String {
        var parts = [location.title, witnessed ? "witnessed" : "unwitnessed"]
        switch headStrike {
        case .yes: parts.append("head strike")
        case .unknown: parts.append("head strike not known")
        case .no: break
        }
        parts.append(injured ? (injuries.isEmpty ? "injured" : FallsText.midSentence(injuries)) : "no injury")
        if fracture == true { parts.append("fracture") }
        if isLongLie { parts.append("long lie") }
        return parts.joined(separator: ", ")
    }

    var fact: FallFact {
        FallFact(id: id, residentID: residentID, occurredAt: occurredAt, location: location, injured: injured,
                 longLie: isLongLie, fracture: fracture == true)
    }

    var fallSummary: FallSummary {
        FallSummary(id: id, residentID: residentID, occurredAt: occurredAt,
                    headStrike: headStrike == .unknown ? nil : headStrike == .yes, injured: injured, summary: summary,
                    recordedAt: recordedAt)
    }
}

// MARK: - Storage mapping

extension FallRecord {
    /// Column values, in `FallRecord.columnNames` order (the id is not among them).
    var columnValues: [SQLValue] {
        [SQLValue(residentID), .text(status.rawValue), .integer(Int64(version)),
         SQLValue(occurredAt), .text(location.rawValue), SQLValue(witnessed), SQLValue(injured), .text(headStrike.rawValue),
         SQLValue(postFallCheck.map(FallRecord.encodeCheck)), SQLValue(antithrombotic?.rawValue), .text(antithromboticSource),
         SQLValue(foundAt), SQLValue(upAt), .text(locationDetail), SQLValue(activity?.rawValue), SQLValue(footwear?.rawValue),
         SQLValue(walkingAid?.rawValue), SQLValue(callBell?.rawValue), .text(injuries), SQLValue(harm?.rawValue),
         .text(observations), .text(called.map(\.rawValue).joined(separator: ",")),
         SQLValue(conveyed), SQLValue(admitted), SQLValue(fracture), SQLValue(familyInformed), SQLValue(gpInformed),
         SQLValue(carePlanUpdated), SQLValue(medicationReviewRequested), .text(notes),
         SQLValue(isLongLie), SQLValue(recordedByID), .text(recordedByName), SQLValue(recordedAt), SQLValue(updatedAt),
         SQLValue(enteredInErrorReason)]
    }

    static let columnNames = [
        "resident_id", "status", "version",
        "occurred_at", "location", "witnessed", "injured", "head_strike",
        "post_fall_check", "antithrombotic", "antithrombotic_source",
        "found_at", "up_at", "location_detail", "activity", "footwear",
        "walking_aid", "call_bell", "injuries", "harm",
        "observations", "called",
        "conveyed", "admitted", "fracture", "family_informed", "gp_informed",
        "care_plan_updated", "medication_review_requested", "notes",
        "long_lie", "recorded_by_id", "recorded_by_name", "recorded_at", "updated_at",
        "entered_in_error_reason",
    ]

    /// Reads a row of `falls_log_falls`; nil when a required column is missing or not understood.
    init?(row: SQLRow) {
        guard let id = row.int64("id"), let residentID = row.int64("resident_id"),
              let status = FallStatus(rawValue: row.string("status") ?? ""),
              let occurredAt = row.date("occurred_at"),
              let location = FallLocation(form: row.string("location")),
              let headStrike = HeadStrike(form: row.string("head_strike")) else { return nil }
        self.init(residentID: residentID, occurredAt: occurredAt, location: location,
                  witnessed: row.bool("witnessed") ?? false, injured: row.bool("injured") ?? false, headStrike: headStrike)
        self.id = id
        self.status = status
        version = row.int("version") ?? 1
        postFallCheck = row.string("post_fall_check").flatMap(FallRecord.decodeCheck)
        antithrombotic = AntithromboticAnswer(form: row.string("antithrombotic"))
        antithromboticSource = row.string("antithrombotic_source") ?? ""
        foundAt = row.date("found_at")
        upAt = row.date("up_at")
        locationDetail = row.string("location_detail") ?? ""
        activity = FallActivity(form: row.string("activity"))
        footwear = Footwear(form: row.string("footwear"))
        walkingAid = WalkingAid(form: row.string("walking_aid"))
        callBell = CallBell(form: row.string("call_bell"))
        injuries = row.string("injuries") ?? ""
        harm = HarmLevel(form: row.string("harm"))
        observations = row.string("observations") ?? ""
        called = (row.string("called") ?? "").split(separator: ",").compactMap { WhoCalled(rawValue: String($0)) }
        conveyed = row.bool("conveyed")
        admitted = row.bool("admitted")
        fracture = row.bool("fracture")
        familyInformed = row.bool("family_informed")
        gpInformed = row.bool("gp_informed")
        carePlanUpdated = row.bool("care_plan_updated")
        medicationReviewRequested = row.bool("medication_review_requested")
        notes = row.string("notes") ?? ""
        recordedByID = row.int64("recorded_by_id") ?? 0
        recordedByName = row.string("recorded_by_name") ?? ""
        recordedAt = row.date("recorded_at") ?? occurredAt
        updatedAt = row.date("updated_at") ?? recordedAt
        enteredInErrorReason = row.string("entered_in_error_reason")
    }

    /// The check as compact text: `intense-pain=no,trauma=yes`.
    static func encodeCheck(_ check: PostFallCheck) -> String {
        PostFallQuestion.allCases.compactMap { q in check.answers[q].map { "\(q.rawValue)=\($0 ? "yes" : "no")" } }
            .joined(separator: ",")
    }

    static func decodeCheck(_ text: String) -> PostFallCheck? {
        var answers = [PostFallQuestion: Bool]()
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=")
            guard parts.count == 2, let q = PostFallQuestion(rawValue: String(parts[0])) else { continue }
            answers[q] = parts[1] == "yes"
        }
        return PostFallCheck(answers: answers)
    }

    /// A JSON snapshot for the version history.
    func snapshotJSON() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    static func fromSnapshot(_ json: String) -> FallRecord? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(FallRecord.self, from: Data(json.utf8))
    }

    /// The fields that differ between two versions, in staff words (for the history).
    static func changedFields(from old: FallRecord, to new: FallRecord) -> [String] {
        var changed = [String]()
        func check<T: Equatable>(_ name: String, _ path: KeyPath<FallRecord, T>) {
            if old[keyPath: path] != new[keyPath: path] { changed.append(name) }
        }
        check("when", \.occurredAt); check("where", \.location); check("witnessed", \.witnessed)
        check("injury", \.injured); check("head strike", \.headStrike); check("post-fall check", \.postFallCheck)
        check("anticoagulant/antiplatelet", \.antithrombotic); check("when found", \.foundAt); check("off the floor", \.upAt)
        check("where (detail)", \.locationDetail); check("doing what", \.activity); check("footwear", \.footwear)
        check("walking aid", \.walkingAid); check("call bell", \.callBell); check("injuries", \.injuries)
        check("harm", \.harm); check("observations", \.observations); check("who was called", \.called)
        check("conveyed", \.conveyed); check("admitted", \.admitted); check("fracture", \.fracture)
        check("family informed", \.familyInformed); check("GP informed", \.gpInformed)
        check("care plan updated", \.carePlanUpdated); check("medication review requested", \.medicationReviewRequested)
        check("notes", \.notes); check("status", \.status)
        return changed
    }
}
