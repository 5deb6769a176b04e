import FoundationEssentials
import ProxyCore

extension ImageInput {
    /// Parses `data:image/png;base64,…`. Throws a 400 naming `param` for anything else.
    package init(url: String, param: String) throws(OpenAIError) {
        if url.hasPrefix("http://") || url.hasPrefix("https://") {
            throw .invalidRequest("Remote image URLs are not accepted: this proxy never fetches URLs for a caller. "
                                  + "Send the image inline as a data: URL (data:image/png;base64,…).",
                                  param: param, code: "unsupported_image_url")
        }
        guard url.hasPrefix("data:"), let comma = url.firstIndex(of: ",") else {
            throw .invalidRequest("An image must be a data: URL (data:image/png;base64,…).", param: param,
                                  code: "invalid_image_url")
        }
        let header = url[url.index(url.startIndex, offsetBy: 5)..<comma].lowercased()
        let parts = header.split(separator: ";")
        guard parts.last == "base64", let type = parts.first.map(String.init), Self.mediaTypes.contains(type) else {
            throw .invalidRequest("Images must be base64 data: URLs of type png, jpeg, gif or webp.", param: param,
                                  code: "invalid_image_format")
        }
        let payload = String(url[url.index(after: comma)...])
        guard payload.utf8.count / 4 * 3 <= Self.maxBytes + 3 else {
            throw .invalidRequest("An image is larger than \(Self.maxBytes / 1024 / 1024) MB.", param: param,
                                  code: "image_too_large")
        }
        guard let data = Data(base64Encoded: payload), !data.isEmpty else {
            throw .invalidRequest("The image's base64 data is not valid.", param: param, code: "invalid_image")
        }
        guard data.count <= Self.maxBytes else {
            throw .invalidRequest("An image is larger than \(Self.maxBytes / 1024 / 1024) MB.", param: param,
                                  code: "image_too_large")
        }
        guard Self.signatureMatches(data, type) else {
            throw .invalidRequest("The image's bytes are not a \(type) image.", param: param, code: "invalid_image")
        }
        self.init(mediaType: type, base64: payload)
    }

    private static func signatureMatches(_ data: Data, _ type: String) -> Bool {
        let bytes = [UInt8](data.prefix(12))
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
