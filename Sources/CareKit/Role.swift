/// A staff member's role. Every route declares which roles may use it; the server enforces it.
@frozen public enum Role: String, Sendable, CaseIterable, Codable {
    /// Care staff: see residents, record falls and concerns.
    case carer
    /// Registered nurse: edit records, run rounds.
    case nurse
    /// The home's manager or clinical lead: everything clinical, accounts, the audit trail.
    case manager
    /// Visiting GP, pharmacist or MDT member; the account may expire.
    case clinician
    /// The installer: configuration, plugins, backups, accounts. No access to resident records.
    case admin

    /// The name shown to staff.
    public var title: String {
        switch self {
        case .carer: "Carer"
        case .nurse: "Nurse"
        case .manager: "Manager"
        case .clinician: "Visiting clinician"
        case .admin: "Administrator"
        }
    }

    /// Every role that looks after residents (everyone but the admin).
    public static let careTeam: Set<Role> = [.carer, .nurse, .manager, .clinician]
    /// Roles that may change clinical records.
    public static let clinicalEditors: Set<Role> = [.nurse, .manager, .clinician]
}

/// The signed-in staff member making a request.
public struct Principal: Sendable, Equatable {
    /// The account's database id (stable; used in audit entries and record versions).
    public var userID: Int64
    /// Login name.
    public var username: String
    /// Name shown on pages and in record histories.
    public var displayName: String
    /// The account's role.
    public var role: Role

    /// Creates a principal.
    public init(userID: Int64, username: String, displayName: String, role: Role) {
        self.userID = userID
        self.username = username
        self.displayName = displayName
        self.role = role
    }
}
