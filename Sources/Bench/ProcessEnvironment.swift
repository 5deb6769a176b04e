#if canImport(Glibc)
import Glibc
#endif

/// The process's environment, read through the C library.
struct ProcessEnvironment {
    subscript(name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }
}
