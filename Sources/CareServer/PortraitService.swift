import CPortrait
import CareKit
import CareServices

/// `Services.portraits`, over the C decoder (Sources/CPortrait).
struct PortraitService: PortraitMaker {
    /// A phone's camera makes 12 to 50 megapixels; more than this is not a photo of a person.
    static let maxPixels = 60_000_000
    /// The largest file accepted (the server's body limit is 8 MB).
    static let maxBytes = 8 * 1024 * 1024

    func portrait(from bytes: [UInt8], longestSide: Int) throws -> Portrait {
        guard !bytes.isEmpty else { throw CareError.badRequest("Choose a photo to upload.") }
        guard bytes.count <= PortraitService.maxBytes else {
            throw CareError.badRequest("This photo is too large (over 8 MB). Take it again at a lower size, or choose a smaller copy.")
        }
        var made = cp_portrait()
        let status = bytes.withUnsafeBufferPointer { input in
            cp_make_portrait(input.baseAddress, input.count, Int32(longestSide), 85, PortraitService.maxPixels, &made)
        }
        defer { cp_free(&made) }
        switch status {
        case CP_OK:
            guard let jpeg = made.jpeg else { throw CareError.badRequest("The photo could not be read. Try another.") }
            return Portrait(jpeg: Array(UnsafeBufferPointer(start: jpeg, count: made.size)), width: Int(made.width), height: Int(made.height))
        case CP_TOO_LARGE:
            throw CareError.badRequest("This picture is too large to use (more than 60 megapixels). Choose a smaller copy.")
        case CP_UNSUPPORTED:
            throw CareError.badRequest("This JPEG uses print colours (CMYK). Save it as an ordinary photo, or take a new photo.")
        case CP_NO_MEMORY:
            throw CareError(.unavailable, "The appliance is short of memory. Try the photo again in a minute.")
        default:
            throw CareError.badRequest("This file is not a photo the appliance can read. Use a JPEG or PNG picture, such as one taken with the tablet's camera.")
        }
    }
}
