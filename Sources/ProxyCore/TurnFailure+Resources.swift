import Glibc

extension TurnFailure {
    /// A spawn that failed for want of descriptors, processes or memory: the CLI itself is fine,
    /// and trying again shortly may work.
    package static func isResourceShortage(_ errno: Int32) -> Bool {
        [EMFILE, ENFILE, EAGAIN, ENOMEM].contains(errno)
    }
}
