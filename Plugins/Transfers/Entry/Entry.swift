// The two C entry points the server looks up in libTransfers.so. Nothing else belongs here.
import CareKit
import TransfersPlugin

@_cdecl("carekit_plugin_api_version")
public func carekitPluginAPIVersion() -> Int32 { carekitCompiledAPIVersion }

@_cdecl("carekit_plugin_create")
public func carekitPluginCreate() -> UnsafeMutableRawPointer { PluginExport.retain(TransfersPlugin()) }
