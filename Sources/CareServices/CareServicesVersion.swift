/// The version of the shared services' contract (the protocols and values in this library) that
/// this copy of CareServices implements. It moves on its own, apart from `carekitAPIVersion`: a
/// breaking change to a shared value (a new case of a frozen enum, a field removed) raises it, and
/// only plugins that use CareServices are rebuilt.
///
/// A plugin that links CareServices exports its compiled version as the C symbol
/// `careServicesAPIVersionSymbol`; the server refuses a mismatch, as it does for CareKit's version.
public let careServicesAPIVersion: Int32 = 1

/// The CareServices API version a plugin was compiled against, compiled into the plugin itself even in
/// a debug build (`@_alwaysEmitIntoClient`, as `carekitCompiledAPIVersion` is, for the same reason).
@_alwaysEmitIntoClient
public var careServicesCompiledAPIVersion: Int32 { 1 }

/// The C symbol a plugin that uses CareServices exports, returning `careServicesCompiledAPIVersion` (`Int32`).
public let careServicesAPIVersionSymbol = "careservices_plugin_api_version"
