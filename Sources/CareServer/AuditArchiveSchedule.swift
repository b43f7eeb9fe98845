package import CareKit
package import CareStore
@preconcurrency import Dispatch
package import Foundation
package import Logging
import Synchronization

/// The server archives on its own: a few minutes after start-up (so that start-up itself stays fast), then
/// once a day, on a queue of its own at utility priority. Each segment is one short write transaction, so
/// saves and audit flushes in between wait a fraction of a second at most; a stop waits for the segment in
/// hand and leaves the rest for the next run. `carehome audit archive` does the same by hand.
package final class AuditArchiveSchedule: Sendable {
    private let queue = DispatchQueue(label: "carehome.audit-archive", qos: .utility)
    private let timer: any DispatchSourceTimer
    private let stopping = Atomic<Bool>(false)

    package init(home: HomeDatabase, audit: AuditLog, logger: Logger, firstAfter: TimeInterval = 300, every: TimeInterval = 86_400,
                 segmentSize: Int = AuditArchive.defaultSegmentSize) {
        timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + firstAfter, repeating: every)
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            AuditArchiveSchedule.runOnce(home: home, audit: audit, logger: logger, segmentSize: segmentSize, shouldStop: { self.stopping.load(ordering: .relaxed) })
        }
        timer.resume()
    }

    /// Lets the segment in hand finish, then stops (the server's shutdown).
    package func stop() {
        stopping.store(true, ordering: .relaxed)
        timer.cancel()
        queue.sync {}
    }

    static func runOnce(home: HomeDatabase, audit: AuditLog, logger: Logger, segmentSize: Int, shouldStop: () -> Bool) {
        do {
            let months = try AuditArchive.keepLiveMonths(pool: home.pool)
            let cutoff = AuditArchive.cutoff(keepLiveMonths: months)
            let started = Date()
            let moved = try AuditArchive(pool: home.pool, anchor: audit.anchor, segmentSize: segmentSize).archive(before: cutoff, shouldStop: shouldStop)
            guard let first = moved.first, let last = moved.last else { return }
            logger.info("audit entries archived", metadata: ["audit.first": .stringConvertible(first.firstID), "audit.last": .stringConvertible(last.lastID),
                                                             "audit.segments": .stringConvertible(moved.count),
                                                             "duration.s": .string(String(format: "%.1f", Date().timeIntervalSince(started)))])
            audit.record(AuditEntry(userID: nil, username: "carehome", address: "server", source: "core", action: "audit-archived",
                                    detail: AuditArchive.describe(moved, cutoff: cutoff)), durable: true)
        } catch {
            logger.error("audit archiving failed", metadata: ["error": .string("\(error)")])
        }
    }
}

extension AuditArchive {
    /// What an archiving run moved, for its audit entry: "entries 1 to 50000 moved into 2 archive segments (recorded before 1 Dec 2024)".
    package static func describe(_ moved: [Moved], cutoff: Day) -> String {
        guard let first = moved.first, let last = moved.last else { return "nothing to archive" }
        return "entries \(first.firstID) to \(last.lastID) moved into \(moved.count) archive segment\(moved.count == 1 ? "" : "s") (recorded before \(cutoff.displayShort))"
    }
}
