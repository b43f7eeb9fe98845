package import CareKit

/// Matches request paths against route patterns with `:name` segments. A literal segment wins over
/// a parameter (`/residents/new` before `/residents/:id`).
struct Router: Sendable {
    struct Entry: Sendable {
        let pluginID: String
        let route: Route
        let segments: [Segment]
    }

    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    enum Match: Sendable {
        case found(Entry, parameters: [String: String])
        /// The path exists but not for this method.
        case methodNotAllowed(allowed: [HTTPMethod])
        case notFound
    }

    private(set) var entries: [Entry] = []

    static func segments(of pattern: String) -> [Segment] {
        pattern.split(separator: "/").map { part in
            part.hasPrefix(":") ? .parameter(String(part.dropFirst())) : .literal(String(part))
        }
    }

    /// The entry whose pattern would answer the same requests as `route`, if any.
    func clash(with route: Route) -> Entry? {
        let segments = Router.segments(of: route.path)
        return entries.first { entry in
            entry.route.method == route.method && entry.segments.count == segments.count &&
                zip(entry.segments, segments).allSatisfy { a, b in
                    switch (a, b) {
                    case (.literal(let x), .literal(let y)): x == y
                    case (.parameter, .parameter): true
                    default: false
                    }
                }
        }
    }

    mutating func add(_ route: Route, pluginID: String) {
        entries.append(Entry(pluginID: pluginID, route: route, segments: Router.segments(of: route.path)))
    }

    func match(method: HTTPMethod, path: String) -> Match {
        let parts = path.split(separator: "/").map(String.init)
        var best: (entry: Entry, parameters: [String: String], literals: Int)?
        var allowed = [HTTPMethod]()
        for entry in entries where entry.segments.count == parts.count {
            var parameters = [String: String]()
            var literals = 0
            var matches = true
            for (segment, part) in zip(entry.segments, parts) {
                switch segment {
                case .literal(let text):
                    if text != part { matches = false } else { literals += 1 }
                case .parameter(let name):
                    parameters[name] = part
                }
                if !matches { break }
            }
            guard matches else { continue }
            let effective: HTTPMethod = method == .head ? .get : method
            if entry.route.method != effective {
                allowed.append(entry.route.method)
                continue
            }
            if best == nil || literals > best!.literals { best = (entry, parameters, literals) }
        }
        if let best { return .found(best.entry, parameters: best.parameters) }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed)
    }
}
