#!/usr/bin/env bash
# Fetches the pinned Claude Code CLI (shipped inside the PyPI wheel claude-agent-sdk)
# into .cache/claude-cli/ and prints the binary's path. Never committed (about 400 MB).
# An argument names another wheel version (scripts/test-cli-versions.sh uses it).
set -euo pipefail
version=${1:-0.2.188}
root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/.cache/claude-cli/$version"
bin="$dest/claude"
if [ ! -x "$bin" ]; then
  mkdir -p "$dest/wheel"
  python3 -m pip download --quiet --no-deps --disable-pip-version-check \
    --only-binary=:all: --platform manylinux_2_17_x86_64 \
    -d "$dest/wheel" "claude-agent-sdk==$version" >&2
  wheel=$(ls "$dest"/wheel/claude_agent_sdk-"$version"-*.whl | head -n 1)
  python3 - "$wheel" "$bin" <<'PY'
import sys, zipfile, shutil, os
wheel, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z, z.open("claude_agent_sdk/_bundled/claude") as src, open(out + ".part", "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
os.chmod(out + ".part", 0o755)
os.rename(out + ".part", out)
PY
  rm -rf "$dest/wheel"
fi
echo "$bin"
