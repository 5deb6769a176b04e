#!/usr/bin/env bash
# Builds the libFuzzer target (the proxy compiled with -DFUZZING -sanitize=fuzzer, whose entry
# point feeds request bodies and CLI stream-json lines to the pure decoders) and runs it.
#   scripts/fuzz.sh [SECONDS]    (default 30; CI runs this short pass)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
bash scripts/install-deps.sh
swift build -c release --product claude-code-proxy --scratch-path .build-fuzz \
  -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING -Xswiftc -parse-as-library >&2
corpus=.cache/fuzz-corpus
mkdir -p "$corpus"
cp Tests/Unit/Fixtures/*.jsonl "$corpus"/ 2>/dev/null || true
printf '%s\n' '{"model":"sonnet","stream":true,"messages":[{"role":"system","content":"s"},{"role":"user","content":[{"type":"text","text":"x"}]}],"stop":["a"],"max_tokens":5,"reasoning_effort":"low","response_format":{"type":"json_schema","json_schema":{"schema":{"type":"object"}}}}' > "$corpus/chat.json"
printf '%s\n' '{"input":[{"role":"user","content":[{"type":"input_text","text":"x"}]}],"instructions":"i","text":{"format":{"type":"json_object"}}}' > "$corpus/responses.json"
.build-fuzz/release/claude-code-proxy -max_total_time="$seconds" -max_len=65536 "$corpus"
echo "fuzz: ${seconds} s without a crash"
