import ArgumentParser
import CareKit
import CareServer
import CareStore
import Foundation
import Logging

/// `carehome api-token add|list|revoke`: bearer tokens for outside systems reading `/fhir`, for scripted installs.
struct APITokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "api-token", abstract: "Tokens that let an outside system read the home's records as FHIR.",
                                                    subcommands: [Add.self, List.self, Revoke.self])

    /// The home with its plugins loaded (which resource types exist depends on them), quietly.
    static func appliance(_ home: HomeOptions) throws -> Appliance {
        let configuration = try home.configuration()
        var logger = makeLogger()
        logger.logLevel = .warning
        let directory = configuration.pluginsDirectory ?? HomeOptions.defaultPluginsDirectory()
        return try Appliance(configuration: configuration, candidates: PluginCandidate.discover(in: directory), logger: logger)
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a token and print it once (only its SHA-256 is kept).")

        @OptionGroup var home: HomeOptions
        @Option(help: "The system that will use it, such as \"Dorset shared care record\".") var name: String
        @Option(help: "all, or resource types separated by commas (Patient,Observation).") var scope: String
        @Option(help: "The last day it works (YYYY-MM-DD), at most two years from today.") var expires: String

        func validate() throws {
            guard Day(iso: expires) != nil else { throw ValidationError("--expires must be a date such as 2027-03-31") }
        }

        func run() throws {
            let appliance = try APITokenCommand.appliance(home)
            defer { appliance.shutdown() }
            do {
                let scope = try APITokens.parseScope(scope, known: appliance.fhirCatalog.types)
                let made = try appliance.apiTokens.create(name: name, scope: scope, expiresOn: Day(iso: expires) ?? HomeTime.today(), createdBy: "carehome api-token add")
                appliance.audit.record(AuditEntry(userID: nil, username: "carehome api-token add", address: "console", source: "core", action: "api-token-created",
                                                  detail: "\(made.record.auditName) may read \(made.record.scopeText) until \(made.record.expiresOn.iso)"), durable: true)
                FileHandle.standardError.write(Data("Token \(made.record.id) for \(made.record.name): may read \(made.record.scopeText) until \(made.record.expiresOn.iso). It is shown only now:\n".utf8))
                print(made.token)
            } catch let error as APITokenError {
                throw CommandFailure(error.message)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every token: id, state, last day, scope and name (never the token itself).")
        @OptionGroup var home: HomeOptions

        func run() throws {
            let configuration = try home.configuration()
            let database: HomeDatabase
            do { database = try HomeDatabase.openExisting(dataDirectory: configuration.dataDirectory) } catch { throw CommandFailure("\(error)") }
            let tokens: [APIToken]
            do { tokens = try APITokens(home: database).all() } catch { throw CommandFailure("No API tokens table in this home yet (start the appliance once to migrate it): \(error)") }
            if tokens.isEmpty { print("No API tokens."); return }
            let today = HomeTime.today()
            for token in tokens {
                print("\(token.id)\t\(token.state(on: today))\t\(token.expiresOn.iso)\t\(token.scopeText)\t\(token.name)")
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop a token working at once.")
        @OptionGroup var home: HomeOptions
        @Argument(help: "The token's id (from carehome api-token list).") var id: Int64

        func run() throws {
            let appliance = try APITokenCommand.appliance(home)
            defer { appliance.shutdown() }
            guard let token = try appliance.apiTokens.token(id: id) else { throw CommandFailure("There is no API token \(id) (see carehome api-token list).") }
            guard try appliance.apiTokens.revoke(id: id, by: "carehome api-token revoke") else { throw CommandFailure("Token \(id) (\(token.name)) was already revoked.") }
            appliance.audit.record(AuditEntry(userID: nil, username: "carehome api-token revoke", address: "console", source: "core", action: "api-token-revoked",
                                              detail: token.auditName), durable: true)
            print("Revoked token \(id) (\(token.name)).")
        }
    }
}
