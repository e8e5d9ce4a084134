#!/usr/bin/env bash
# Collab's figures (issue 16) from the release build, on SQLite in a temp
# folder and on a throw-away PostgreSQL cluster:
#   collab_bench     a directive fanned out to RECIPIENTS staff accounts (and
#                    its peer: the same rows in one bare transaction), then
#                    messages/s accepted durably through CollabService::Post
#                    (and its peer: a bare one-row INSERT through the same
#                    group commit)
#   collab_ws_bench  CONNECTIONS WebSockets held on `xietong serve`, a
#                    1,000-member channel's messages pushed to every member
#                    (and its peer: a bare Boost.Beast relay), SQLite only
#                    unless COLLAB_WS_PG=1
# Usage: bench/collab.sh [SECONDS] [THREADS] [RECIPIENTS] [CONNECTIONS]
# Builds and every measured run hold /tmp/xietong-cpu.lock, so no build
# competes for the 2 cores meanwhile; XIETONG_BENCH_NO_LOCK=1 runs without it.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
threads=${2:-64}
recipients=${3:-10000}
connections=${4:-10000}
lock=/tmp/xietong-cpu.lock

locked() {
  if [ -n "${XIETONG_BENCH_NO_LOCK:-}" ]; then "$@"; else flock "$lock" "$@"; fi
}

[ -f build/release/build.ninja ] || cmake --preset release >/dev/null
locked ninja -C build/release xietong collab_bench collab_ws_bench >/dev/null
bin=build/release/bench
xietong=build/release/src/app/xietong

dir=$(mktemp -d /tmp/xietong-bench-collab.XXXXXX)
chmod 755 "$dir" # the cluster's owner (postgres when run as root) must reach $dir/pg
cleanup() {
  if [ -d "$dir/pg" ]; then scripts/pg-test-cluster.sh stop "$dir/pg" >/dev/null 2>&1 || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT

run() {
  local name=$1
  shift
  echo "== $name" >&2
  if ! locked "$@" 2>"$dir/$name.log" | tee "$dir/$name.out"; then
    cat "$dir/$name.log" >&2
    exit 1
  fi
}

bench_args=(--recipients "$recipients" --threads "$threads" --seconds "$secs")
ws_args=(--bin "$xietong" --connections "$connections" --members 1000 --messages 30)

run sqlite-collab "$bin/collab_bench" --data-dir "$dir/sqlite" "${bench_args[@]}"
run sqlite-ws "$bin/collab_ws_bench" "${ws_args[@]}"

url=$(scripts/pg-test-cluster.sh start "$dir/pg" 2>"$dir/pg-start.log" | tail -n 1)
[[ $url == postgresql://* ]] || {
  cat "$dir/pg-start.log" >&2
  exit 1
}
run pg-collab "$bin/collab_bench" --database "$url" --data-dir "$dir/pg-files" "${bench_args[@]}" \
  --analyze 1
if [ -n "${COLLAB_WS_PG:-}" ]; then
  psql -q "$url" -c 'CREATE DATABASE xietong_ws' >/dev/null
  run pg-ws "$bin/collab_ws_bench" "${ws_args[@]}" --database "${url%/*}/xietong_ws" --no-peer
fi

echo
echo "summary ($(date +%F), $(nproc) vCPU)"
grep -h -E '^(directive|peer|post|xietong|seeded|  of which)' "$dir"/*.out
