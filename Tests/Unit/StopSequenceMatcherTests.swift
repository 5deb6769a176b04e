import PropertyBased
import Testing
@testable import ProxyCore
@testable import OpenAIFront
@testable import EventTransport
@testable import ChildProcesses
@testable import ProxyDaemon

struct StopSequenceMatcherTests {
    private func run(_ pieces: [String], stops: [String]) -> (String, Bool) {
        var matcher = StopSequenceMatcher(sequences: stops)
        var out = pieces.map { matcher.feed($0) }.joined()
        out += matcher.flush()
        return (out, matcher.isStopped)
    }

    @Test func aMatchSpanningDeltasEndsTheTextBeforeIt() {
        #expect(run(["Hello", " from", " mock."], stops: ["lo fro"]) == ("Hel", true))
        #expect(run(["a", "b", "c"], stops: ["x", "bc"]) == ("a", true))
        #expect(run(["abc"], stops: ["zz"]) == ("abc", false))
        #expect(run(["ab", "c"], stops: ["abd"]) == ("abc", false))
    }

    @Test func onlyAPossiblePrefixIsHeldBack() {
        var matcher = StopSequenceMatcher(sequences: ["END"])
        #expect(matcher.feed("one E") == "one ")
        #expect(matcher.feed("Nx") == "ENx")
        #expect(matcher.feed("two EN") == "two ")
        #expect(matcher.feed("D more") == "")
        #expect(matcher.isStopped)
    }

    @Test func anySplitGivesTheSameOutputAsTheWholeText() async {
        let alphabet = Gen.element(of: Array("ab c😀")).compactMap { $0 }
        await propertyCheck(input: alphabet.string(of: 0...30), alphabet.string(of: 1...3),
                            Gen.int(in: 1...6).array(of: 0...10)) { text, stop, cuts in
            var pieces: [String] = []
            var rest = Substring(text)
            for cut in cuts where !rest.isEmpty {
                pieces.append(String(rest.prefix(cut)))
                rest = rest.dropFirst(cut)
            }
            pieces.append(String(rest))
            let expected: String
            if let range = text.range(of: stop) { expected = String(text[..<range.lowerBound]) } else { expected = text }
            let (out, stopped) = run(pieces, stops: [stop])
            #expect(out == expected)
            #expect(stopped == text.contains(stop))
        }
    }
}

import Foundation
