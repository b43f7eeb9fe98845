import CareHTTP
import CareKit
import CareServer
import CareStore
import CareTesting
import DeteriorationPlugin
import FallsLogPlugin
import Foundation
import HomeRoundPlugin
import MedicationReviewPlugin
import ResidentsPlugin
import Testing
import TransfersPlugin

/// A page of `/fhir` costs what the page holds, not what the home's history holds: searches stop reading
/// when the page is full, and read a plugin's table in batches.
@Suite("FHIR pages: statements independent of history", .serialized)
struct FHIRQueryDisciplineTests {
    static let searches = ["/fhir/Observation?patient=1&_count=20", "/fhir/Observation?_count=20",
                           "/fhir/Patient/1/$everything?_count=20", "/fhir/Patient/1"]

    static func statements(_ home: TestHome, _ path: String, token: String) -> (count: Int, response: HTTPResponse) {
        home.appliance.audit.flush()
        let parts = path.split(separator: "?", maxSplits: 1).map(String.init)
        let query = parts.count > 1 ? parts[1].split(separator: "&").map { pair -> (name: String, value: String) in
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            return (kv[0], kv.count > 1 ? kv[1] : "")
        } : []
        let request = HTTPRequest(method: "GET", path: parts[0], headers: ["authorization": "Bearer \(token)"], query: query)
        let result = StatementCounter.counting { home.appliance.respond(to: request) }
        home.appliance.audit.flush()
        return (result.statements, result.result)
    }

    @Test("each search runs no more statements with three years of old observations than without")
    func independentOfHistory() throws {
        let home = try NewPluginsQueryDisciplineTests.home()
        let token = try home.appliance.apiTokens.create(name: "Test", scope: nil, expiresOn: HomeTime.today().adding(days: 10), createdBy: "test").token
        var before = [String: Int]()
        for path in FHIRQueryDisciplineTests.searches {
            _ = FHIRQueryDisciplineTests.statements(home, path, token: token)
            let (count, response) = FHIRQueryDisciplineTests.statements(home, path, token: token)
            #expect(response.status == 200, "\(path): \(String(decoding: response.body, as: UTF8.self).prefix(300))")
            before[path] = count
        }
        try NewPluginsQueryDisciplineTests.addHistory(home)
        for path in FHIRQueryDisciplineTests.searches {
            _ = FHIRQueryDisciplineTests.statements(home, path, token: token)
            let (count, response) = FHIRQueryDisciplineTests.statements(home, path, token: token)
            #expect(response.status == 200)
            #expect(count <= before[path] ?? 0, "\(path): \(before[path] ?? 0) statements before, \(count) with three years of history")
            #expect(count <= 30, "\(path): \(count) statements for one page")
            print("fhir statements: \(path): \(before[path] ?? 0) without history, \(count) with three years of it")
        }
        // The page is full, and says where the next one starts.
        let page = String(decoding: FHIRQueryDisciplineTests.statements(home, "/fhir/Observation?patient=1&_count=20", token: token).response.body, as: UTF8.self)
        #expect(page.components(separatedBy: "\"fullUrl\"").count - 1 == 20)
        #expect(page.contains("\"relation\":\"next\""))
    }
}
