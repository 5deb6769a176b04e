#!/usr/bin/env bash
# Builds and starts the proxy: installs the Debian packages it needs, and uses `claude` from
# PATH, or the pinned Claude Code CLI (fetched once into .cache/) when there is none.
# Needs PROXY_API_KEY or PROXY_API_KEY_FILE; other flags pass through (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$(bash scripts/build-release.sh)   # installs the Debian packages it needs
if [ -z "${CLAUDE_BIN:-}" ]; then
  CLAUDE_BIN=$(command -v claude || bash scripts/fetch-cli.sh)
  export CLAUDE_BIN
fi
exec "$binary" "$@"
