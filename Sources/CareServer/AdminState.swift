import Foundation
import Synchronization

/// What the admin's screen keeps while the appliance runs: the background job, when this process
/// started, and the restart it may ask the server for.
final class AdminState: Sendable {
    let jobs = BackupJobs()
    let startedAt = Date()
    /// The box's health, read at most every 10 seconds however often the page is opened.
    let health = Recent<SystemHealth>(for: .seconds(10))
    private let restart = Mutex<(requested: Bool, handler: (@Sendable () -> Void)?)>((false, nil))

    /// Asks whoever serves (`serve`) to stop gracefully and start again. False when nobody listens
    /// (the in-process test harness, a command).
    func requestRestart() -> Bool {
        let handler = restart.withLock { state -> (@Sendable () -> Void)? in
            guard let handler = state.handler else { return nil }
            state.requested = true
            return handler
        }
        guard let handler else { return false }
        // A moment's delay, so that the page saying "restarting" is on its way before the server quiesces.
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(300)) { handler() }
        return true
    }

    var canRestart: Bool { restart.withLock { $0.handler != nil } }
    var restartRequested: Bool { restart.withLock { $0.requested } }
    func onRestart(_ handler: @escaping @Sendable () -> Void) { restart.withLock { $0.handler = handler } }
}
