package import CareKit
import CareServices
package import Foundation

/// A plugin found in the plugins directory (or handed in by a test), before it is loaded.
package struct PluginCandidate: @unchecked Sendable {
    // @unchecked: `plugin` is a `CarePlugin`, which is Sendable; the optional existential is not
    // inferred as such through the library handle field, which is only an address.
    /// Where it came from (`libFallsLog.so`), or the plugin id for in-process plugins.
    package var source: String
    /// The plugin, when it could be created.
    package var plugin: (any CarePlugin)?
    /// Why it could not be used as a plugin, when it could not.
    package var problem: String?

    /// An in-process plugin (tests).
    package init(plugin: any CarePlugin) {
        self.source = plugin.manifest.id
        self.plugin = plugin
        self.problem = nil
    }

    init(source: String, problem: String) {
        self.source = source
        self.plugin = nil
        self.problem = problem
    }

    init(source: String, plugin: any CarePlugin) {
        self.source = source
        self.plugin = plugin
        self.problem = nil
    }

    /// Opens every `*.so` in `directory` (sorted by name) and checks the API version before any
    /// Swift type crosses: a library that is not a plugin, or was built for another API, is refused
    /// with a one-line reason.
    package static func discover(in directory: URL) -> [PluginCandidate] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".so") }
            .sorted()
        return names.map { open(directory.appendingPathComponent($0)) }
    }

    static func open(_ file: URL) -> PluginCandidate {
        let name = file.lastPathComponent
        guard let handle = dlopen(file.path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown reason"
            // Built before API 3, a plugin read its version through a getter in libCareKit.so that is now
            // compiled into each plugin instead: that it is missing says which API the plugin predates.
            if reason.contains(legacyVersionGetter) {
                return PluginCandidate(source: name, problem: "\(name) was built for a CareKit API before \(carekitAPIVersion); this server provides \(carekitAPIVersion). Install the plugin version built for this server")
            }
            // Another symbol the plugin needs and this server's libraries lack: built for another
            // CareKit or CareServices.
            let hint = reason.contains("undefined symbol") ? " (it was probably built for another CareKit or CareServices: install the plugin version built for this server)" : ""
            return PluginCandidate(source: name, problem: "\(name) is not a loadable library: \(reason)\(hint)")
        }
        guard let versionSymbol = dlsym(handle, carekitAPIVersionSymbol) else {
            dlclose(handle)
            return PluginCandidate(source: name, problem: "\(name) is not a carehome plugin (it has no \(carekitAPIVersionSymbol))")
        }
        typealias VersionFunction = @convention(c) () -> Int32
        let version = unsafeBitCast(versionSymbol, to: VersionFunction.self)()
        guard version == carekitAPIVersion else {
            // Leave it loaded but unused: unloading Swift code is not supported by the runtime.
            return PluginCandidate(source: name, problem: "\(name) was built for CareKit API \(version); this server provides \(carekitAPIVersion). Install the plugin version built for this server")
        }
        // A plugin that uses the shared services says which version of them it was built for; one
        // that does not use them exports nothing and is not asked.
        if let servicesSymbol = dlsym(handle, careServicesAPIVersionSymbol) {
            let servicesVersion = unsafeBitCast(servicesSymbol, to: VersionFunction.self)()
            if let problem = servicesVersionProblem(name, built: servicesVersion) {
                return PluginCandidate(source: name, problem: problem)
            }
        }
        guard let createSymbol = dlsym(handle, carekitCreateSymbol) else {
            return PluginCandidate(source: name, problem: "\(name) is not a carehome plugin (it has no \(carekitCreateSymbol))")
        }
        typealias CreateFunction = @convention(c) () -> UnsafeMutableRawPointer?
        guard let pointer = unsafeBitCast(createSymbol, to: CreateFunction.self)(),
              let plugin = PluginExport.take(pointer) else {
            return PluginCandidate(source: name, problem: "\(name) did not create a CareKit plugin object")
        }
        return PluginCandidate(source: name, plugin: plugin)
    }

    /// The mangled name of `carekitCompiledAPIVersion`'s getter, which libCareKit.so exported until API 3.
    static let legacyVersionGetter = "$s7CareKit25carekitCompiledAPIVersions5Int32Vvg"

    /// Why a plugin built for CareServices API `built` cannot load into this server, or nil when it can.
    static func servicesVersionProblem(_ name: String, built: Int32) -> String? {
        guard built != careServicesAPIVersion else { return nil }
        return "\(name) was built for CareServices API \(built); this server provides \(careServicesAPIVersion). Install the plugin version built for this server"
    }
}
