package import Logging

/// Writes each log entry as exactly one line: control characters in the message and in metadata values
/// (a newline in a requested path, say) are written escaped (`\n`, `\u{1b}`), so that nobody can forge a
/// log line by putting one in what they send; and a value is cut at 1,000 characters, so one request
/// cannot make one line megabytes long.
package struct LineSafeLogHandler: LogHandler {
    private var inner: StreamLogHandler
    static let maximumValueLength = 1_000

    package init(label: String) { inner = StreamLogHandler.standardError(label: label) }

    package var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    package var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    package var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    package func log(event: LogEvent) {
        var safe = event
        safe.message = "\(LineSafeLogHandler.escape(event.message.description))"
        safe.metadata = event.metadata.map { $0.mapValues(LineSafeLogHandler.escape) }
        inner.log(event: safe)
    }

    static func escape(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): return .string(escape(text))
        case .stringConvertible(let item): return .string(escape(item.description))
        case .array(let items): return .array(items.map(escape))
        case .dictionary(let items): return .dictionary(items.mapValues(escape))
        @unknown default: return .string(escape(value.description))
        }
    }

    package static func escape(_ text: String) -> String {
        var out = ""
        var count = 0
        for scalar in text.unicodeScalars {
            count += 1
            if count > maximumValueLength { out += "…"; break }
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\\": out += "\\\\"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f || (0x80...0x9f).contains(scalar.value)
                    || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
