#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing (Debian packages, the pinned Claude Code
# CLI), builds once, then runs the unit and integration tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
CLAUDE_CLI_FOR_TESTS="${CLAUDE_CLI_FOR_TESTS:-$(bash scripts/fetch-cli.sh)}"
export CLAUDE_CLI_FOR_TESTS
# The official openai and anthropic Python SDKs, for the tests that drive the proxy with them.
if [ ! -x .cache/sdk-venv/bin/python ] || ! .cache/sdk-venv/bin/python -c 'import openai, anthropic; assert openai.__version__ == "3.57.0" and anthropic.__version__ == "2.14.0"' 2>/dev/null; then
  python3 -m venv .cache/sdk-venv
  .cache/sdk-venv/bin/pip install --quiet --disable-pip-version-check openai==3.57.0 anthropic==2.14.0
fi
swift build --build-tests
# One test at a time: each integration test starts its own proxy and real CLIs (2 cores).
swift test --skip-build --no-parallel "$@"
