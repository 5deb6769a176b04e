#!/usr/bin/env bash
# Builds the self-contained release binary: the Swift runtime linked in (--static-swift-stdlib),
# FoundationEssentials only, so it runs where no Swift toolchain is installed. Needs only
# libevent, libcurl and the C/C++ runtime at run time (`ldd` shows them). Prints its path.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh >&2
revision=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then revision="$revision-dirty"; fi
swift build -c release --static-swift-stdlib --product claude-code-proxy \
    -Xcc "-DCCP_REVISION=\"$revision\"" >&2
echo "$(swift build -c release --static-swift-stdlib --show-bin-path)/claude-code-proxy"
