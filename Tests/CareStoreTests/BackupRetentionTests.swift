import CareStore
import Foundation
import Testing

/// 02:30 UTC on the given day (the nightly timer's time).
private func night(_ year: Int, _ month: Int, _ day: Int, hour: Int = 2, minute: Int = 30) -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute))!
}

/// Every night from `first` to `last` inclusive.
private func nightly(from first: Date, to last: Date, every days: Int = 1) -> [Date] {
    stride(from: first.timeIntervalSince1970, through: last.timeIntervalSince1970, by: Double(days) * 86_400)
        .map { Date(timeIntervalSince1970: $0) }
}

@Suite("Backup retention (14 daily, 8 weekly, 12 monthly)")
struct BackupRetentionTests {
    @Test("a year of nightly backups keeps the last 14 nights, 8 week-ends and 12 month-ends: 30 files")
    func yearOfNightlies() {
        let dates = nightly(from: night(2025, 11, 1), to: night(2026, 11, 23))
        let kept = BackupRetention.standard.keep(dates)
        let expectedDaily = (10...23).map { night(2026, 11, $0) }
        // 23 November 2026 is a Monday: its week's newest is the 23rd, then the Sundays before.
        let expectedWeekly = [night(2026, 11, 22), night(2026, 11, 15), night(2026, 11, 8), night(2026, 11, 1),
                              night(2026, 10, 25), night(2026, 10, 18), night(2026, 10, 11)]
        let expectedMonthly = [night(2026, 10, 31), night(2026, 9, 30), night(2026, 8, 31), night(2026, 7, 31),
                               night(2026, 6, 30), night(2026, 5, 31), night(2026, 4, 30), night(2026, 3, 31),
                               night(2026, 2, 28), night(2026, 1, 31), night(2025, 12, 31)]
        #expect(kept == Set(expectedDaily + expectedWeekly + expectedMonthly))
        #expect(kept.count == 30)
        #expect(!kept.contains(night(2025, 11, 30)), "the 13th month back is beyond 12 monthly backups")
    }

    @Test("fourteen nights are all kept; the fifteenth night back goes unless it ends a week or month")
    func fifteenthNight() {
        let fourteen = nightly(from: night(2026, 11, 10), to: night(2026, 11, 23))
        #expect(BackupRetention.standard.keep(fourteen) == Set(fourteen))
        // 9 November (a Monday, mid-month) is neither a week's nor a month's newest backup here.
        let fifteen = nightly(from: night(2026, 11, 9), to: night(2026, 11, 23))
        #expect(BackupRetention.standard.keep(fifteen) == Set(fifteen.dropFirst()))
        // 8 November is a Sunday: the newest of its ISO week, so the weekly rule keeps it.
        let withSunday = nightly(from: night(2026, 11, 8), to: night(2026, 11, 23))
        #expect(BackupRetention.standard.keep(withSunday).contains(night(2026, 11, 8)))
    }

    @Test("of several backups on one day only the newest counts as that day's")
    func sameDay() {
        let morning = night(2026, 11, 23, hour: 2)
        let beforeUpdate = night(2026, 11, 23, hour: 14)
        let yesterday = night(2026, 11, 22)
        let kept = BackupRetention.standard.keep([morning, beforeUpdate, yesterday])
        #expect(kept == [beforeUpdate, yesterday])
    }

    @Test("after weeks of failed nights the 14 most recent backups are still kept, not aged out")
    func gapsCountOnlyDaysWithBackups() {
        // A backup every third night for 90 days: 14 daily slots reach back 39 days.
        let dates = nightly(from: night(2026, 8, 25), to: night(2026, 11, 23), every: 3)
        let kept = BackupRetention.standard.keep(dates)
        let newest14 = dates.sorted(by: >).prefix(14)
        #expect(Set(newest14).isSubset(of: kept))
        #expect(kept.contains(night(2026, 10, 15)), "39 days back is the 14th daily backup")
    }

    @Test("pruning deletes only old nightly backups, never pre-upgrade copies or other files")
    func pruneFileNames() {
        let nights = nightly(from: night(2026, 11, 1), to: night(2026, 11, 23))
        let names = nights.map { BackupRetention.fileName(for: $0, encrypted: true) }
            + ["pre-upgrade-1.0.0-to-1.1.0-20261101T120000Z.sqlite", "notes.txt", "carehome-2026.sqlite"]
        let (keep, delete) = BackupRetention.standard.prune(fileNames: names)
        #expect(delete.count == nights.count - 14 - 2, "Nov 1 and Nov 8 end weeks; the 14 newest stay")
        #expect(delete.contains("carehome-20261102T023000Z.sqlite.enc"))
        #expect(!delete.contains("carehome-20261101T023000Z.sqlite.enc"))
        #expect(keep.contains("pre-upgrade-1.0.0-to-1.1.0-20261101T120000Z.sqlite"))
        #expect(keep.contains("notes.txt"))
        #expect(keep.contains("carehome-2026.sqlite"))
        #expect(Set(keep).isDisjoint(with: delete))
    }

    @Test("file names carry the UTC time and read back; malformed names are not backups")
    func fileNames() {
        let date = night(2026, 3, 29, hour: 1, minute: 5)
        #expect(BackupRetention.fileName(for: date, encrypted: false) == "carehome-20260329T010500Z.sqlite")
        #expect(BackupRetention.date(fromFileName: "carehome-20260329T010500Z.sqlite.enc") == date)
        #expect(BackupRetention.date(fromFileName: "carehome-20261329T010500Z.sqlite") == nil)
        #expect(BackupRetention.date(fromFileName: "carehome-20260230T010500Z.sqlite") == nil)
        #expect(BackupRetention.date(fromFileName: "carehome-20260329T010500Z.sqlite.tmp") == nil)
    }
}
