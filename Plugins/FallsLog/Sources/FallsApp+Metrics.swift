import CareKit
import Foundation

/// The falls log's figures for `/metrics` (counts only): falls in the last 30 days by injury, follow-up
/// checks due or overdue now (NICE NG232 head-injury observations, the home's skin checks), and the
/// multifactorial falls assessments waiting (NICE NG249).
extension FallsApp {
    @Sendable func metrics() throws -> [Metric] {
        let now = now()
        let since = HomeTime.startOf(HomeTime.today(now).adding(days: -30))
        let falls = try database.read { db in try FallsStore.falls(since: since, in: db) }
        let (checks, _) = try dueChecksForResidentsHere(now: now)
        return [
            Metric("carehome_falls_log_falls_30d", help: "Falls recorded in the last 30 days (not entered in error), by whether there was an injury",
                   samples: [Metric.Sample(falls.filter(\.injured).count, labels: ["injured": "yes"]),
                             Metric.Sample(falls.filter { !$0.injured }.count, labels: ["injured": "no"])]),
            Metric("carehome_falls_log_checks_due", help: "Follow-up checks after a fall (observations, skin) due now, by whether they are overdue",
                   samples: [Metric.Sample(checks.filter { $0.state(now: now) == .overdue }.count, labels: ["state": "overdue"]),
                             Metric.Sample(checks.filter { $0.state(now: now) == .dueNow }.count, labels: ["state": "due-now"])]),
            Metric("carehome_falls_log_assessments_waiting", help: "Multifactorial falls assessments waiting for current residents",
                   value: try waitingAssessments().count),
        ]
    }
}
