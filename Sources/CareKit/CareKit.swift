/// The version of the plugin contract that this copy of CareKit implements.
///
/// A plugin records the version it was compiled against through `carekitCompiledAPIVersion`
/// (which is inlined into the plugin at compile time); the server compares that with its own
/// before any Swift type crosses the boundary, and refuses a mismatch.
public let carekitAPIVersion: Int32 = 2

/// The API version a plugin was compiled against. `@inlinable` so that the number is baked into
/// the plugin's binary, not read back from whichever libCareKit.so happens to be loaded.
@inlinable
public var carekitCompiledAPIVersion: Int32 { 2 }

/// The C symbol every plugin exports that returns its compiled API version (`Int32`).
public let carekitAPIVersionSymbol = "carekit_plugin_api_version"

/// The C symbol every plugin exports that returns a retained pointer to its `CarePlugin` object.
public let carekitCreateSymbol = "carekit_plugin_create"
