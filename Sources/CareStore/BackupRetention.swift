package import Foundation

/// Which nightly backups to keep: by default the newest backup of each of the 14 most recent days
/// that have one, of each of the 8 most recent ISO weeks, and of each of the 12 most recent months.
///
/// Periods count only when they hold a backup (as borg and restic do), so a month of failed nights
/// does not silently age every daily backup out. The newest backup is always kept. Pure: the tests
/// and `carehome backup --to-dir DIR --keep-retention` use the same function.
package struct BackupRetention: Sendable, Equatable {
    package var daily: Int
    package var weekly: Int
    package var monthly: Int

    /// 14 daily, 8 weekly, 12 monthly.
    package static let standard = BackupRetention(daily: 14, weekly: 8, monthly: 12)

    package init(daily: Int, weekly: Int, monthly: Int) {
        self.daily = daily
        self.weekly = weekly
        self.monthly = monthly
    }

    /// The subset of `dates` to keep (times in UTC; weeks are ISO 8601 weeks).
    package func keep(_ dates: [Date]) -> Set<Date> {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let newestFirst = dates.sorted(by: >)
        var kept = Set<Date>()
        if let newest = newestFirst.first { kept.insert(newest) }
        func apply(_ count: Int, _ period: (Date) -> [Int]) {
            var seen = Set<[Int]>()
            for date in newestFirst where seen.count < count {
                if seen.insert(period(date)).inserted { kept.insert(date) }
            }
        }
        apply(daily) { calendar.dateComponents([.year, .month, .day], from: $0).asKey([.year, .month, .day]) }
        apply(weekly) { calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: $0).asKey([.yearForWeekOfYear, .weekOfYear]) }
        apply(monthly) { calendar.dateComponents([.year, .month], from: $0).asKey([.year, .month]) }
        return kept
    }

    /// Splits backup file names into those to keep and those to delete. Names that are not nightly
    /// backups (`carehome-YYYYMMDDTHHMMSSZ.sqlite[.enc]`), such as pre-upgrade copies, are never deleted.
    package func prune(fileNames: [String]) -> (keep: [String], delete: [String]) {
        let dated = fileNames.compactMap { name in BackupRetention.date(fromFileName: name).map { (name, $0) } }
        let keepDates = keep(dated.map(\.1))
        let delete = dated.filter { !keepDates.contains($0.1) }.map(\.0)
        let deleteSet = Set(delete)
        return (fileNames.filter { !deleteSet.contains($0) }.sorted(), delete.sorted())
    }

    /// `carehome-20261123T023000Z.sqlite`, or `….sqlite.enc` when encrypted.
    package static func fileName(for date: Date, encrypted: Bool) -> String {
        "carehome-\(stamp(date)).sqlite" + (encrypted ? ".enc" : "")
    }

    /// `20261123T023000Z` (UTC), as used in backup and set-aside file names.
    package static func stamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ v: Int?) -> String { let v = v ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        return "\(c.year ?? 0)\(two(c.month))\(two(c.day))T\(two(c.hour))\(two(c.minute))\(two(c.second))Z"
    }

    /// The time in a nightly backup's file name, or nil for any other file.
    package static func date(fromFileName name: String) -> Date? {
        let stem: Substring
        if name.hasSuffix(".sqlite.enc") { stem = name.dropLast(".sqlite.enc".count) }
        else if name.hasSuffix(".sqlite") { stem = name.dropLast(".sqlite".count) }
        else { return nil }
        guard stem.hasPrefix("carehome-") else { return nil }
        let s = Array(stem.dropFirst("carehome-".count).utf8)
        guard s.count == 16, s[8] == UInt8(ascii: "T"), s[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in s[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
              let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard components.isValidDate(in: calendar), let date = calendar.date(from: components) else { return nil }
        return date
    }
}

private extension DateComponents {
    func asKey(_ components: [Calendar.Component]) -> [Int] {
        components.map { value(for: $0) ?? 0 }
    }
}
