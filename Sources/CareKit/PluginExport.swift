/// Helpers for the two C entry points a plugin library exports. A plugin writes, in one small file:
///
/// ```swift
/// import CareKit
/// @_cdecl("carekit_plugin_api_version")
/// public func carekitPluginAPIVersion() -> Int32 { carekitCompiledAPIVersion }
/// @_cdecl("carekit_plugin_create")
/// public func carekitPluginCreate() -> UnsafeMutableRawPointer { PluginExport.retain(FallsLogPlugin()) }
/// ```
public enum PluginExport {
    /// Hands a new plugin object to the server as a retained opaque pointer. The server takes ownership.
    public static func retain(_ plugin: any CarePlugin) -> UnsafeMutableRawPointer {
        Unmanaged.passRetained(plugin as AnyObject).toOpaque()
    }

    /// Used by the server: takes ownership of the pointer returned by a plugin's create function.
    public static func take(_ pointer: UnsafeMutableRawPointer) -> (any CarePlugin)? {
        Unmanaged<AnyObject>.fromOpaque(pointer).takeRetainedValue() as? any CarePlugin
    }
}
