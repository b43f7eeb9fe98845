/// The version of the plugin contract that this copy of CareKit implements.
///
/// A plugin records the version it was compiled against through `carekitCompiledAPIVersion`
/// (which is compiled into the plugin itself); the server compares that with its own
/// before any Swift type crosses the boundary, and refuses a mismatch.
public let carekitAPIVersion: Int32 = 3

/// The API version a plugin was compiled against, compiled into the plugin's binary so that it is
/// never read back from whichever libCareKit.so happens to be loaded. `@_alwaysEmitIntoClient`, not
/// `@inlinable`: an inlinable getter is still called through libCareKit.so in a debug build (-Onone),
/// so a debug-built plugin reported the loaded CareKit's version, not its own (measured: a plugin
/// built for API 2 loaded into an API 3 server). Plugins built before API 3 call the getter, which
/// libCareKit.so no longer exports: the loader refuses them for it.
@_alwaysEmitIntoClient
public var carekitCompiledAPIVersion: Int32 { 3 }

/// The C symbol every plugin exports that returns its compiled API version (`Int32`).
public let carekitAPIVersionSymbol = "carekit_plugin_api_version"

/// The C symbol every plugin exports that returns a retained pointer to its `CarePlugin` object.
public let carekitCreateSymbol = "carekit_plugin_create"
