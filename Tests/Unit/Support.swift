import Foundation
@testable import ProxyCore
@testable import OpenAIFront
@testable import EventTransport
@testable import ChildProcesses
@testable import ProxyDaemon

/// Recorded CLI transcripts in Tests/Unit/Fixtures (recorded from the pinned CLI).
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent("\(name).jsonl")))
    }

    static func events(_ name: String) throws -> [StreamJSONEvent] {
        var splitter = LineSplitter()
        return try (splitter.pieces(from: bytes(name)) + splitter.finish()).compactMap { piece in
            guard case .line(let line) = piece, !line.isEmpty else { return nil }
            return try StreamJSONEvent(line: line)
        }
    }

    /// The lines of a transcript recorded with the CLI's default skills and commands, as the
    /// isolated profile (which has none) would print them; the tools stay as recorded.
    static func withoutCustomizations(_ name: String) throws -> [StreamJSONEvent] {
        try events(name).map { event in
            guard case .initialized(var report) = event else { return event }
            report.customizations = []
            return .initialized(report)
        }
    }

    /// The turn events a whole transcript produces, as the session would see them.
    /// Many recordings ran with the CLI's default tools, which the reducer rightly refuses;
    /// `isolated` blanks the reported tools so those recordings exercise the other paths.
    static func turn(_ name: String, isolated: Bool = true) throws -> [TurnEvent] {
        var reducer = TurnReducer()
        var out = try events(name).flatMap { event in
            if isolated, case .initialized(let report) = event {
                return reducer.events(for: .initialized(CLIInitReport(model: report.model, tools: [], mcpServers: [])))
            }
            return reducer.events(for: event)
        }
        out += reducer.endOfOutput(exitStatus: .exited(1))
        return out
    }
}

extension SSEFrame {
    var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(data))) as? [String: Any]
    }
}

func jsonObject(_ bytes: [UInt8]) -> [String: Any] {
    ((try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]) ?? [:]
}

extension Prompt {
    /// The text blocks of the user message.
    var userTexts: [String] { userBlocks.compactMap { if case .text(let text) = $0 { text } else { nil } } }
}
