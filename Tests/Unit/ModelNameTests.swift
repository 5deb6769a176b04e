import PropertyBased
import Testing
@testable import ProxyCore
@testable import OpenAIFront
@testable import EventTransport
@testable import ChildProcesses
@testable import ProxyDaemon

struct ModelNameTests {
    @Test(arguments: [
        ("claude-sonnet-4.5", "sonnet"), ("claude-sonnet-4-5-20250929", "sonnet"), ("anthropic/claude-3-opus", "opus"),
        ("Claude-Haiku-4.5", "haiku"), ("opus", "opus"), ("gpt-4o", "sonnet"), ("", "sonnet"),
    ])
    func familiesMapToAliases(requested: String, expected: String) {
        #expect(ModelName.normalized(requested, default: "sonnet") == expected)
    }

    @Test func nilUsesTheDefault() {
        #expect(ModelName.normalized(nil, default: "opus") == "opus")
    }

    @Test func everyResultIsAKnownAliasOrTheDefault() async {
        await propertyCheck(input: Gen.letterOrNumber.string(of: 0...24)) { name in
            let result = ModelName.normalized(name, default: "default-model")
            #expect(ModelName.families.contains(result) || result == "default-model")
        }
    }

    @Test func aFamilyNameAnywhereInTheNameWins() async {
        await propertyCheck(input: Gen.lowercaseLetter.string(of: 0...8), Gen.element(of: ["haiku", "sonnet", "opus"]).compactMap { $0 }) { noise, family in
            let name = "claude-" + family + "-" + noise.filter { !"hsoaiknuep".contains($0) }
            #expect(ModelName.normalized(name, default: "x") == family)
        }
    }
}
