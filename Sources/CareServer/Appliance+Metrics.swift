import CareHTTP
import CareKit
import CareStore
import Foundation

/// `/metrics`: the home's figures in Prometheus' text format, for a care group's or ICB's monitoring
/// (DESIGN.md, "Beyond one home"). Off unless `metrics_token` is configured; then only a request that
/// carries that token as a bearer token is answered. No personal data: counts and indicators only.
extension Appliance {
    func metrics(_ http: HTTPRequest, requestID: String) -> HTTPResponse {
        guard let token = configuration.metricsToken else { return notFound(viewer: nil, http: http, requestID: requestID) }
        let sent = http.headers["authorization"].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil } ?? ""
        guard constantTimeEqual(Array(sent.utf8), Array(token.utf8)) else {
            if !sent.isEmpty {
                logger.warning("metrics request with a wrong token", metadata: ["request.id": .string(requestID), "client.address": .string(http.remoteAddress)])
            }
            return HTTPResponse(status: 401, headers: [("WWW-Authenticate", "Bearer realm=\"carehome metrics\""), ("Content-Type", "text/plain; charset=utf-8"),
                                                       ("Cache-Control", "no-store")],
                                body: Array("The metrics need the token set as metrics_token in carehome.conf, sent as a bearer token.\n".utf8))
        }
        var families = coreMetrics()
        var sourceUp: [Metric.Sample] = []
        var seen = Set(families.map(\.name))
        for (pluginID, source) in host.metricSources() {
            let prefix = "carehome_" + HomeDatabase.tablePrefix(pluginID)
            do {
                for metric in try source.collect() {
                    guard metric.name.hasPrefix(prefix), MetricsText.isValidName(metric.name), !seen.contains(metric.name),
                          metric.samples.allSatisfy({ $0.labels.keys.allSatisfy(MetricsText.isValidLabelName) }) else {
                        logger.warning("metric left out: its name must start with \(prefix), be unique and use letters, digits and underscores",
                                       metadata: ["plugin.id": .string(pluginID), "metric": .string(metric.name)])
                        continue
                    }
                    seen.insert(metric.name)
                    families.append(metric)
                }
                sourceUp.append(Metric.Sample(1, labels: ["plugin": pluginID]))
            } catch {
                logger.error("metrics source failed", metadata: ["plugin.id": .string(pluginID), "request.id": .string(requestID), "error": .string("\(error)")])
                sourceUp.append(Metric.Sample(0, labels: ["plugin": pluginID]))
            }
        }
        families.append(Metric("carehome_metrics_source_up", help: "1 when the plugin's figures were collected, 0 when collecting them failed (see the log)",
                               samples: sourceUp))
        return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8"), ("Cache-Control", "no-store")],
                            body: Array(MetricsText.render(families).utf8))
    }

    /// The appliance's own figures: version, plugins, database, backup, accounts.
    private func coreMetrics() -> [Metric] {
        var metrics = [
            Metric("carehome_info", help: "The appliance's version (always 1)", samples: [Metric.Sample(1, labels: ["version": Appliance.version])]),
            Metric("carehome_plugin_state", help: "Each plugin found, by its state (loaded, failed, disabled)",
                   samples: host.statuses.map { Metric.Sample(1, labels: ["plugin": $0.id, "version": $0.version, "state": $0.state.rawValue]) }),
            Metric("carehome_database_writable", help: "1 when the home's database accepts writes", value: home.canWrite() ? 1 : 0),
            // Entries can only be added: a scrape showing it go down means entries were removed.
            Metric("carehome_audit_entries", help: "Audit trail entries written so far (the chain's head); never goes down",
                   value: Int(((try? home.pool.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM core_audit") }) ?? 0) ?? 0)),
        ]
        let backup = BackupStatus.load(dataDirectory: configuration.dataDirectory)
        let now = Date()
        if let backup {
            metrics.append(Metric("carehome_backup_age_seconds", help: "Seconds since the last good backup finished",
                                  samples: [Metric.Sample(backup.age(at: now).rounded())]))
        }
        metrics.append(Metric("carehome_backup_overdue", help: "1 when the last good backup is more than 36 hours old, or there is none",
                              value: (backup?.isOverdue(at: now) ?? true) ? 1 : 0))
        metrics += adminMetrics(now: now)
        if let accounts = try? accounts.all() {
            let today = HomeTime.today()
            let active = accounts.filter { $0.blockReason(today: today) == nil }
            metrics.append(Metric("carehome_accounts_active", help: "Staff accounts that can sign in, by role",
                                  samples: Role.allCases.map { role in Metric.Sample(active.filter { $0.role == role }.count, labels: ["role": role.rawValue]) }))
        }
        return metrics
    }
}

/// Prometheus' text exposition format (version 0.0.4).
enum MetricsText {
    static func render(_ metrics: [Metric]) -> String {
        var out = ""
        for metric in metrics {
            out += "# HELP \(metric.name) \(escape(metric.help, quotes: false))\n# TYPE \(metric.name) \(metric.kind.rawValue)\n"
            for sample in metric.samples {
                out += metric.name
                if !sample.labels.isEmpty {
                    out += "{" + sample.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(escape($0.value, quotes: true))\"" }.joined(separator: ",") + "}"
                }
                out += " " + number(sample.value) + "\n"
            }
        }
        return out
    }

    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    static func escape(_ text: String, quotes: Bool) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\"" where quotes: out += "\\\""
            default: out.append(character)
            }
        }
        return out
    }

    static func isValidName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_" else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }

    static func isValidLabelName(_ name: String) -> Bool { isValidName(name) && !name.hasPrefix("__") }
}
