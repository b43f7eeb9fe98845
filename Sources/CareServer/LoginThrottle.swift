import Foundation
import Synchronization

/// Slows down password guessing without letting anyone lock a real user out for long.
///
/// - After 5 failures for a username, each further attempt for it waits 2^(n-5) seconds, at most 5
///   minutes; after 20 failures from one address, that address waits likewise. Failures older than 15
///   minutes are forgotten, and a manager's password reset forgets the username's at once.
/// - An attempt that carries a device cookie for the username (the browser signed in as that person
///   before: `DeviceCookies`) is judged only by the failures made with that cookie, so guessing from
///   elsewhere, or from the same shared address, never delays the person on their own device.
///
/// Everything here is bounded, whoever sends the attempts: usernames that cannot exist are not
/// remembered at all, each key keeps at most its last 32 failures, and at most 10,000 keys are kept
/// (expired ones go first, then the least recently failed).
final class LoginThrottle: Sendable {
    struct Record {
        var failures: [Date] = []
        var lastNoticed: Date?
        var newest: Date { failures.last ?? .distantPast }
    }
    private let records = Mutex<[String: Record]>([:])
    static let window: TimeInterval = 15 * 60
    static let maximumWait: TimeInterval = 5 * 60
    static let failuresKept = 32
    static let maximumKeys = 10_000

    /// The keys an attempt is judged by: its device's, or else its username's (when it could be one) and its address's.
    static func keys(username: String, address: String, device: String?) -> [(key: String, free: Int)] {
        if let device { return [("device:" + device, 5)] }
        var keys = [("addr:" + address, 20)]
        if Accounts.isPossibleUsername(username) { keys.append(("user:" + username, 5)) }
        return keys
    }

    /// How long this attempt must wait, as words, or nil to go ahead.
    func wait(username: String, address: String, device: String? = nil, now: Date) -> String? {
        records.withLock { records in
            let waits = LoginThrottle.keys(username: username, address: address, device: device).compactMap { key, free -> TimeInterval? in
                guard var record = records[key] else { return nil }
                record.failures.removeAll { now.timeIntervalSince($0) > LoginThrottle.window }
                if record.failures.isEmpty { records[key] = nil; return nil }
                records[key] = record
                guard record.failures.count >= free, let last = record.failures.last else { return nil }
                let delay = min(LoginThrottle.maximumWait, pow(2, Double(record.failures.count - free)))
                let remaining = delay - now.timeIntervalSince(last)
                return remaining > 0 ? remaining : nil
            }
            guard let longest = waits.max() else { return nil }
            let seconds = Int(longest.rounded(.up))
            return seconds < 60 ? "\(seconds) seconds" : "\((seconds + 59) / 60) minutes"
        }
    }

    func recordFailure(username: String, address: String, device: String? = nil, now: Date) {
        records.withLock { records in
            for (key, _) in LoginThrottle.keys(username: username, address: address, device: device) {
                var record = records[key] ?? Record()
                record.failures.append(now)
                if record.failures.count > LoginThrottle.failuresKept { record.failures.removeFirst(record.failures.count - LoginThrottle.failuresKept) }
                records[key] = record
            }
            if records.count > LoginThrottle.maximumKeys { LoginThrottle.evict(&records, now: now) }
        }
    }

    func recordSuccess(username: String, address: String, device: String? = nil) {
        records.withLock { records in
            // A success on a device clears only that device's record: the guesser elsewhere keeps their wait.
            if let device { records["device:" + device] = nil } else { records["user:" + username] = nil }
        }
    }

    /// Forgets a username's failures (a manager has just set a new password).
    func clear(username: String) {
        records.withLock { records in records["user:" + username] = nil }
    }

    /// True at most once a minute per address: whether a throttled attempt should be written to the
    /// audit trail (one entry says the address is being held back; a thousand would only fill the disk).
    func shouldAuditThrottled(address: String, now: Date) -> Bool {
        records.withLock { records in
            let key = "addr:" + address
            var record = records[key] ?? Record()
            if let last = record.lastNoticed, now.timeIntervalSince(last) < 60 { return false }
            record.lastNoticed = now
            records[key] = record
            return true
        }
    }

    /// Keys held now (tests, and the bound's proof).
    var keyCount: Int { records.withLock { $0.count } }

    private static func evict(_ records: inout [String: Record], now: Date) {
        records = records.filter { now.timeIntervalSince($0.value.newest) <= window || $0.value.lastNoticed.map { now.timeIntervalSince($0) < 60 } == true }
        guard records.count > maximumKeys else { return }
        let keep = maximumKeys * 3 / 4
        let newest = records.sorted { $0.value.newest > $1.value.newest }.prefix(keep)
        records = Dictionary(uniqueKeysWithValues: newest.map { ($0.key, $0.value) })
    }
}
