import CareKit
import CareTesting
import Foundation
import Testing
import ResidentsPlugin
import FallsLogPlugin
import HomeRoundPlugin
@testable import TransfersPlugin

/// "Today" for these tests: the registry and the transfers plugin are pinned to it.
let transfersToday = Day(year: 2026, month: 7, day: 15)!

func day(_ y: Int, _ m: Int, _ d: Int) -> Day { Day(year: y, month: m, day: d)! }

/// A small home built through the real pages, with numbers worked by hand (see `HandWorkedHome.build`).
struct TransfersHome {
    let home: TestHome
    var ids: [String: Int64] = [:]

    /// A home already made with other plugins.
    init(existing: TestHome) { home = existing }

    init(falls: Bool = true) throws {
        let pinned = HomeTime.combine(transfersToday, time: "12:00") ?? Date()
        var plugins: [any CarePlugin] = [ResidentsPlugin(today: { transfersToday })]
        if falls { plugins.append(FallsLogPlugin()) }
        plugins += [HomeRoundPlugin(), TransfersPlugin(now: { pinned })]
        home = try TestHome(plugins: plugins, homeName: "Larch House")
    }

    @discardableResult
    mutating func add(_ key: String, admitted: Day, room: String, plan: Bool = true) throws -> Int64 {
        var form = ["full_name": "Resident \(key) Test", "preferred_name": key, "date_of_birth": "1938-04-02", "room": room,
                    "admission_type": "permanent", "admission_date": admitted.iso, "allergies": "None known", "diagnoses": "",
                    "dementia_type": "no-dementia", "plan_exists": plan ? "yes" : "no"]
        if plan {
            form.merge(["plan_kind": "respect", "plan_date": admitted.iso, "plan_location": "red folder", "plan_cpr": "not-for-cpr",
                        "plan_hospital": "not-wanted", "plan_priority": "comfort"]) { $1 }
        }
        let response = try home.post("/residents/new", as: .manager, form: form)
        try #require(response.status == 303, "adding a resident failed: \(response.status) \(response.body.prefix(300))")
        let id = try #require(Int64(response.location?.split(separator: "/").last.map(String.init) ?? ""))
        ids[key] = id
        return id
    }

    func move(_ key: String, _ kind: String, on: Day, place: String? = nil) throws {
        var form = ["kind": kind, "on_day": on.iso]
        if let place { form["place"] = place }
        let response = try home.post("/residents/\(ids[key] ?? 0)/movements", as: .nurse, form: form)
        try #require(response.status == 303, "movement \(kind) on \(on.iso) failed: \(response.status)")
    }

    /// Records a transfer through the form; returns its id.
    @discardableResult
    func transfer(_ key: String, at: String, reason: String, route: String, ambulance: Bool, outcome: String, recordMove: Bool) throws -> Int64 {
        var form = ["resident_id": String(ids[key] ?? 0), "left_at": at, "reason": reason, "route": route, "by_ambulance": ambulance ? "yes" : "no",
                    "outcome": outcome, "hospital": "County Hospital"]
        if recordMove { form["record_move"] = "on" }
        let response = try home.post("/transfers/new", as: .nurse, form: form)
        try #require(response.status == 303, "transfer failed: \(response.status) \(response.body.prefix(400))")
        return try #require(Int64(response.location?.split(separator: "/").last.map(String.init) ?? ""))
    }

    func review(_ transfer: Int64, avoidable: String, on: Day) throws {
        let response = try home.post("/transfers/\(transfer)/review", as: .clinician, form: [
            "avoidable": avoidable, "helped": "earlier-recognition", "reviewed_on": on.iso, "reviewed_by": "Dr Price (GP), N Hussain (nurse)"])
        try #require(response.status == 303, "review failed: \(response.status)")
    }

    func fall(_ key: String, at: String) throws {
        let response = try home.post("/falls/new", as: .carer, form: [
            "resident_id": String(ids[key] ?? 0), "occurred_at": at, "location": "lounge", "witnessed": "yes", "injured": "no", "head_strike": "no"])
        try #require(response.status == 303, "fall failed: \(response.status)")
    }

