#!/usr/bin/env bash
# The participation figures (issue 18, docs/plans/participation.md §11) from
# the release build, on SQLite in a temp folder and, with PG=1, on a
# throw-away PostgreSQL cluster:
#   points_bench --postings      awards/s through the participation.collab
#                                reaction (EVENTS volunteer hours pre-filled)
#                                and postings/s through PostBatch from 8 threads
#   points_bench --balance       the balance of an account with FILL postings
#                                (p50/p99/max), its first page, the recompute
#   participation_intake_bench   intake with the participation consumers and
#                                rules on all 19 streets against intake alone,
#                                ABBA twice: ratio = B / mean(A, A2), plain and
#                                with 20 % of intakes called back and closed
# Usage: bench/participation.sh [SECONDS] [THREADS] [EVENTS] [FILL]
# Builds and every measured run hold /tmp/xietong-cpu.lock, so no build
# competes for the 2 cores meanwhile; XIETONG_BENCH_NO_LOCK=1 runs without it.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
threads=${2:-64}
events=${3:-200000}
fill=${4:-1000000}
lock=/tmp/xietong-cpu.lock

locked() {
  if [ -n "${XIETONG_BENCH_NO_LOCK:-}" ]; then "$@"; else flock "$lock" "$@"; fi
}

[ -f build/release/build.ninja ] || locked cmake --preset release >/dev/null
locked ninja -C build/release points_bench participation_intake_bench >/dev/null
bin=build/release/bench

dir=$(mktemp -d /tmp/xietong-bench-participation.XXXXXX)
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

run sqlite-postings "$bin/points_bench" --data-dir "$dir/sqlite-postings" --postings \
  --events "$events" --residents $((events / 10)) --batch 500 --threads 8 --seconds "$secs"
run sqlite-balance "$bin/points_bench" --data-dir "$dir/sqlite-balance" --balance --fill "$fill"
run sqlite-intake "$bin/participation_intake_bench" --data-dir "$dir/sqlite-intake" \
  --threads "$threads" --seconds "$secs"

if [ -n "${PG:-}" ]; then
  url=$(scripts/pg-test-cluster.sh start "$dir/pg" 2>"$dir/pg-start.log" | tail -n 1)
  [[ $url == postgresql://* ]] || {
    cat "$dir/pg-start.log" >&2
    exit 1
  }
  base=${url%/*}
  for db in postings balance intake; do psql -q "$url" -c "CREATE DATABASE pb_$db" >/dev/null; done
  run pg-postings "$bin/points_bench" --database "$base/pb_postings" --data-dir "$dir/pg-postings" \
    --postings --events "$events" --residents $((events / 10)) --batch 500 --threads 8 \
    --seconds "$secs"
  run pg-balance "$bin/points_bench" --database "$base/pb_balance" --data-dir "$dir/pg-balance" \
    --balance --fill "$fill"
  run pg-intake "$bin/participation_intake_bench" --database "$base/pb_intake" \
    --data-dir "$dir/pg-intake" --threads "$threads" --seconds "$secs"
fi

echo
echo "summary ($(date +%F), $(nproc) vCPU)"
grep -h -E '^(backend|\(a\)|\(b\)|balance:|plain|closing|awards)' "$dir"/*.out
