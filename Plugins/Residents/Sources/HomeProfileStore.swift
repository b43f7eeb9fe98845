import CareKit
import Foundation
import Synchronization

/// The home's profile as the manager edits it.
struct HomeProfileRecord: Sendable, Equatable, Codable {
    /// A day the home does not count as a working day (on top of bank holidays).
    struct ExtraDay: Sendable, Equatable, Codable {
        var day: Day
        var reason: String
    }

    var name = ""
    var cqcLocationID = ""
    var pcnName = ""
    var pcnODSCode = ""
    var clinicalLeadName = ""
    var clinicalLeadRole = ""
    var clinicalLeadContact = ""
    /// One practice per entry.
    var gpPractices: [String] = []
    var roundDay: Weekday?
    var extraNonWorkingDays: [ExtraDay] = []

    var calendar: WorkingCalendar {
        var days = [Day: String]()
        for extra in extraNonWorkingDays { days[extra.day] = extra.reason }
        return WorkingCalendar(extraNonWorkingDays: days)
    }

    static let fields: [(label: String, value: @Sendable (HomeProfileRecord) -> String)] = [
        ("Home name", { $0.name }), ("CQC location id", { $0.cqcLocationID }),
        ("Primary care network", { $0.pcnName }), ("PCN ODS code", { $0.pcnODSCode }),
        ("Clinical lead", { $0.clinicalLeadName }), ("Clinical lead's role", { $0.clinicalLeadRole }),
        ("Clinical lead's contact", { $0.clinicalLeadContact }),
        ("GP practices", { $0.gpPractices.joined(separator: "; ") }),
        ("Home round day", { $0.roundDay?.name ?? "" }),
        ("Extra non-working days", { $0.extraNonWorkingDays.map { "\($0.day.displayShort) \($0.reason)" }.joined(separator: "; ") }),
    ]

    func changes(from old: HomeProfileRecord) -> [String] {
        HomeProfileRecord.fields.compactMap { field in
            let before = field.value(old), after = field.value(self)
            guard before != after else { return nil }
            return "\(field.label): \(before.isEmpty ? "(blank)" : before) → \(after.isEmpty ? "(blank)" : after)"
        }
    }
}

/// Reads and saves the home profile (one row, every version kept).
struct HomeProfileStore: Sendable {
    let database: any CareDatabase
    /// Every page shows the home's name, so the saved profile is kept in memory until the next save.
    private let saved = SavedProfile()

    init(database: any CareDatabase) {
        self.database = database
    }

    func load() throws -> HomeProfileRecord {
        let generation = saved.generation
        if let profile = saved.profile(at: generation) { return profile }
        let profile = try database.read { try load($0).profile }
        saved.keep(profile, readAt: generation)
        return profile
    }

    func load(_ db: any SQLReader) throws -> (profile: HomeProfileRecord, version: Int64) {
        guard let row = try db.queryOne("SELECT profile, version FROM residents_home_profile WHERE id = 1"),
              let json = row.string("profile") else { return (HomeProfileRecord(), 0) }
        return (try JSONCoding.decode(HomeProfileRecord.self, json), row.int64("version") ?? 0)
    }

    /// Saves a new version. Throws a conflict when someone saved since `expectedVersion` was read.
    func save(_ profile: HomeProfileRecord, expectedVersion: Int64, by principal: Principal, at now: Date = Date()) throws {
        try database.write { db in
            let (old, version) = try load(db)
            guard version == expectedVersion else {
                throw CareError.conflict("Someone else saved the home profile while you were editing it. Open it again to see their changes.")
            }
            let json = JSONCoding.encode(profile)
            let next = version + 1
            try db.execute("""
                INSERT INTO residents_home_profile (id, profile, version, updated_at, updated_by) VALUES (1, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET profile = excluded.profile, version = excluded.version,
                    updated_at = excluded.updated_at, updated_by = excluded.updated_by
                """, [.text(json), .integer(next), SQLValue(now), .text(principal.displayName)])
            let summary = version == 0 ? "Home profile created" : profile.changes(from: old).joined(separator: "\n")
            try db.execute("""
                INSERT INTO residents_home_profile_versions (version, changed_at, changed_by_id, changed_by, summary, profile)
                VALUES (?, ?, ?, ?, ?, ?)
                """, [.integer(next), SQLValue(now), .integer(principal.userID), .text(principal.displayName), .text(summary), .text(json)])
        }
        saved.forget()
    }

    struct Version {
        var version: Int64
        var changedAt: Date?
        var changedBy: String
        var summary: String
    }

    func versions() throws -> [Version] {
        try database.read { db in
            try db.query("SELECT version, changed_at, changed_by, summary FROM residents_home_profile_versions ORDER BY version DESC").map {
                Version(version: $0.int64("version") ?? 0, changedAt: $0.date("changed_at"),
                        changedBy: $0.string("changed_by") ?? "", summary: $0.string("summary") ?? "")
            }
        }
    }
}

/// The profile as last read, tagged with a generation that every save moves on: a read that began
/// before a save cannot put the old profile back after it.
final class SavedProfile: Sendable {
    private let state = Mutex<(generation: Int, profile: HomeProfileRecord?)>((0, nil))

    var generation: Int { state.withLock { $0.generation } }

    func profile(at generation: Int) -> HomeProfileRecord? {
        state.withLock { $0.generation == generation ? $0.profile : nil }
    }

    func keep(_ profile: HomeProfileRecord, readAt generation: Int) {
        state.withLock { if $0.generation == generation { $0.profile = profile } }
    }

    func forget() {
        state.withLock { $0 = ($0.generation + 1, nil) }
    }
}

/// JSON for record snapshots, with sorted keys so that versions compare and diff cleanly.
enum JSONCoding {
    static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(json.utf8))
    }
}
