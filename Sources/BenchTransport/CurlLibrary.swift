import CCurl

/// libcurl for the profiler, loaded when first needed (`dlopen`), so the daemon, which never
/// uses it, does not map it and the libraries it depends on.
package final class CurlLibrary: @unchecked Sendable {
    package struct LoadError: Error, CustomStringConvertible {
        package var reason: String
        package var description: String { "cannot load libcurl.so.4 (Debian: libcurl4): \(reason)" }
    }

    /// Written once, at load, then only read.
    package private(set) var api = ccurl_api()

    private init() {}

    /// Loaded once per process; only the profiler's single thread calls this.
    nonisolated(unsafe) private static var loaded: CurlLibrary?

    package static func shared() throws(LoadError) -> CurlLibrary {
        if let loaded { return loaded }
        let library = CurlLibrary()
        guard ccurl_api_load(&library.api) == 0 else { throw LoadError(reason: String(cString: ccurl_api_error())) }
        _ = library.api.global_init!(Int(CURL_GLOBAL_DEFAULT))
        loaded = library
        return library
    }
}
