import CareKit
import CareServices
import Foundation

/// A resident's photo as the registry keeps it: the server's portrait (small, upright, no metadata),
/// who added it and when. A photo is never deleted: "remove" keeps it with the reason, out of sight.
struct StoredPhoto: Sendable, Equatable {
    var id: Int64
    var residentID: Int64
    var width: Int
    var height: Int
    var addedAt: Date?
    var addedBy: String
    var removedAt: Date?
    var removedBy: String?
    var removedReason: String?

    init(row: SQLRow) throws {
        id = try row.requiredInt64("id")
        residentID = try row.requiredInt64("resident_id")
        width = row.int("width") ?? 0
        height = row.int("height") ?? 0
        addedAt = row.date("added_at")
        addedBy = row.string("added_by") ?? ""
        removedAt = row.date("removed_at")
        removedBy = row.string("removed_by")
        removedReason = row.string("removed_reason")
    }

    /// Where the browser fetches it (the id in the path: a new photo is a new address).
    var path: String { "/residents/\(residentID)/photos/\(id).jpg" }
}

/// The registry's photos.
struct PhotoStore: Sendable {
    let database: any CareDatabase
    let residents: ResidentStore

    /// The longest side of a kept photo, in pixels: sharp on a tablet's resident page and on paper.
    static let longestSide = 480
    private static let columns = "id, resident_id, width, height, added_at, added_by, removed_at, removed_by, removed_reason"

    /// The resident's photo in use, if any.
    func current(residentID: Int64) throws -> StoredPhoto? {
        try database.read { db in
            try db.queryOne("SELECT \(PhotoStore.columns) FROM residents_photos WHERE resident_id = ? AND removed_at IS NULL ORDER BY id DESC LIMIT 1",
                            [.integer(residentID)])
        }.map(StoredPhoto.init(row:))
    }

