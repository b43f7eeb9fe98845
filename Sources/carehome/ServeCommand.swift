import ArgumentParser
import CareHTTP
import CareKit
import CareServer
import CareStore
import Dispatch
import Foundation
import Logging

/// Options shared by the commands that open a home.
struct HomeOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "The home's data directory (holds home.sqlite).")
    var dataDirectory: String?

    @Option(name: .customLong("plugins-dir"), help: "Where plugin libraries are (default: ../plugins beside the binary).")
    var pluginsDirectory: String?

    @Option(name: .customLong("config"), help: "A configuration file (key = value lines).")
    var configFile: String?

    func configuration(requireDataDirectory: Bool = true) throws -> ApplianceConfiguration {
        var configuration = ApplianceConfiguration(dataDirectory: URL(fileURLWithPath: dataDirectory ?? "/var/lib/carehome"))
        if let configFile {
            do { try configuration.read(file: URL(fileURLWithPath: configFile)) } catch { throw CommandFailure("\(error)") }
        }
        if let dataDirectory { configuration.dataDirectory = URL(fileURLWithPath: dataDirectory) }
        if requireDataDirectory && dataDirectory == nil && configFile == nil {
            throw ValidationError("Give --data-dir DIR (or --config FILE with data_dir).")
        }
        if let pluginsDirectory { configuration.pluginsDirectory = URL(fileURLWithPath: pluginsDirectory) }
        return configuration
    }

    static func defaultPluginsDirectory() -> URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("../plugins").standardizedFileURL
    }
}

func makeLogger() -> Logger {
    // One entry, one line, whatever a client sends (LineSafeLogHandler).
    var logger = Logger(label: "carehome", factory: { LineSafeLogHandler(label: $0) })
    logger.logLevel = ProcessInfo.processInfo.environment["CAREHOME_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
    // A release build logs a read of a column its query did not return (a debug build stops on it).
    let reporter = logger
    SQLRow.reportMissingColumns { message in reporter.error("sql.missing-column", metadata: ["detail": .string(message)]) }
    return logger
}

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve a home on the network.")

    @OptionGroup var home: HomeOptions

    @Option(name: .customLong("listen"), help: "HOST:PORT to listen on (default 127.0.0.1:8080).")
    var listen: String?

    @Option(name: .customLong("tls-cert"), help: "PEM certificate for HTTPS.")
    var tlsCertificate: String?

    @Option(name: .customLong("tls-key"), help: "PEM private key for HTTPS.")
    var tlsKey: String?

    func run() throws {
        var configuration = try home.configuration()
        if let listen {
            do { (configuration.listenAddress, configuration.listenPort) = try ApplianceConfiguration.parseListen(listen) }
            catch { throw ValidationError("\(error)") }
        }
        if let tlsCertificate { configuration.tlsCertificate = URL(fileURLWithPath: tlsCertificate) }
        if let tlsKey { configuration.tlsKey = URL(fileURLWithPath: tlsKey) }
        if try serve(configuration, banner: nil) { restartInPlace() }
    }
}

