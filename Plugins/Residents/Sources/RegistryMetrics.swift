import CareKit
import CareServices

/// The registry's figures for `/metrics`: how many residents, and how the EHCH 7-working-day
/// assessment and care plan are going (NHS England, Enhanced Health in Care Homes framework v2).
/// Counts only: nothing that points at one resident.
struct RegistryMetrics: Sendable {
    let stores: Stores
    let today: @Sendable () -> Day
    /// Admissions whose clocks are counted by outcome: the last 90 days (a quarter, as the ICB reports).
    static let windowDays = 90

    func collect() throws -> [Metric] {
        let day = today()
        let residents = try stores.residents.residents(statuses: Set(ResidentStatus.allCases.filter(\.isCurrent)))
        let byStatus = ResidentStatus.allCases.filter(\.isCurrent).map { status in
            Metric.Sample(residents.filter { $0.status == status }.count, labels: ["status": status.rawValue])
        }
        let open = try stores.clocks.openClocks(today: day)
        let overdue = open.filter(\.detail.clock.hasOverdueItem).count
        let outcomes = try stores.clocks.clocksStarted(since: day.adding(days: -RegistryMetrics.windowDays), today: day)
            .reduce(into: [String: Int]()) { counts, clock in counts[RegistryMetrics.outcome(clock), default: 0] += 1 }
        return [
            Metric("carehome_residents_residents", help: "Residents by status (living here, in hospital)", samples: byStatus),
            Metric("carehome_residents_admission_clocks_open", help: "Admission clocks (7 working days) with an item still to do", value: open.count),
            Metric("carehome_residents_admission_clocks_overdue", help: "Open admission clocks with an item past its 7-working-day deadline", value: overdue),
            Metric("carehome_residents_admissions_90d", help: "Admissions and returns from hospital in the last 90 days, by whether the assessment and care plan were done within 7 working days",
                   samples: ["on-time", "late", "in-progress"].map { Metric.Sample(outcomes[$0] ?? 0, labels: ["outcome": $0]) }),
        ]
    }

    /// on-time: assessment and care plan both done by the deadline; late: either done late or overdue;
    /// in-progress: neither late yet, at least one still due.
    static func outcome(_ clock: AdmissionClock) -> String {
        let items = [clock.assessment, clock.carePlan]
        if items.allSatisfy({ if case .doneOnTime = $0 { true } else { false } }) { return "on-time" }
        if items.contains(where: { switch $0 { case .doneLate, .overdue: true; default: false } }) { return "late" }
        return "in-progress"
    }
}
