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
        do {
            self = try ImageInput(validating: payload, mediaType: type)
        } catch {
            throw .invalidRequest(error.message, param: param, code: error.code)
        }
    }
}
