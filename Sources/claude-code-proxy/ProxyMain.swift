#if !FUZZING
import ProxyDaemon
import ProxyCore
import OpenAIFront
/// The program's entry point. A `-DFUZZING` build has none: libFuzzer supplies `main` and
/// calls `FuzzEntry` instead (see README, "Fuzzing").
@main
enum ProxyMain {
    static func main() {
        ProxyCommand.main()
    }
}
#endif
