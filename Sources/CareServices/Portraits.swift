/// A photo as the appliance keeps it: a new JPEG, upright, small, with nothing of the original file.
public struct Portrait: Sendable, Equatable {
    /// The JPEG's bytes.
    public let jpeg: [UInt8]
    /// Its size in pixels.
    public let width: Int
    /// Its size in pixels.
    public let height: Int

    /// Creates a portrait.
    public init(jpeg: [UInt8], width: Int, height: Int) {
        self.jpeg = jpeg
        self.width = width
        self.height = height
    }
}

/// The server's photo service: a resident's photo is only ever kept as what this makes of it.
public protocol PortraitMaker: Sendable {
    /// A JPEG at most `longestSide` pixels each way, turned the way the camera was held, with none of
    /// the original file's metadata (EXIF, the place it was taken, the camera). Throws a `CareError`
    /// whose message tells the person who sent it what to do (not a photo, too large, …).
    func portrait(from bytes: [UInt8], longestSide: Int) throws -> Portrait
}
