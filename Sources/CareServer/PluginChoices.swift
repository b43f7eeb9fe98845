package import CareKit
package import Foundation
package import GRDB

/// Plugins switched on or off on the admin page, kept in the home's database (`core_plugin_choices`).
///
/// Why the database and not carehome.conf: under systemd the configuration file is read-only to the
/// appliance (ProtectSystem=strict; only the data and backup directories are writable), and a choice
/// kept with the records travels with them to a replacement box and back from a backup. carehome.conf's
/// `plugins_enabled` stays the default: a plugin with no choice recorded here loads as the file says.
/// A choice takes effect the next time the appliance starts, when the plugins are loaded.
package struct PluginChoice: Sendable, Equatable {
    package var pluginID: String
    package var enabled: Bool
    package var changedAt: Date
    package var changedBy: String
}

package enum PluginChoices {
    /// Every recorded choice, by plugin id. Empty for a home whose schema predates the table.
    package static func load(pool: DatabasePool) throws -> [String: PluginChoice] {
        try pool.read { db in
            guard try db.tableExists("core_plugin_choices") else { return [:] }
            var choices: [String: PluginChoice] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT plugin_id, enabled, changed_at, changed_by FROM core_plugin_choices") {
                let id: String = row["plugin_id"]
                let at: String = row["changed_at"]
                choices[id] = PluginChoice(pluginID: id, enabled: (row["enabled"] as Int) == 1,
                                           changedAt: Timestamp.parse(at) ?? Date(timeIntervalSince1970: 0), changedBy: row["changed_by"])
            }
            return choices
        }
    }

    /// Records a choice (replacing an earlier one).
    package static func set(_ pluginID: String, enabled: Bool, by username: String, at: Date = Date(), pool: DatabasePool) throws {
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO core_plugin_choices (plugin_id, enabled, changed_at, changed_by) VALUES (?, ?, ?, ?)
                ON CONFLICT (plugin_id) DO UPDATE SET enabled = excluded.enabled, changed_at = excluded.changed_at, changed_by = excluded.changed_by
                """, arguments: [pluginID, enabled ? 1 : 0, Timestamp.format(at), username])
        }
    }

    /// Forgets the choice, so that carehome.conf decides again.
    package static func clear(_ pluginID: String, pool: DatabasePool) throws {
        try pool.write { db in try db.execute(sql: "DELETE FROM core_plugin_choices WHERE plugin_id = ?", arguments: [pluginID]) }
    }

    /// Whether a plugin loads at the next start: the page's choice, else the configuration's list (nil: all).
    package static func isEnabled(_ pluginID: String, choices: [String: PluginChoice], configured: Set<String>?) -> Bool {
        choices[pluginID]?.enabled ?? configured?.contains(pluginID) ?? true
    }
}
