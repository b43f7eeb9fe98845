// A plugin built for today's CareKit that claims another CareServices API: the loader must refuse it
// before any Swift type crosses (its create function must never be called).
import CareKit

@_cdecl("carekit_plugin_api_version")
public func carekitPluginAPIVersion() -> Int32 { carekitCompiledAPIVersion }

@_cdecl("careservices_plugin_api_version")
public func careServicesPluginAPIVersion() -> Int32 { 999 }

@_cdecl("carekit_plugin_create")
public func carekitPluginCreate() -> UnsafeMutableRawPointer? {
    // Reaching here would be a loader bug: the version checks come first.
    nil
}
