/// A figure about the home for its care group's or integrated care board's monitoring, served at
/// `/metrics` in Prometheus' text format when the installer turns it on. Counts and EHCH indicators
/// only: never a name, an NHS number, a room or anything else that points at one person.
public struct Metric: Sendable {
    /// Prometheus' metric types that the appliance uses.
    @frozen public enum Kind: String, Sendable {
        /// A figure that goes up and down (residents living here, open prompts).
        case gauge
        /// A running total that only goes up (falls recorded since the home began).
        case counter
    }

    /// One value, with its labels (`["severity": "high"]`).
    public struct Sample: Sendable {
        public var labels: [String: String]
        public var value: Double

        public init(_ value: Double, labels: [String: String] = [:]) {
            self.labels = labels
            self.value = value
        }

        public init(_ value: Int, labels: [String: String] = [:]) {
            self.init(Double(value), labels: labels)
        }
    }

    /// The full name, starting `carehome_` and the plugin's table prefix (`carehome_falls_log_falls_30d`).
    /// Letters, digits and underscores. A metric whose name does not follow this is left out (and logged).
    public var name: String
    /// One line saying what it counts, for whoever builds the dashboard.
    public var help: String
    public var kind: Kind
    public var samples: [Sample]

    public init(_ name: String, help: String, kind: Kind = .gauge, samples: [Sample]) {
        self.name = name
        self.help = help
        self.kind = kind
        self.samples = samples
    }

    /// A metric with a single unlabelled value.
    public init(_ name: String, help: String, kind: Kind = .gauge, value: Int) {
        self.init(name, help: help, kind: kind, samples: [Sample(value)])
    }
}

/// What a plugin contributes to `/metrics`: called on each scrape (typically every 15 to 60 seconds).
public struct MetricSource: Sendable {
    public var collect: @Sendable () throws -> [Metric]

    public init(collect: @escaping @Sendable () throws -> [Metric]) {
        self.collect = collect
    }
}
