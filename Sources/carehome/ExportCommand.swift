import ArgumentParser
import CareKit
import CareServer
import Foundation

/// `carehome export fhir --data-dir DIR --out DIR`: the whole home as FHIR R4 NDJSON, one file per resource
/// type (the FHIR Bulk Data layout: `Patient.ndjson`, `Observation.ndjson`…), written as it is read.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Export the home's records.", subcommands: [FHIRExport.self])

    struct FHIRExport: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "fhir", abstract: "Every record as FHIR R4 (UK Core) NDJSON, one file per resource type.")

        @OptionGroup var home: HomeOptions
        @Option(name: .customLong("out"), help: "The folder to write into (made if missing; files of the same names are replaced).") var out: String

        func run() throws {
            let output = URL(fileURLWithPath: out)
            try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
            let appliance = try APITokenCommand.appliance(home)
            defer { appliance.shutdown() }
            let catalog = appliance.fhirCatalog
            let started = Date()
            var total = 0
            var bytes = 0
            for type in catalog.types.sorted() {
                let file = output.appendingPathComponent("\(type).ndjson")
                let typeStarted = Date()
                var count = 0
                var size = 0
                FileManager.default.createFile(atPath: file.path, contents: nil)
                let handle = try FileHandle(forWritingTo: file)
                var buffer = Data()
                try catalog.resources(matching: FHIRQuery(types: [type])) { resource in
                    buffer.append(try FHIRCatalog.data(resource.json))
                    buffer.append(UInt8(ascii: "\n"))
                    count += 1
                    // Written a megabyte at a time: memory stays flat however large the home.
                    if buffer.count >= 1 << 20 {
                        try handle.write(contentsOf: buffer)
                        size += buffer.count
                        buffer.removeAll(keepingCapacity: true)
                    }
                    if count % 10_000 == 0 { print("  \(type): \(count) so far…") }
                    return true
                }
                try handle.write(contentsOf: buffer)
                size += buffer.count
                try handle.close()
                if count == 0 { try? FileManager.default.removeItem(at: file); continue }
                total += count
                bytes += size
                print("\(type).ndjson: \(count) resources, \(ExportCommand.megabytes(size)) (\(String(format: "%.1f", Date().timeIntervalSince(typeStarted))) s)")
            }
            appliance.audit.record(AuditEntry(userID: nil, username: "carehome export fhir", address: "console", source: "fhir", action: "export",
                                              detail: "the whole home as FHIR NDJSON: \(total) resources"), durable: true)
            print("Exported \(total) resources (\(ExportCommand.megabytes(bytes))) to \(output.path) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s.")
        }
    }

    static func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1_048_576) }
}
