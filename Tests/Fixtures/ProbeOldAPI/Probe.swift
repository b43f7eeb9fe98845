// A plugin that claims to be built for another CareKit API: the loader must refuse it before any
// Swift type crosses (its create function must never be called).
import CareKit

@_cdecl("carekit_plugin_api_version")
public func carekitPluginAPIVersion() -> Int32 { 999 }

@_cdecl("carekit_plugin_create")
public func carekitPluginCreate() -> UnsafeMutableRawPointer? {
    // Reaching here would be a loader bug: the version check comes first.
    nil
}
