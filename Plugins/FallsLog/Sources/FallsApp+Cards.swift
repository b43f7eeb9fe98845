import Foundation
import CareKit

// MARK: - Dashboard cards and the resident-page panel

extension FallsApp {
    /// Checks due now or overdue; nil (card hidden) only when the registry is unavailable.
    func dueChecksCard(_ request: Request) throws -> HTML? {
        let now = now()
        let (checks, residents) = try dueChecksForResidentsHere(now: now)
        guard !checks.isEmpty else { return "<p>No falls checks are due now.</p>" }
        let overdue = checks.filter { $0.state(now: now) == .overdue }.count
        let items = checks.prefix(5).map { check -> HTML in
            "<li>\(check.state(now: now).tag) \(residentLink(check.residentID, residents)): \(UI.link(check.label, to: "/falls/checks/\(check.id)"))</li>"
        }
        let more: HTML = checks.count > 5 ? "<p>and \(checks.count - 5) more.</p>" : .empty
        return """
        <p class="falls-card-count"><strong>\(checks.count)</strong> due now\(overdue > 0 ? ", " : "")\(overdue > 0 ? UI.tag("\(overdue) overdue", colour: "red") : .empty)</p>\
        <ul class="falls-card-list">\(items)</ul>\(more)<p>\(UI.link("All checks due now", to: "/falls/checks"))</p>
        """
    }

    /// Quick entries waiting for a nurse to complete them.
    func toCompleteCard(_ request: Request) throws -> HTML? {
        let falls = try database.read { db in try FallsStore.falls(status: .firstEntry, in: db) }
        guard !falls.isEmpty else { return nil }
        return "<p><strong>\(falls.count)</strong> \(falls.count == 1 ? "fall record" : "fall records") to complete.</p><p>\(UI.link("See them", to: "/falls?status=first-entry"))</p>"
    }

    /// Falls this month, last month and open assessments.
    func summaryCard(_ request: Request) throws -> HTML? {
        let today = HomeTime.today(now())
        let month = CalendarMonth(today)
        let since = HomeTime.startOf(month.adding(months: -1).first)
        let falls = try database.read { db in try FallsStore.falls(since: since, in: db) }
        let thisMonth = falls.filter { $0.fact.month == month }
        let lastMonth = falls.count - thisMonth.count
        let waiting = try waitingAssessments().count
        return """
        <p>\(UI.link("\(thisMonth.count) \(thisMonth.count == 1 ? "fall" : "falls") in \(month.display)", to: "/falls?month=\(month.iso)")) (\(lastMonth) last month), \
        \(thisMonth.filter(\.injured).count) injurious.</p>\
        <p>\(UI.link("\(waiting) falls \(waiting == 1 ? "assessment" : "assessments") to do", to: "/falls/assessments")) · \(UI.link("Figures", to: "/falls/analytics"))</p>
        """
    }

    /// Recent falls, due checks and the falls assessment on the resident's page.
    func residentPanel(_ request: Request, residentID: Int64) throws -> HTML? {
        let now = now()
        let since = HomeTime.startOf(HomeTime.today(now).adding(months: -6))
        let (falls, checks, assessments) = try database.read { db in
            (try FallsStore.falls(residentID: residentID, since: since, in: db), try FallsStore.dueChecks(residentID: residentID, now: now, in: db),
             try FallsStore.assessments(residentID: residentID, in: db))
        }
        context.audit.record(request, .view, residentID: residentID, detail: "falls panel")
        let rows = falls.prefix(5).map { fall -> [HTML] in
            [UI.link(HomeTime.display(fall.occurredAt), to: "/falls/\(fall.id)"), HTML(text: fall.summary),
             fall.status == .firstEntry ? UI.tag("To complete", colour: "yellow") : HTML(text: fall.status.title)]
        }
        let repeatBanner: HTML = falls.count >= 2
            ? UI.banner(.warning, title: "\(falls.count) falls in the last six months", "<p>\(UI.link("See them all", to: "/falls?resident=\(residentID)"))</p>")
            : .empty
        let checkItems = checks.map { check -> HTML in
            "<li>\(check.state(now: now).tag) \(UI.link(check.label, to: "/falls/checks/\(check.id)")), due \(HomeTime.display(check.dueAt))</li>"
        }
        let checksHTML: HTML = checks.isEmpty ? .empty : "<h3>Checks due now</h3><ul>\(checkItems)</ul>"
        let open = assessments.first { $0.completedAt == nil }
        let lastDone = assessments.first { $0.completedAt != nil }
        let assessment: HTML
        if let open {
            assessment = "<p>\(UI.tag("Due", colour: "yellow")) Falls assessment due \(open.promptText): \(UI.link("do it", to: "/falls/assessments/\(residentID)")).</p>"
        } else if let lastDone {
            assessment = "<p>Falls assessment done \(FallsApp.dateTime(lastDone.completedAt)): \(UI.link("see it", to: "/falls/assessments/\(residentID)")).</p>"
        } else {
            assessment = "<p>No falls assessment recorded: \(UI.link("do one", to: "/falls/assessments/\(residentID)")).</p>"
        }
        return """
        \(repeatBanner)
        \(UI.table(caption: "Falls in the last six months", headers: ["When", "What happened", "Record"], rows: rows, emptyMessage: "No falls in the last six months."))
        \(checksHTML)
        \(assessment)
        <p>\(UI.buttonLink("Record a fall", to: "/falls/new?resident=\(residentID)", kind: "secondary"))</p>
        """
    }
}
