#!/usr/bin/env bash
# Runs the integration suite against other Claude Code CLIs than the pinned one: the newest
# claude-agent-sdk wheel on PyPI and one about two months older (or the wheel versions given as
# arguments). Prints one line per CLI: wheel, CLI version, tests passed or failed. Not part of
# scripts/test.sh (each CLI is a 200 MB download and a suite run); the README lists the results.
set -euo pipefail
cd "$(dirname "$0")/.."
older=0.2.161   # 2026-09-28, two months before the pinned 0.2.188
if [ $# -gt 0 ]; then
  versions=("$@")
else
  newest=$(python3 -m pip index versions claude-agent-sdk 2>/dev/null | sed -n 's/^claude-agent-sdk (\(.*\))$/\1/p')
  versions=("${newest:?cannot ask PyPI for the newest claude-agent-sdk}" "$older")
fi
summary=()
for version in "${versions[@]}"; do
  cli=$(scripts/fetch-cli.sh "$version")
  cli_version=$("$cli" --version 2>/dev/null | head -n 1)
  echo "== claude-agent-sdk $version: CLI $cli_version" >&2
  if CLAUDE_CLI_FOR_TESTS="$cli" scripts/test.sh --filter Integration >&2; then
    summary+=("claude-agent-sdk $version  CLI $cli_version  passed")
  else
    summary+=("claude-agent-sdk $version  CLI $cli_version  FAILED")
  fi
done
printf '%s\n' "${summary[@]}"
