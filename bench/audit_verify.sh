#!/usr/bin/env bash
# Times `xietong audit verify` over N events (default 1,000,000) on SQLite.
# Usage: bench/audit_verify.sh [EVENTS]
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-1000000}
scripts/install-deps.sh build
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)" --target xietong audit_fill >/dev/null
dir=$(mktemp -d /tmp/xietong-bench-audit.XXXXXX)
trap 'rm -rf "$dir"' EXIT
build/release/bench/audit_fill "$dir" "$events"
for run in 1 2 3; do
  build/release/src/app/xietong audit verify --data-dir "$dir" 2>/dev/null
done
