#!/usr/bin/env bash
# Durable intake throughput (intake_bench) and the three-rate ranking over a
# large history (ranking_bench), on SQLite in a temp folder and on a throw-away
# PostgreSQL cluster, from the release build; prints a summary at the end.
# Usage: bench/intake.sh [SECONDS] [THREADS] [REQUESTS]
#   SECONDS   how long the intake clients submit (default 20)
#   THREADS   concurrent intake clients (default 64)
#   REQUESTS  history rows filled for the ranking (default 1000000)
# Builds and every measured run hold /tmp/xietong-build.lock, so no build
# competes for the 2 cores meanwhile; XIETONG_BENCH_NO_LOCK=1 runs without it.
# shellcheck disable=SC2016  # the single-quoted $n are awk's fields
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}
threads=${2:-64}
requests=${3:-1000000}
lock=/tmp/xietong-build.lock

locked() {
  if [ -n "${XIETONG_BENCH_NO_LOCK:-}" ]; then "$@"; else flock "$lock" "$@"; fi
}

scripts/install-deps.sh test
locked cmake --preset release >/dev/null
locked cmake --build --preset release -j"$(nproc)" --target intake_bench ranking_bench >/dev/null
bin=build/release/bench

dir=$(mktemp -d /tmp/xietong-bench-intake.XXXXXX)
chmod 755 "$dir" # the cluster's owner (postgres when run as root) must reach $dir/pg
cleanup() {
  if [ -d "$dir/pg" ]; then scripts/pg-test-cluster.sh stop "$dir/pg" >/dev/null 2>&1 || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT

# run NAME COMMAND…: runs under the lock, shows and keeps stdout; stderr goes
# to NAME.log and is shown only when the run fails.
run() {
  local name=$1
  shift
  echo "== $name" >&2
  if ! locked "$@" 2>"$dir/$name.log" | tee "$dir/$name.out"; then
    cat "$dir/$name.log" >&2
    exit 1
  fi
}

intake_args=(--threads "$threads" --seconds "$secs" --dispatch)
rank_args=(--requests "$requests")

run sqlite-intake "$bin/intake_bench" --data-dir "$dir/sqlite-intake" "${intake_args[@]}"
# What-if, not the shipped setting: the savepoint sub-journal kept in memory.
run sqlite-intake-temp-memory "$bin/intake_bench" --data-dir "$dir/sqlite-intake-mem" \
  "${intake_args[@]}" --sqlite-writer-pragmas "temp_store=MEMORY"
run sqlite-ranking "$bin/ranking_bench" --data-dir "$dir/sqlite-ranking" "${rank_args[@]}"

url=$(scripts/pg-test-cluster.sh start "$dir/pg" 2>"$dir/pg-start.log" | tail -n 1)
[[ $url == postgresql://* ]] || {
  cat "$dir/pg-start.log" >&2
  exit 1
}
# The ranking gets a database of its own, so the intake's requests do not count in it.
psql -q "$url" -c 'CREATE DATABASE xietong_rank' >/dev/null
run pg-intake "$bin/intake_bench" --database "$url" --data-dir "$dir/pg-intake" "${intake_args[@]}"
run pg-ranking "$bin/ranking_bench" --database "${url%/*}/xietong_rank" \
  --data-dir "$dir/pg-ranking" "${rank_args[@]}"

field() { # FILE PATTERN AWK-PROGRAM
  grep -m1 "$2" "$1" | awk "$3"
}
echo
echo "summary ($(date +%F), $(nproc) vCPU, $threads intake clients for ${secs}s, $requests history rows)"
printf '%-34s %10s %9s %9s %9s\n' "intake (dispatch)" "intakes/s" "p50 ms" "p99 ms" "max ms"
for name in sqlite-intake sqlite-intake-temp-memory pg-intake; do
  f="$dir/$name.out"
  printf '%-34s %10s %9s %9s %9s\n' "$name" "$(field "$f" '^intakes/s' '{print $2}')" \
    "$(field "$f" '^latency' '{print $4}')" "$(field "$f" '^latency' '{print $8}')" \
    "$(field "$f" '^latency' '{print $10}')"
done
printf '%-34s %10s %9s %9s\n' "ranking" "fill rows/s" "1 month" "12 months"
for name in sqlite-ranking pg-ranking; do
  f="$dir/$name.out"
  # Median over 20 runs of the city-wide ranking (every unit).
  one=$(grep 'all units' "$f" | sed -n 1p | awk '{print $(NF-2)}')
  twelve=$(grep 'all units' "$f" | sed -n 2p | awk '{print $(NF-2)}')
  printf '%-34s %10s %9s %9s\n' "$name (median ms, all units)" \
    "$(field "$f" '^fill' '{print $7}')" "$one" "$twelve"
done
