import PropertyBased
import Testing
@testable import ProxyCore
@testable import OpenAIFront
@testable import EventTransport
@testable import ChildProcesses
@testable import ProxyDaemon

struct AdmissionTests {
    @Test func startsUpToTheLimitThenQueuesThenRejects() {
        var admission = Admission<Int>(maxRunning: 2, maxWaiting: 1)
        let decisions = (1...4).map { admission.request($0) }
        #expect(decisions == [.start, .start, .wait, .reject])
        let first = admission.finish()
        #expect(first == 3)
        #expect(admission.running == 2)
        let second = admission.finish()
        #expect(second == nil)
        #expect(admission.running == 1)
    }

    @Test func withdrawnTicketsNeverStart() {
        var admission = Admission<Int>(maxRunning: 1, maxWaiting: 3)
        _ = admission.request(1)
        _ = admission.request(2)
        _ = admission.request(3)
        let withdrawn = admission.withdraw(2)
        let again = admission.withdraw(2)
        let next = admission.finish()
        #expect(withdrawn && !again)
        #expect(next == 3)
    }

    @Test func neverMoreRunningThanTheLimitWhateverTheOrder() async {
        await propertyCheck(input: Gen.int(in: 1...4), Gen.bool.array(of: 0...60)) { limit, steps in
            var admission = Admission<Int>(maxRunning: limit, maxWaiting: 5)
            var next = 0
            for isArrival in steps {
                if isArrival {
                    next += 1
                    _ = admission.request(next)
                } else if admission.running > 0 {
                    _ = admission.finish()
                }
                #expect(admission.running <= limit)
                #expect(admission.waiting.count <= 5)
                #expect(admission.waiting.isEmpty || admission.running == limit)
            }
        }
    }
}
