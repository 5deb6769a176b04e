import ProxyCore
import OpenAIFront
import EventTransport
import ChildProcesses

/// Where a session's reply goes: one HTTP exchange, or a fake in tests.
package protocol ResponseSink: AnyObject {
    var onClientGone: (() -> Void)? { get set }
    var onDrained: (() -> Void)? { get set }
    func respond(status: Int, headers: [(String, String)], body: [UInt8])
    func startStream(status: Int, headers: [(String, String)])
    /// Returns true when the client is behind and the sender should pause until `onDrained`.
    @discardableResult func send(_ bytes: [UInt8]) -> Bool
    func endStream()
    func watchForClientClose()
}

/// The one real sink: an evhttp exchange.
extension HTTPExchange: ResponseSink {}
