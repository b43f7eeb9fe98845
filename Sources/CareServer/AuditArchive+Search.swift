import CareKit
package import Foundation
import GRDB

extension AuditArchive {
    /// One page of archived entries that match a filter, newest first, and the stretch of the archive it
    /// looked through, so the page can say which period a search covered.
    package struct SearchPage: Sendable {
        package var entries: [AuditLog.Row_]
        /// The period looked through: from the oldest entry examined (nil: the start of the archive) to the
        /// newest entry the search could reach.
        package var searchedFrom: Date?
        package var searchedTo: Date?
        /// Continue with entries whose id is below this (`before` of the next page), or nil at the archive's start.
        package var continueBefore: Int64?
        package var segmentsRead: Int
    }

    /// Segments read at most per page: about four months of a busy home, well under a second.
    package static let segmentsPerPage = 8

    /// Archived entries matching `filter`, newest first, at most `limit`, with ids below `before`.
    /// Only segments whose date range, usernames and residents can match are opened (their lists are
    /// in the segment row), and at most `segmentsPerPage` of them, one at a time: memory stays at one
    /// segment whatever the size of the archive.
    package func search(_ filter: AuditLog.Filter, before: Int64? = nil, limit: Int = 200,
                        segmentsPerPage: Int = AuditArchive.segmentsPerPage) throws -> SearchPage {
        var clauses = ["first_id < ?"]
        var arguments: StatementArguments = [before ?? Int64.max]
        let user = filter.username.flatMap { $0.isEmpty ? nil : $0.lowercased() }
        if let resident = filter.residentID {
            clauses.append("EXISTS (SELECT 1 FROM json_each(resident_ids) WHERE value = ?)"); arguments += [String(resident)]
        }
        if let user { clauses.append("EXISTS (SELECT 1 FROM json_each(usernames) WHERE lower(value) = ?)"); arguments += [user] }
        let fromText = filter.from.map { Timestamp.format(HomeTime.startOf($0)) }
        let toText = filter.to.map { Timestamp.format(HomeTime.startOf($0.adding(days: 1))) }
        if let fromText { clauses.append("newest_at >= ?"); arguments += [fromText] }
        if let toText { clauses.append("oldest_at < ?"); arguments += [toText] }
        arguments += [segmentsPerPage + 1]
        let (candidates, newestArchived) = try pool.read { db in
            (try Row.fetchAll(db, sql: """
                SELECT id, first_id, last_id, newest_at FROM core_audit_segments WHERE \(clauses.joined(separator: " AND "))
                ORDER BY last_id DESC LIMIT ?
                """, arguments: arguments),
             try String.fetchOne(db, sql: "SELECT newest_at FROM core_audit_segments ORDER BY last_id DESC LIMIT 1"))
        }
        var page = SearchPage(entries: [], searchedFrom: nil, searchedTo: nil, continueBefore: nil, segmentsRead: 0)
        page.searchedTo = before == nil ? newestArchived.flatMap(Timestamp.parse) : nil
        for (index, candidate) in candidates.enumerated() {
            if index == segmentsPerPage {
                // More segments could match than one page reads: continue below the last one read.
                page.continueBefore = candidates[index - 1]["first_id"]
                break
            }
            let segmentID: Int64 = candidate["id"]
            guard let data = try pool.read({ db in try Data.fetchOne(db, sql: "SELECT data FROM core_audit_segments WHERE id = ?", arguments: [segmentID]) }),
                  let entries = AuditSegment.decode(data) else {
                throw ArchiveError(description: "archive segment \(segmentID) cannot be read: it is damaged. Run carehome audit verify --full.")
            }
            page.segmentsRead += 1
            for entry in entries.reversed() where entry.id < (before ?? Int64.max) {
                if page.searchedTo == nil { page.searchedTo = Timestamp.parse(entry.at) }
                if page.entries.count == limit {
                    // A full page: the next one starts at this entry, not yet looked at.
                    page.continueBefore = entry.id + 1
                    return page
                }
                page.searchedFrom = Timestamp.parse(entry.at).map { min($0, page.searchedFrom ?? $0) }
                if let resident = filter.residentID, entry.residentID != resident { continue }
                if let user, entry.username.lowercased() != user { continue }
                if let fromText, entry.at < fromText { continue }
                if let toText, entry.at >= toText { continue }
                page.entries.append(AuditLog.Row_(id: entry.id, at: Timestamp.parse(entry.at) ?? Date(), username: entry.username, address: entry.address,
                                                  source: entry.source, action: entry.action, residentID: entry.residentID, detail: entry.detail))
            }
        }
        // Every segment that could match has been read: the search reached the start of the archive.
        if page.continueBefore == nil { page.searchedFrom = nil }
        return page
    }
}
