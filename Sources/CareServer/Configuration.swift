package import Foundation

/// Settings from `carehome.conf` (`key = value` lines, `#` comments) and the command line.
package struct ApplianceConfiguration: Sendable {
    package var dataDirectory: URL
    package var listenAddress = "127.0.0.1"
    package var listenPort: UInt16 = 8080
    package var pluginsDirectory: URL?
    /// Plugin ids to load; nil: every plugin found.
    package var enabledPlugins: Set<String>?
    package var homeName = "Care home"
    package var sessionIdleMinutes = 15
    package var sessionLifetimeHours = 12
    package var tlsCertificate: URL?
    package var tlsKey: URL?
    package var threadPoolSize = 4
    package var maxBodyBytes = 8 * 1024 * 1024
    /// Connections one address may hold at once (a browser opens at most 6). Raise it only when many
    /// tablets reach the appliance through one address (a NAT).
    package var connectionsPerAddress = 16
    package var assetsDirectory: URL?
    package var backupDirectory: URL?
    /// The key that encrypts backups (`backup_key`); nil: `backup.key` beside the configuration file,
    /// where the installer makes it (see `resolvedBackupKeyFile`).
    package var backupKeyFile: URL?
    /// The directory of the configuration file read last, if any.
    package var configurationDirectory: URL?
    /// The backup key the server uses: `backup_key`, else `backup.key` beside the configuration file
    /// (/etc/carehome/backup.key, the key the nightly backup unit passes with --key-file); nil when
    /// neither is set (a demo or a test home without a configuration file: backups are plain, with a digest).
    package var resolvedBackupKeyFile: URL? {
        backupKeyFile ?? configurationDirectory.map { $0.appendingPathComponent("backup.key") }
    }
    /// The audit chain's key (its head and checkpoint are kept beside it); nil: `audit.key` in the data
    /// directory. On an appliance: /etc/carehome/audit.key, beside the backup key, out of the data's reach.
    package var auditKeyFile: URL?
    package var resolvedAuditKeyFile: URL { auditKeyFile ?? AuditAnchor.defaultKeyFile(dataDirectory: dataDirectory) }
    /// Where plain HTTP is answered only with a redirect to HTTPS (e.g. `0.0.0.0:80`).
    package var httpRedirectAddress: String?
    package var httpRedirectPort: UInt16?
    /// The bearer token a monitoring server (Prometheus) sends to read `/metrics`; nil: `/metrics` is off.
    package var metricsToken: String?
    /// The home's ODS code (`VM123`), written on its FHIR Organization; nil when not configured.
    package var odsCode: String?
    /// The server moves old audit entries into the archive once a day (`AuditArchiveSchedule`); `audit_archive
    /// = off` leaves that to `carehome audit archive` (a benchmark measuring a home as it was generated).
    package var auditArchiveAutomatically = true
    /// Tests only: count the SQL statements each request runs (`StatementCounter`).
    package var countingStatements = false

    package init(dataDirectory: URL) { self.dataDirectory = dataDirectory }

    /// Reads a configuration file over these settings. Unknown keys are an error (a typo should not
    /// silently leave a setting at its default).
    package mutating func read(file: URL) throws {
        let text: String
        do { text = try String(contentsOf: file, encoding: .utf8) } catch {
            throw ConfigurationError("cannot read the configuration file \(file.path): \(error.localizedDescription)")
        }
        configurationDirectory = file.deletingLastPathComponent()
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)?
                .trimmingCharacters(in: .whitespaces) ?? ""
            guard !line.isEmpty else { continue }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { throw ConfigurationError("\(file.path) line \(index + 1): expected key = value") }
            try set(parts[0], parts[1], at: "\(file.path) line \(index + 1)")
        }
    }

    package mutating func set(_ key: String, _ value: String, at place: String) throws {
        func int(_ range: ClosedRange<Int>) throws -> Int {
            guard let number = Int(value), range.contains(number) else {
                throw ConfigurationError("\(place): \(key) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        }
        switch key {
        case "listen":
            let (host, port) = try ApplianceConfiguration.parseListen(value)
            listenAddress = host
            listenPort = port
        case "data_dir": dataDirectory = URL(fileURLWithPath: value)
        case "plugins_dir": pluginsDirectory = URL(fileURLWithPath: value)
        case "plugins_enabled":
            let ids = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            enabledPlugins = value.trimmingCharacters(in: .whitespaces) == "all" ? nil : Set(ids)
        case "home_name": homeName = value
        case "session_idle_minutes": sessionIdleMinutes = try int(1...720)
        case "session_lifetime_hours": sessionLifetimeHours = try int(1...72)
        case "tls_cert": tlsCertificate = URL(fileURLWithPath: value)
        case "tls_key": tlsKey = URL(fileURLWithPath: value)
        case "threads": threadPoolSize = try int(1...64)
        case "max_upload_mb": maxBodyBytes = try int(1...512) * 1024 * 1024
        case "connections_per_address": connectionsPerAddress = try int(4...256)
        case "assets_dir": assetsDirectory = URL(fileURLWithPath: value)
        case "backup_dir": backupDirectory = URL(fileURLWithPath: value)
        case "audit_key": auditKeyFile = URL(fileURLWithPath: value)
        case "backup_key": backupKeyFile = URL(fileURLWithPath: value)
        case "metrics_token":
            guard value.count >= 32, value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.~".contains($0)) }) else {
                throw ConfigurationError("\(place): metrics_token must be at least 32 letters, digits or -_.~ (make one with `openssl rand -hex 32`)")
            }
            metricsToken = value
        case "ods_code":
            guard (3...10).contains(value.count), value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                throw ConfigurationError("\(place): ods_code must be the home's ODS code, 3 to 10 letters and digits (such as VM123)")
            }
            odsCode = value.uppercased()
        case "audit_archive":
            guard value == "on" || value == "off" else { throw ConfigurationError("\(place): audit_archive must be on or off") }
            auditArchiveAutomatically = value == "on"
        case "http_redirect":
            let (host, port) = try ApplianceConfiguration.parseListen(value)
            httpRedirectAddress = host
            httpRedirectPort = port
        default: throw ConfigurationError("\(place): unknown setting '\(key)'")
        }
    }

    /// `127.0.0.1:8080`, `[::1]:8080`, `0.0.0.0:443`, or `:8080` (all IPv4 addresses).
    package static func parseListen(_ text: String) throws -> (String, UInt16) {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else {
            throw ConfigurationError("'\(text)' is not HOST:PORT (for example 127.0.0.1:8080)")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty { host = "0.0.0.0" }
        if host == "localhost" { host = "127.0.0.1" }
        return (host, port)
    }
}

package struct ConfigurationError: Error, CustomStringConvertible {
    package let message: String
    package init(_ message: String) { self.message = message }
    package var description: String { message }
}
