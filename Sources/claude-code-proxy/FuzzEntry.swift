#if FUZZING
import ProxyDaemon
import ProxyCore
import OpenAIFront
/// libFuzzer's entry point over the pure decoders that take untrusted bytes: request bodies
/// (both endpoints, then their translation into a CLI job), the tool bridge's JSON-RPC, and the
/// CLI's stream-json lines (split, decoded and folded, tool calls included). Built only with `-DFUZZING -sanitize=fuzzer`.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let chat = try? RequestDecoder.decode(ChatCompletionRequest.self, from: bytes) {
        _ = try? CompletionPlan(chat: chat, defaultModel: "sonnet", now: 0)
    }
    if let responses = try? RequestDecoder.decode(ResponsesRequest.self, from: bytes) {
        _ = try? CompletionPlan(responses: responses, defaultModel: "sonnet", now: 0)
    }
    var splitter = LineSplitter(maxLineBytes: 4096)
    _ = MCPEndpoint.reply(to: bytes, tools: [ToolSpec(name: "f", parameters: .object([:]))], version: "0")
    var reducer = TurnReducer(stopSequences: ["\n\n"], bridgedTools: ["f"])
    for piece in splitter.pieces(from: bytes) + splitter.finish() {
        guard case .line(let line) = piece, let event = try? StreamJSONEvent(line: line) else { continue }
        _ = reducer.events(for: event)
    }
    _ = reducer.endOfOutput(exitStatus: nil)
    return 0
}
#endif

#if FUZZING
/// SwiftPM links an executable with `main` aliased to `<module>_main`; in a fuzz build that is
/// libFuzzer's driver, run over `fuzzOneInput`.
@_cdecl("claude_code_proxy_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzzOneInput)
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32) -> Int32
#endif