    var app: TransfersApp {
        get throws {
            let pinned = HomeTime.combine(transfersToday, time: "12:00") ?? Date()
            return TransfersApp(context: try #require(home.context(of: "transfers")), now: { pinned })
        }
    }

    /// The figures for a period, as the pages work them out.
    func figures(_ period: Period) throws -> PeriodFigures {
        try app.gather(from: period.start, to: period.end).figures(for: period)
    }

    /// Four residents over the first two quarters of 2026.
    ///
    /// Q1 (1 Jan–31 Mar 2026, 90 nights):
    /// - A, here all quarter but two stays: left 10 Feb (deterioration, 999, admitted through A&E), back 15 Feb
    ///   (5 nights away); left 1 Mar (a fall, GP directed, ambulance, admitted directly), back 6 Mar (5 nights):
    ///   a readmission 14 days after coming back. 90 − 10 = 80 occupied bed days.
    /// - B, left the home on 31 Jan: nights 1–30 Jan = 30.
    /// - C, admitted 1 Feb, died here 20 Mar: nights 1 Feb–19 Mar = 28 + 19 = 47.
    /// - D, A&E only on 20 Jan (a fall, 999, same day), a planned day case on 20 Feb (same day), and on the last
    ///   day of the quarter, 31 Mar, to A&E through 111, taken by family, admitted, back 3 Apr: 90 − 1 = 89.
    /// Occupied bed days 80 + 30 + 47 + 89 = 246. Nights in hospital 5 + 5 + 1 = 11.
    /// Q2 (1 Apr–30 Jun, 91 nights): A 91; D back on 3 Apr, 91 − 2 = 89: 180 occupied bed days, 2 nights in
    /// hospital; A to A&E only on 10 May (999). A and D are current residents on 15 July; D has no advance care plan.
    static func build(falls: Bool = true) throws -> (TransfersHome, [String: Int64]) {
        var h = try TransfersHome(falls: falls)
        try h.add("A", admitted: day(2025, 12, 1), room: "1")
        try h.add("B", admitted: day(2025, 12, 1), room: "2")
        try h.add("C", admitted: day(2026, 2, 1), room: "3")
        try h.add("D", admitted: day(2025, 12, 1), room: "4", plan: false)
        var t = [String: Int64]()
        try h.move("B", "left", on: day(2026, 1, 31))
        t["D-ae"] = try h.transfer("D", at: "2026-01-20T10:00", reason: "fall", route: "999", ambulance: true, outcome: "ae-only", recordMove: false)
        if falls {
            try h.fall("D", at: "2026-01-20T09:30")
            try h.fall("A", at: "2026-03-01T08:15")
        }
        // C's 7-day clock (admitted Sun 1 Feb, deadline Tue 10 Feb): plan on time, assessment late (12 Feb), no SMR flag.
        try #require(try h.home.post("/residents/\(h.ids["C"] ?? 0)/clock/care-plan", as: .nurse,
                                     form: ["done_on": "2026-02-05", "done_by": "Nadia Hussain", "review_on": "2026-05-05"]).status == 303)
        try #require(try h.home.post("/residents/\(h.ids["C"] ?? 0)/clock/assessment", as: .nurse, fields: [
            ("domains", "physical"), ("domains", "psychological"), ("domains", "functional"), ("domains", "social"), ("domains", "environmental"),
            ("done_on", "2026-02-12"), ("done_by", "N Hussain")]).status == 303)
        t["A-1"] = try h.transfer("A", at: "2026-02-10T14:00", reason: "deterioration", route: "999", ambulance: true, outcome: "admitted", recordMove: true)
        try h.move("A", "returned-from-hospital", on: day(2026, 2, 15))
        // A's re-admission clock of 15 Feb: SMR flag on 16 Feb (on time); nothing else.
        try #require(try h.home.post("/residents/\(h.ids["A"] ?? 0)/clock/medication-review", as: .clinician,
                                     form: ["done_on": "2026-02-16", "done_by": "Tom Bradley"]).status == 303)
        t["D-planned"] = try h.transfer("D", at: "2026-02-20T08:00", reason: "planned", route: "planned-transport", ambulance: false, outcome: "planned-care", recordMove: false)
        t["A-2"] = try h.transfer("A", at: "2026-03-01T09:00", reason: "fall", route: "gp", ambulance: true, outcome: "direct", recordMove: true)
        try h.move("A", "returned-from-hospital", on: day(2026, 3, 6))
        try h.move("C", "died", on: day(2026, 3, 20), place: "here")
        t["D-31"] = try h.transfer("D", at: "2026-03-31T21:30", reason: "deterioration", route: "111", ambulance: false, outcome: "admitted", recordMove: true)
        try h.move("D", "returned-from-hospital", on: day(2026, 4, 3))
        t["A-may"] = try h.transfer("A", at: "2026-05-10T11:00", reason: "other", route: "999", ambulance: true, outcome: "ae-only", recordMove: false)
        try h.review(t["A-1"] ?? 0, avoidable: "possibly", on: day(2026, 2, 18))
        try h.review(t["D-ae"] ?? 0, avoidable: "no", on: day(2026, 1, 22))
        return (h, t)
    }

    static let q1 = Period.quarter(containing: day(2026, 2, 1))
    static let q2 = Period.quarter(containing: day(2026, 5, 1))
}
