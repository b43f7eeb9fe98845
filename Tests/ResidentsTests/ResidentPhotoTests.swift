import CareKit
import CareServices
import CareTesting
import Foundation
import Testing
@testable import ResidentsPlugin

/// A 200 x 100 picture: left half red, right half blue.
private let redBlue = TestImages.png(width: 200, height: 100) { x, _ in x < 100 ? (200, 30, 30) : (30, 30, 200) }

private func contains(_ bytes: [UInt8], _ text: String) -> Bool {
    let needle = Array(text.utf8)
    guard bytes.count >= needle.count else { return false }
    return (0...(bytes.count - needle.count)).contains { Array(bytes[$0..<$0 + needle.count]) == needle }
}

@Suite("Residents' photos")
struct ResidentPhotoTests {
    @Test("a phone photo is kept small and upright with nothing of the original file: no EXIF, no camera, no location")
    func portraitStripsAndTurns() throws {
        let home = try registryHome()
        let maker = try #require(home.context.services.resolve(Services.portraits))
        let fromPNG = try maker.portrait(from: redBlue, longestSide: 480)
        #expect((fromPNG.width, fromPNG.height) == (200, 100), "smaller than the limit: not enlarged")
        // The camera was held on its side (EXIF orientation 6): the kept photo is turned upright.
        let camera = TestImages.withExif(fromPNG.jpeg, orientation: 6, make: "TestCam Phone 12")
        #expect(contains(camera, "Exif") && contains(camera, "TestCam"))
        let kept = try maker.portrait(from: camera, longestSide: 480)
        #expect((kept.width, kept.height) == (100, 200), "turned a quarter: \(kept.width)x\(kept.height)")
        let size = try #require(TestImages.jpegSize(kept.jpeg))
        #expect(size.width == 100 && size.height == 200)
        #expect(!contains(kept.jpeg, "Exif") && !contains(kept.jpeg, "TestCam"), "none of the original's metadata is kept")
        // A large picture is made small.
        let large = TestImages.png(width: 1600, height: 1200) { x, y in (UInt8(x % 256), UInt8(y % 256), 90) }
        let shrunk = try maker.portrait(from: large, longestSide: 480)
        #expect((shrunk.width, shrunk.height) == (480, 360))
    }

    @Test("a file that is not a photo, an empty one, and a picture claiming 100,000 x 100,000 pixels are refused in words, holding no memory")
    func refusals() throws {
        let home = try registryHome()
        let maker = try #require(home.context.services.resolve(Services.portraits))
        let text = #expect(throws: CareError.self) { try maker.portrait(from: Array("full_name,room\n".utf8), longestSide: 480) }
        #expect(text?.message.contains("not a photo") == true)
        let bomb = #expect(throws: CareError.self) { try maker.portrait(from: TestImages.pngClaiming(width: 100_000, height: 100_000), longestSide: 480) }
        #expect(bomb?.message.contains("too large") == true)
        var truncated = redBlue
        truncated.removeLast(redBlue.count / 2)
        #expect(throws: CareError.self) { try maker.portrait(from: truncated, longestSide: 480) }
        #expect(throws: CareError.self) { try maker.portrait(from: [], longestSide: 480) }
    }

    @Test("a nurse adds a photo with consent; it shows on the resident's page and the grid, served never cached; removing it keeps it with the reason")
    func addShowRemove() throws {
        let home = try registryHome()
        let id = try addResident(home)
        let other = try addResident(home, ["full_name": "Albert Owen", "preferred_name": "Bert", "room": "14", "nhs_number": ""])
        let file = (field: "photo", filename: "IMG_0001.PNG", contentType: "image/png", bytes: redBlue)

        let noConsent = try home.upload("/residents/\(id)/photo", as: .nurse, form: [:], file: file)
        #expect(noConsent.status == 422)
        #expect(noConsent.body.contains("Confirm that they (or the person who speaks for them) agreed to the photo"))
        let notAPhoto = try home.upload("/residents/\(id)/photo", as: .nurse, form: ["consent": "on"],
                                        file: (field: "photo", filename: "list.csv", contentType: "text/csv", bytes: Array("a,b\n".utf8)))
        #expect(notAPhoto.status == 422)
        #expect(notAPhoto.body.contains("not a photo the appliance can read"))
        #expect(try home.upload("/residents/\(id)/photo", as: .carer, form: ["consent": "on"], file: file).status == 403)

        let saved = try home.upload("/residents/\(id)/photo", as: .nurse, form: ["consent": "on"], file: file)
        #expect(saved.status == 303)
        #expect(saved.flash == "Photo saved")
        let page = try home.get("/residents/\(id)", as: .carer)
        let photoPath = try #require(page.body.firstMatch(of: /\/residents\/\d+\/photos\/\d+\.jpg/).map { String($0.output) })
        let image = try home.get(photoPath, as: .carer)
        #expect(image.status == 200)
        #expect(image.header("Content-Type") == "image/jpeg")
        #expect(image.header("Cache-Control") == "no-store")
        let grid = try home.get("/residents", as: .carer)
        #expect(grid.body.contains(photoPath))
        #expect(grid.body.contains("face-initials\" aria-hidden=\"true\">BO</span>"), "no photo: initials (Bert Owen)")
        #expect(home.anonymous("GET", photoPath).status != 200, "never without signing in")
        _ = other

        let noReason = try home.post("/residents/\(id)/photo/remove", as: .nurse, form: ["reason": " "])
        #expect(noReason.status == 422)
        let removed = try home.post("/residents/\(id)/photo/remove", as: .nurse, form: ["reason": "Consent withdrawn by her son"])
        #expect(removed.status == 303)
        #expect(try home.get(photoPath, as: .carer).status == 404, "out of sight")
        #expect(!(try home.get("/residents/\(id)", as: .carer)).body.contains(photoPath))
        let kept = try PhotoStore(database: home.context(of: "residents")!.database, residents: ResidentStore(database: home.context(of: "residents")!.database))
            .all(residentID: id)
        #expect(kept.count == 1 && kept[0].removedReason == "Consent withdrawn by her son", "kept, never deleted")
        #expect(try home.get("/residents/\(id)/history", as: .nurse).body.contains("Photo removed: Consent withdrawn by her son"))
    }
}
