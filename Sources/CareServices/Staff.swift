public import CareKit

/// A member of staff as other plugins see them: the account's name and role, and whether it can sign in.
public struct StaffMember: Sendable, Equatable {
    /// The account's id.
    public var userID: Int64
    /// The login name.
    public var username: String
    /// The name shown on pages (`Niamh Nurse`).
    public var displayName: String
    /// The role.
    public var role: Role
    /// Whether the account can sign in today (not disabled, not expired).
    public var active: Bool

    /// Creates a member.
    public init(userID: Int64, username: String, displayName: String, role: Role, active: Bool) {
        self.userID = userID
        self.username = username
        self.displayName = displayName
        self.role = role
        self.active = active
    }
}

/// The server's list of staff accounts (the admin's accounts are left out: they hold no care work).
public protocol StaffDirectory: Sendable {
    /// Every staff account, active or not, by name.
    func staff() throws -> [StaffMember]
}