/// Opens the home, starts HTTP, and runs until SIGTERM or SIGINT, then finishes requests in flight.
/// Returns true when it stopped because the admin page asked for a restart (the caller then calls
/// `restartInPlace`, once everything here has been closed).
func serve(_ configuration: ApplianceConfiguration, banner: ((UInt16) -> String)?, prepare: ((Appliance) throws -> Void)? = nil) throws -> Bool {
    let logger = makeLogger()
    let pluginsDirectory = configuration.pluginsDirectory ?? HomeOptions.defaultPluginsDirectory()
    // One server per data directory, and `carehome restore` refuses while we hold this.
    let lock: DataDirectoryLock
    do {
        try FileManager.default.createDirectory(at: configuration.dataDirectory, withIntermediateDirectories: true)
        lock = try DataDirectoryLock.acquire(dataDirectory: configuration.dataDirectory, purpose: "serve this home")
    } catch {
        throw CommandFailure("carehome cannot start: \(error)")
    }
    defer { withExtendedLifetime(lock) {} }
    let appliance: Appliance
    do {
        appliance = try Appliance(configuration: configuration, candidates: PluginCandidate.discover(in: pluginsDirectory), logger: logger)
    } catch {
        throw CommandFailure("carehome cannot start: \(error)")
    }
    do { try appliance.recoverAfterStop() } catch { throw CommandFailure("carehome cannot start: \(error)") }
    try prepare?(appliance)
    var http = HTTPServer.Configuration(address: configuration.listenAddress, port: configuration.listenPort)
    http.threadPoolSize = configuration.threadPoolSize
    http.maxBodySize = configuration.maxBodyBytes
    http.perIPConnectionLimit = configuration.connectionsPerAddress
    if let certificate = configuration.tlsCertificate, let key = configuration.tlsKey {
        do {
            http.tlsCertificatePEM = try String(contentsOf: certificate, encoding: .utf8)
            http.tlsKeyPEM = try String(contentsOf: key, encoding: .utf8)
        } catch {
            throw CommandFailure("carehome cannot read the TLS certificate or key: \(error.localizedDescription)")
        }
    }
    // SIGTERM and SIGINT are taken before the first request can be answered: a stop that comes as soon
    // as the server answers still closes the database cleanly (else the next start must check every page).
    let stop = DispatchSemaphore(value: 0)
    signal(SIGTERM, SIG_IGN)
    signal(SIGINT, SIG_IGN)
    let sources = [SIGTERM, SIGINT].map { number -> any DispatchSourceSignal in
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler { stop.signal() }
        source.resume()
        return source
    }
    appliance.onRestartRequested { stop.signal() }
    let server = HTTPServer(configuration: http, bodyLimit: { method, path, cookie in
        appliance.bodyLimit(method: method, path: path, cookieHeader: cookie)
    }) { request in appliance.respond(to: request) }
    do { try server.start() } catch { throw CommandFailure("carehome cannot start: \(error)") }
    var redirector: HTTPServer?
    if let address = configuration.httpRedirectAddress, let port = configuration.httpRedirectPort, http.tlsKeyPEM != nil {
        let httpsPort = server.port
        let plain = HTTPServer(configuration: HTTPServer.Configuration(address: address, port: port)) { request in
            Appliance.redirectToHTTPS(request, httpsPort: httpsPort)
        }
        do { try plain.start() } catch { throw CommandFailure("carehome cannot start the HTTP redirect: \(error)") }
        redirector = plain
    }
    defer { redirector?.stop(grace: .seconds(1)) }
    let scheme = http.tlsKeyPEM == nil ? "http" : "https"
    let host = configuration.listenAddress.contains(":") ? "[\(configuration.listenAddress)]" : configuration.listenAddress
    logger.info("serving", metadata: ["url": .string("\(scheme)://\(host):\(server.port)/"), "plugins.dir": .string(pluginsDirectory.path),
                                      "data.dir": .string(configuration.dataDirectory.path), "mhd.version": .string(HTTPServer.libraryVersion)])
    // Written straight to the file descriptor: stdout is buffered when it is a pipe, and whoever
    // started us (make run, a test) waits for this line.
    let line = banner?(server.port) ?? "carehome \(Appliance.version) serving \(scheme)://\(host):\(server.port)/"
    FileHandle.standardOutput.write(Data((line + "\n").utf8))

    // Old audit entries move into the archive in the background, a few minutes after start-up and then daily.
    let archiving = configuration.auditArchiveAutomatically ? AuditArchiveSchedule(home: appliance.home, audit: appliance.audit, logger: logger) : nil

    stop.wait()
    archiving?.stop()
    let restart = appliance.restartRequested
    logger.info(restart ? "restarting: finishing requests in flight" : "stopping: finishing requests in flight")
    server.stop(grace: .seconds(10))
    appliance.shutdown()
    sources.forEach { $0.cancel() }
    logger.info(restart ? "stopped; starting again" : "stopped")
    return restart
}

/// Replaces this process with a fresh run of the same program and arguments (same PID, so systemd sees
/// the service carry on; the data directory's lock and every other descriptor are close-on-exec): the
/// plugins are loaded again, with the admin page's choices. Should that fail, it exits with status 75,
/// which systemd's `Restart=on-failure` turns into a restart; without systemd someone starts it by hand.
func restartInPlace() -> Never {
    var path = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    // The binary was replaced (an upgrade) while running: start the new one at the same path.
    if path.hasSuffix(" (deleted)") { path = String(path.dropLast(" (deleted)".count)) }
    // The new program starts with no signal blocked and the default handlers, as from a shell.
    var none = sigset_t()
    sigemptyset(&none)
    sigprocmask(SIG_SETMASK, &none, nil)
    signal(SIGTERM, SIG_DFL)
    signal(SIGINT, SIG_DFL)
    let arguments = CommandLine.arguments.map { strdup($0) } + [nil]
    execv(path, arguments)
    let reason = String(cString: strerror(errno))
    FileHandle.standardError.write(Data("carehome: could not start again (\(path): \(reason)); exiting with status 75 so that systemd restarts it. Without systemd, start it again by hand.\n".utf8))
    exit(75)
}
