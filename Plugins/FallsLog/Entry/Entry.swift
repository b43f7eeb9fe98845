// The C entry points the server looks up in libFallsLog.so. Nothing else belongs here.
import CareKit
import CareServices
import FallsLogPlugin

@_cdecl("carekit_plugin_api_version")
public func carekitPluginAPIVersion() -> Int32 { carekitCompiledAPIVersion }

// The plugin uses CareServices: the server checks this before it creates the plugin.
@_cdecl("careservices_plugin_api_version")
public func careServicesPluginAPIVersion() -> Int32 { careServicesCompiledAPIVersion }

@_cdecl("carekit_plugin_create")
public func carekitPluginCreate() -> UnsafeMutableRawPointer { PluginExport.retain(FallsLogPlugin()) }
