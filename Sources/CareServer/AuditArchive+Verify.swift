import CareKit
import Foundation
import GRDB

extension AuditArchive {
    /// The archive's part of a verification: where the chain stands after the last segment.
    struct SegmentPass {
        var entries = 0
        /// The last archived entry, and the hash the live trail continues from.
        var lastID: Int64?
        var lastHash = AuditLog.genesis
        var problem: String?
        var brokenID: Int64?
        /// Keyed entries that could not be checked for want of the key.
        var unkeyedChecks = 0
    }

    /// Checks the archive inside a verification's read. Always: the segments follow one another with no gap
    /// (a removed segment shows) and start the chain. With `full`, every segment is read back and each
    /// entry's hash recomputed (keyed with the home's key) from the hash before the segment: a changed
    /// entry, a damaged blob or a changed list of usernames or residents names the segment.
    static func verifySegments(_ db: Database, anchor: AuditAnchor?, keyedFrom: Int64?, full: Bool) throws -> SegmentPass {
        var pass = SegmentPass()
        guard try db.tableExists("core_audit_segments") else { return pass }
        let segments = try Row.fetchAll(db, sql: """
            SELECT id, first_id, last_id, entries, oldest_at, newest_at, previous_hash, last_hash, usernames, resident_ids, format
            FROM core_audit_segments ORDER BY first_id
            """)
        for segment in segments {
            let id: Int64 = segment["id"], firstID: Int64 = segment["first_id"], lastID: Int64 = segment["last_id"]
            let oldest: String = segment["oldest_at"], newest: String = segment["newest_at"]
            let name = "archive segment \(id) (entries \(firstID) to \(lastID), \(AuditArchive.period(oldest, newest)))"
            let fail = { (problem: String) -> SegmentPass in
                var failed = pass
                failed.problem = problem
                failed.brokenID = firstID
                return failed
            }
            if let previousLast = pass.lastID {
                guard firstID == previousLast + 1 else {
                    return fail("entries \(previousLast + 1) to \(firstID - 1) are missing: the archive segment that held them has been removed")
                }
            } else if firstID > 1 || (segment["previous_hash"] as String) != AuditLog.genesis {
                // The trail starts at entry 1 with the genesis hash; a first segment that does not is what remains after one was removed.
                return fail("the entries before \(firstID) are missing: the archive's first segment has been removed")
            }
            guard (segment["previous_hash"] as String) == pass.lastHash else {
                return fail("\(name) does not follow the entries before it: a segment was replaced")
            }
            if full {
                guard (segment["format"] as Int) == AuditSegment.format,
                      let data = try Data.fetchOne(db, sql: "SELECT data FROM core_audit_segments WHERE id = ?", arguments: [id]),
                      let entries = AuditSegment.decode(data) else {
                    return fail("\(name) cannot be read: it is damaged")
                }
                var previous = pass.lastHash
                var expectedID = firstID
                var usernames = Set<String>(), residents = Set<Int64>()
                var oldestSeen = entries.first?.at ?? "", newestSeen = entries.first?.at ?? ""
                var checkable = true
                for entry in entries {
                    guard entry.id == expectedID else { return fail("\(name) was changed after it was archived: entry \(expectedID) is not in it") }
                    expectedID += 1
                    let text = entry.hashedText(previous: previous)
                    if entry.keyed {
                        if let anchor { previous = anchor.keyedHash(text) } else { checkable = false }
                    } else {
                        if let keyedFrom, entry.id >= keyedFrom {
                            return fail("\(name) holds entry \(entry.id), not keyed although every entry from \(keyedFrom) is: it was rewritten without the key")
                        }
                        previous = sha256Hex(text)
                    }
                    usernames.insert(entry.username)
                    if let resident = entry.residentID { residents.insert(resident) }
                    oldestSeen = min(oldestSeen, entry.at)
                    newestSeen = max(newestSeen, entry.at)
                }
                guard expectedID == lastID + 1, entries.count == (segment["entries"] as Int) else {
                    return fail("\(name) was changed after it was archived: it does not hold the entries it says")
                }
                if checkable {
                    guard previous == (segment["last_hash"] as String) else {
                        return fail("\(name) was changed after it was archived: its entries no longer give the hash recorded when it was made")
                    }
                } else {
                    pass.unkeyedChecks += entries.count
                }
                let listedUsers = (try? JSONDecoder().decode([String].self, from: Data((segment["usernames"] as String).utf8))) ?? []
                let listedResidents = (try? JSONDecoder().decode([String].self, from: Data((segment["resident_ids"] as String).utf8))) ?? []
                guard Set(listedUsers) == usernames, Set(listedResidents.compactMap { Int64($0) }) == residents,
                      oldestSeen == oldest, newestSeen == newest else {
                    return fail("\(name) has a changed index: a search of the archive could miss its entries")
                }
            }
            pass.entries += segment["entries"] as Int
            pass.lastID = lastID
            pass.lastHash = segment["last_hash"]
        }
        return pass
    }

    /// The hash an archived entry had when it was written, recomputed from its segment (segments do not
    /// store each entry's hash): nil when no segment holds it, or it is keyed and there is no key.
    package func archivedHash(of id: Int64) throws -> String? {
        let found = try pool.read { db -> (previous: String, data: Data)? in
            guard try db.tableExists("core_audit_segments"),
                  let row = try Row.fetchOne(db, sql: "SELECT previous_hash, data FROM core_audit_segments WHERE last_id >= ? AND first_id <= ? ORDER BY last_id LIMIT 1",
                                             arguments: [id, id]) else { return nil }
            return (row["previous_hash"], row["data"])
        }
        guard let found, let entries = AuditSegment.decode(found.data) else { return nil }
        var previous = found.previous
        for entry in entries {
            let text = entry.hashedText(previous: previous)
            if entry.keyed {
                guard let anchor else { return nil }
                previous = anchor.keyedHash(text)
            } else {
                previous = sha256Hex(text)
            }
            if entry.id == id { return previous }
        }
        return nil
    }

    /// "3 Mar 2017 to 14 Mar 2017", from two stored times.
    static func period(_ from: String, _ to: String) -> String {
        let day = { (text: String) in Timestamp.parse(text).map { HomeTime.day(of: $0).displayShort } ?? text }
        return "\(day(from)) to \(day(to))"
    }
}