    /// The photo in use for each of these residents (one query, for the residents' grid).
    func current(residentIDs: [Int64]) throws -> [Int64: StoredPhoto] {
        guard !residentIDs.isEmpty else { return [:] }
        let marks = Array(repeating: "?", count: residentIDs.count).joined(separator: ", ")
        let rows = try database.read { db in
            try db.query("""
                SELECT \(PhotoStore.columns) FROM residents_photos WHERE id IN (
                  SELECT MAX(id) FROM residents_photos WHERE removed_at IS NULL AND resident_id IN (\(marks)) GROUP BY resident_id)
                """, residentIDs.map { .integer($0) })
        }
        return Dictionary(try rows.map(StoredPhoto.init(row:)).map { ($0.residentID, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Every photo kept for the resident, newest first (removed ones too, for the history).
    func all(residentID: Int64) throws -> [StoredPhoto] {
        try database.read { db in
            try db.query("SELECT \(PhotoStore.columns) FROM residents_photos WHERE resident_id = ? ORDER BY id DESC", [.integer(residentID)])
        }.map(StoredPhoto.init(row:))
    }

    /// A photo's JPEG, while it is in use (a removed photo is kept, not shown).
    func jpeg(residentID: Int64, photoID: Int64) throws -> [UInt8]? {
        try database.read { db in
            try db.queryOne("SELECT jpeg FROM residents_photos WHERE id = ? AND resident_id = ? AND removed_at IS NULL",
                            [.integer(photoID), .integer(residentID)])
        }.flatMap { row in if case .blob(let bytes) = row["jpeg"] { bytes } else { nil } }
    }

    /// Keeps a new photo (the earlier one stays in the history), with a line in the resident's record history.
    func add(_ portrait: Portrait, residentID: Int64, by principal: Principal, at now: Date = Date()) throws {
        try database.write { db in
            try db.execute("""
                INSERT INTO residents_photos (resident_id, jpeg, width, height, added_at, added_by_id, added_by)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, [.integer(residentID), .blob(portrait.jpeg), .integer(Int64(portrait.width)), .integer(Int64(portrait.height)),
                      SQLValue(now), .integer(principal.userID), .text(principal.displayName)])
            try residents.addSideVersion(residentID: residentID, action: "photo", summary: "Photo added", by: principal, at: now, db)
        }
    }

    /// Takes the photo in use out of sight, with the reason; it is kept.
    func remove(residentID: Int64, reason: String, by principal: Principal, at now: Date = Date()) throws {
        try database.write { db in
            try db.execute("""
                UPDATE residents_photos SET removed_at = ?, removed_by = ?, removed_reason = ?
                WHERE resident_id = ? AND removed_at IS NULL
                """, [SQLValue(now), .text(principal.displayName), .text(reason), .integer(residentID)])
            try residents.addSideVersion(residentID: residentID, action: "photo", summary: "Photo removed: \(reason)", by: principal, at: now, db)
        }
    }
}

/// A resident's face: the photo, or their initials in a circle when there is none.
enum Face {
    static func initials(_ name: String) -> String {
        let words = name.split(whereSeparator: { $0 == " " || $0 == "-" }).filter { $0.first?.isLetter == true }
        let letters = [words.first, words.count > 1 ? words.last : nil].compactMap { $0?.first }
        return letters.map { String($0).uppercased() }.joined()
    }

    /// `size`: `small` (the grid) or `large` (the resident's page, the transfer summary).
    static func html(_ photo: StoredPhoto?, name: String, size: String) -> HTML {
        if let photo {
            return "<img class=\"face face-\(size)\" src=\"\(photo.path)\" alt=\"Photo of \(name)\" width=\"\(photo.width)\" height=\"\(photo.height)\">"
        }
        return "<span class=\"face face-\(size) face-initials\" aria-hidden=\"true\">\(initials(name))</span>"
    }
}

/// The photo pages: add or change a photo (from the tablet's camera or a file), remove it with a reason.
struct PhotoPages: Sendable {
    let pages: ResidentPages
    var context: PluginContext { pages.context }
    var photos: PhotoStore { pages.stores.photos }

    func image(_ request: Request) throws -> Response {
        let residentID = try request.id("id")
        let name = request.pathParameters["photo"] ?? ""
        guard name.hasSuffix(".jpg"), let photoID = Int64(name.dropLast(4)),
              let jpeg = try photos.jpeg(residentID: residentID, photoID: photoID) else {
            throw CareError.notFound("No such photo.")
        }
        // Personal data: never kept in a shared tablet's cache.
        return Response(headers: ["Content-Type": "image/jpeg", "Cache-Control": "no-store"], body: .bytes(jpeg, contentType: "image/jpeg"))
    }

    func form(_ request: Request) throws -> Response {
        try page(request, resident: try pages.loadEditable(request), errors: FormErrors(), status: 200)
    }

    func page(_ request: Request, resident: StoredResident, errors: FormErrors, status: Int, reason: String = "") throws -> Response {
        let current = try photos.current(residentID: resident.id)
        let name = resident.record.displayName
        var body: HTML = Form.errorSummary(errors)
        body += "<div class=\"face-current\">\(Face.html(current, name: name, size: "large"))</div>"
        body += """
        \(Form.startUpload(action: "\(resident.path)/photo", request: request, id: "photo-upload"))\
        <div class="field\(errors["photo"] == nil ? "" : " field-error")"><label for="f-photo">\(current == nil ? "Add a photo" : "Change the photo")</label>\
        <span class="hint" id="f-photo-hint">Take it with the tablet's camera or choose a picture. It is made small and upright, and \
        everything else in the file (the place it was taken, the camera) is left out.</span>\
        \(errors["photo"].map { "<p class=\"error-message\" id=\"f-photo-error\"><span class=\"visually-hidden\">Error:</span> \($0)</p>" } ?? HTML.empty)\
        <input type="file" id="f-photo" name="photo" accept="image/jpeg,image/png" capture="user" aria-describedby="f-photo-hint\(errors["photo"] == nil ? "" : " f-photo-error")"></div>\
        \(Form.checkbox("consent", label: "\(name) (or the person who speaks for them) agreed to this photo being kept on their record", checked: false))\
        \(errors["consent"].map { "<p class=\"error-message\" id=\"f-consent-error\"><span class=\"visually-hidden\">Error:</span> \($0)</p>" } ?? HTML.empty)\
        \(Form.submit("Save the photo"))\(Form.end)
        """
        if current != nil {
            body += UI.section("Remove the photo", """
            \(Form.start(action: "\(resident.path)/photo/remove", request: request))\
            \(Form.input("reason", label: "Why", value: reason, errors: errors, hint: "For example: consent withdrawn, not a good likeness. The photo is kept in the record's history, out of sight."))\
            \(Form.submit("Remove the photo", kind: "warning"))\(Form.end)
            """)
        }
        return .page(Page(title: "Photo: \(name)", breadcrumbs: Parts.breadcrumbs(resident), body: body), status: status)
    }

    func upload(_ request: Request) throws -> Response {
        let resident = try pages.loadEditable(request)
        var errors = FormErrors()
        let file = request.form.files.first { $0.field == "photo" }
        if !request.form.isChecked("consent") { errors.add("consent", "Confirm that they (or the person who speaks for them) agreed to the photo") }
        var portrait: Portrait?
        if let file, !file.bytes.isEmpty {
            let maker = try context.services.require(Services.portraits, orSay: "Photos cannot be saved on this appliance (its photo service is missing).")
            do { portrait = try maker.portrait(from: file.bytes, longestSide: PhotoStore.longestSide) } catch let error as CareError {
                errors.add("photo", error.message)
            }
        } else {
            errors.add("photo", "Choose a photo, or take one with the camera")
        }
        guard errors.isEmpty, let portrait else { return try page(request, resident: resident, errors: errors, status: 422) }
        try photos.add(portrait, residentID: resident.id, by: request.principal)
        context.audit.record(request, .amend, residentID: resident.id, detail: "photo added (\(portrait.width)x\(portrait.height), \(portrait.jpeg.count) bytes)")
        return .redirect(to: resident.path, flash: "Photo saved")
    }

    func remove(_ request: Request) throws -> Response {
        let resident = try pages.loadEditable(request)
        let reason = (request.form["reason"] ?? "").trimmingWhitespace()
        guard !reason.isEmpty else {
            var errors = FormErrors()
            errors.add("reason", "Say why the photo is removed")
            return try page(request, resident: resident, errors: errors, status: 422, reason: reason)
        }
        try photos.remove(residentID: resident.id, reason: reason, by: request.principal)
        context.audit.record(request, .amend, residentID: resident.id, detail: "photo removed")
        return .redirect(to: resident.path, flash: "Photo removed (kept in the record's history)")
    }
}
