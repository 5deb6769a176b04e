extension StringProtocol {
    /// Without leading and trailing ASCII spaces (header values, keys in files).
    package func trimmingASCIISpaces() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
