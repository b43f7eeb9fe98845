package import CareKit
package import CareServices
import Foundation

/// `Services.staff`: the staff accounts, for plugins that give work to a person (the round's actions).
struct AccountsStaffDirectory: StaffDirectory {
    let accounts: Accounts

    func staff() throws -> [StaffMember] {
        let today = HomeTime.today()
        return try accounts.all().filter { $0.role != .admin }.map {
            StaffMember(userID: $0.id, username: $0.username, displayName: $0.displayName, role: $0.role, active: $0.blockReason(today: today) == nil)
        }.sorted { $0.displayName.localizedStandardCompare($1.displayName) == .orderedAscending }
    }
}
