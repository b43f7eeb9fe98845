package import Foundation
import Synchronization

/// The admin page's long jobs, a backup or a restore drill, run one at a time on a background thread:
/// a 2 GB home's backup takes minutes, longer than a request may take, and two at once on a 2-core box
/// would slow the home's own pages for both. The page shows the running job's progress and the last
/// one's outcome, which are kept in memory only (the lasting record is the audit trail, the backup
/// checks and the drills table).
package final class BackupJobs: Sendable {
    package enum Kind: String, Sendable {
        case backup, restoreDrill

        /// How the page names it.
        package var title: String { self == .backup ? "Backup" : "Restore drill" }
    }

    /// The running or last job.
    package struct Job: Sendable, Equatable {
        package var kind: Kind
        package var startedBy: String
        package var startedAt: Date
        /// 0...100 while running (of the part that can be measured).
        package var percent: Int
        /// What it is doing now, in a few words ("Copying the database").
        package var step: String
        package var finishedAt: Date?
        package var succeeded: Bool?
        /// The outcome in a sentence, when finished.
        package var outcome: String?

        package var isRunning: Bool { finishedAt == nil }
    }

    /// Thrown by `Progress.report` when the appliance is stopping: the job gives up and cleans up.
    package struct Stopping: Error, CustomStringConvertible {
        package var description: String { "the appliance is stopping" }
    }

    /// What a running job tells the page.
    package struct Progress: Sendable {
        fileprivate let jobs: BackupJobs
        /// Records the step and percentage; throws `Stopping` when the appliance is stopping.
        package func report(_ step: String, percent: Int) throws {
            jobs.state.withLock { state in
                guard state.current?.isRunning == true else { return }
                state.current?.step = step
                state.current?.percent = max(0, min(100, percent))
            }
            if jobs.state.withLock({ $0.stopping }) { throw Stopping() }
        }
    }

    private struct State {
        var current: Job?
        var stopping = false
    }

    private let state = Mutex(State())
    private let idle = DispatchGroup()

    package init() {}

    /// The running job, or the last one finished since the appliance started.
    package var current: Job? { state.withLock { $0.current } }

    /// Whether a job is running now.
    package var isBusy: Bool { state.withLock { $0.current?.isRunning == true } }

    /// Starts `work` in the background and returns nil; or, when a job is running (or the appliance is
    /// stopping), starts nothing and returns what stands in the way.
    /// `work` returns the outcome sentence, or throws an error whose description is shown.
    @discardableResult
    package func start(_ kind: Kind, by username: String, firstStep: String,
                       work: @escaping @Sendable (Progress) throws -> String) -> Job? {
        let running: Job? = state.withLock { state in
            if let current = state.current, current.isRunning { return current }
            if state.stopping {
                return Job(kind: kind, startedBy: "the appliance", startedAt: Date(), percent: 0, step: "stopping", finishedAt: Date(),
                           succeeded: false, outcome: "The appliance is stopping.")
            }
            state.current = Job(kind: kind, startedBy: username, startedAt: Date(), percent: 0, step: firstStep)
            return nil
        }
        if let running { return running }
        idle.enter()
        let progress = Progress(jobs: self)
        let thread = Thread { [self] in
            defer { idle.leave() }
            let result: (Bool, String)
            do { result = (true, try work(progress)) } catch { result = (false, "\(error)") }
            state.withLock { state in
                state.current?.finishedAt = Date()
                state.current?.succeeded = result.0
                state.current?.outcome = result.1
                if result.0 { state.current?.percent = 100 }
            }
        }
        thread.name = "carehome-\(kind.rawValue)"
        thread.start()
        return nil
    }

    /// Asks a running job to stop at its next progress report and waits for it (at most `timeout`).
    package func stopAndWait(timeout: TimeInterval = 20) {
        state.withLock { $0.stopping = true }
        _ = idle.wait(timeout: .now() + timeout)
    }

    /// Waits until no job runs (tests; at most `timeout`). Returns whether it is idle.
    @discardableResult
    package func waitUntilIdle(timeout: TimeInterval) -> Bool {
        idle.wait(timeout: .now() + timeout) == .success
    }
}
