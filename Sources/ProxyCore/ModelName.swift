/// Client model names mapped to the CLI's aliases, as the Rust proxy we replace did it:
/// any name that names a family (`claude-sonnet-4.5`, `anthropic/claude-3-opus`, `Haiku`)
/// becomes that family's alias; anything else (`gpt-4o`, empty) becomes the configured default.
package enum ModelName {
    package static let families = ["haiku", "sonnet", "opus"]

    package static func normalized(_ requested: String?, default fallback: String) -> String {
        let name = (requested ?? "").lowercased()
        return families.first { name.contains($0) } ?? fallback
    }
}
