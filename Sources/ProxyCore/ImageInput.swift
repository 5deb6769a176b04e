import FoundationEssentials

/// An image a client sent inline, checked before it reaches the CLI as a base64 image block.
/// Only `data:` URLs are taken: the proxy never fetches a URL on a caller's behalf.
package struct ImageInput: Equatable, Sendable {
    package var mediaType: String
    package var base64: String

    package static let mediaTypes = ["image/png", "image/jpeg", "image/gif", "image/webp"]
    /// Anthropic's limit for one image.
    package static let maxBytes = 5 * 1024 * 1024
    package static let maxCount = 20

    package init(mediaType: String, base64: String) {
        self.mediaType = mediaType
        self.base64 = base64
    }

    /// Why an image was refused, in words a client can act on.
    package struct Invalid: Error, Sendable {
        package var message: String
        package var code: String
    }

    /// Checks base64 `payload` of `mediaType`: a supported type, decodable, within the size limit,
    /// and bytes that really are that type.
    package init(validating payload: String, mediaType: String) throws(Invalid) {
        guard Self.mediaTypes.contains(mediaType) else {
            throw Invalid(message: "Images must be png, jpeg, gif or webp.", code: "invalid_image_format")
        }
        guard payload.utf8.count / 4 * 3 <= Self.maxBytes + 3 else {
            throw Invalid(message: "An image is larger than \(Self.maxBytes / 1024 / 1024) MB.", code: "image_too_large")
        }
        guard let data = Data(base64Encoded: payload), !data.isEmpty else {
            throw Invalid(message: "The image's base64 data is not valid.", code: "invalid_image")
        }
        guard data.count <= Self.maxBytes else {
            throw Invalid(message: "An image is larger than \(Self.maxBytes / 1024 / 1024) MB.", code: "image_too_large")
        }
        guard Self.signatureMatches(Array(data.prefix(12)), mediaType) else {
            throw Invalid(message: "The image's bytes are not a \(mediaType) image.", code: "invalid_image")
        }
        self.init(mediaType: mediaType, base64: payload)
    }

    private static func signatureMatches(_ bytes: [UInt8], _ type: String) -> Bool {
        func starts(_ prefix: [UInt8]) -> Bool { bytes.starts(with: prefix) }
        switch type {
        case "image/png": return starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
        case "image/jpeg": return starts([0xff, 0xd8, 0xff])
        case "image/gif": return starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8))
        case "image/webp": return starts(Array("RIFF".utf8)) && bytes.count >= 12 && Array(bytes[8..<12]) == Array("WEBP".utf8)
        default: return false
        }
    }
}
