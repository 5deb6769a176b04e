#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing (Debian packages, the pinned Claude Code
# CLI), builds once, then runs the unit and integration tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
CLAUDE_CLI_FOR_TESTS="${CLAUDE_CLI_FOR_TESTS:-$(bash scripts/fetch-cli.sh)}"
export CLAUDE_CLI_FOR_TESTS
# The official openai and anthropic Python SDKs, and the client libraries the README's recipes
# name (LiteLLM, LangChain, the OpenAI Agents SDK), and the Codex CLI (its binary, in a wheel), pinned, for the
# tests that drive the proxy with them.
pins="openai==3.57.0 anthropic==2.14.0 litellm==1.110.2 langchain-openai==1.7.4 openai-agents==0.24.0 openai-codex-cli-bin==0.163.0"
if [ ! -x .cache/sdk-venv/bin/python ] || [ "$(cat .cache/sdk-venv/pins 2>/dev/null)" != "$pins" ]; then
  python3 -m venv .cache/sdk-venv
  # shellcheck disable=SC2086
  .cache/sdk-venv/bin/pip install --quiet --disable-pip-version-check $pins
  echo "$pins" > .cache/sdk-venv/pins
fi
# The self-contained release binary, for the test that installs it where no toolchain is.
RELEASE_BINARY="${RELEASE_BINARY:-$(bash scripts/build-release.sh)}"
export RELEASE_BINARY
swift build --build-tests
# One test at a time: each integration test starts its own proxy and real CLIs (2 cores).
swift test --skip-build --no-parallel "$@"
