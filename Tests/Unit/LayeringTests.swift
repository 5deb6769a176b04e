import Foundation
import Testing

/// Only Transport/ may talk to libevent; everything else stays testable without it.
struct LayeringTests {
    @Test func onlyTransportImportsCEvent() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/Proxy").standardized
        let files = try #require(FileManager.default.enumerator(atPath: sources.path)?.allObjects as? [String])
        let swiftFiles = files.filter { $0.hasSuffix(".swift") }
        #expect(swiftFiles.count > 20)
        for file in swiftFiles where !file.hasPrefix("Transport/") {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            #expect(!text.contains("import CEvent"), "\(file) imports CEvent")
        }
    }
}
