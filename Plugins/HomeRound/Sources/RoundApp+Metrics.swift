import CareKit
import Foundation

/// The home round's figures for `/metrics` (counts only): rounds held in the last four weeks (EHCH
/// asks for a weekly home round), and the round's actions still open, by whether they are overdue.
extension RoundApp {
    @Sendable func metrics() throws -> [Metric] {
        let today = HomeTime.today(now())
        let since = today.adding(days: -28)
        let held = try store.rounds().filter { $0.isClosed && $0.day >= since && $0.day <= today }.count
        let open = try store.actions(outstandingOnly: true)
        let overdue = open.filter { $0.state(today: today).isOverdue }.count
        return [
            Metric("carehome_home_round_rounds_held_28d", help: "Home rounds closed (held) in the last 28 days; weekly rounds give 4",
                   value: held),
            Metric("carehome_home_round_actions_open", help: "Round actions still open, by whether they are past their due date",
                   samples: [Metric.Sample(overdue, labels: ["state": "overdue"]), Metric.Sample(open.count - overdue, labels: ["state": "not-overdue"])]),
        ]
    }
}
