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
}
