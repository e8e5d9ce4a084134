#!/usr/bin/env bash
# Issue 19's figures (决策支持) from the release build, each beside a peer
# measured in the same run (bench/README.md, "Insight"):
#   1. forecast_backtest   every us311 series backtested (goal ≤ 60 s); the
#                          peer is the same program's data load alone
#   2. the demo city (HISTORY_DAYS of past requests) and `xietong forecast`,
#                          which stores the run the API serves (timed)
#   3. report monthly      the city's and 临江区's PDF, RUNS times each, cold
#                          processes (goal ≤ 3 s); peer: the same document as XLSX
#   4. wrk on `xietong serve` (2 threads, SQLite):
#        GET  /api/v1/insight/forecast rotating over the city, its districts
#             and streets × all categories (goal p99 ≤ 50 ms); peers
#             GET /healthz and GET /api/v1/stats/trend in the same run
#        POST /api/v1/insight/whatif with a random volume slider, 1 and 8
#             connections (goal ≤ 200 ms); peer: the same POST, no sliders
#   5. POST /api/v1/insight/routing/models/retrain on the demo's decisions,
#      timed (XIETONG_BENCH_RETRAIN=0 leaves it out)
# Usage: bench/insight.sh [HISTORY_DAYS] [SECONDS] [RUNS]
# Builds and every measured step hold /tmp/xietong-cpu.lock, so no build
# competes for the 2 cores meanwhile; XIETONG_BENCH_NO_LOCK=1 runs without it.
set -euo pipefail
cd "$(dirname "$0")/.."
days=${1:-400}
secs=${2:-20}
runs=${3:-5}
lock=/tmp/xietong-cpu.lock
port=${XIETONG_BENCH_PORT:-18391}

locked() {
  if [ -n "${XIETONG_BENCH_NO_LOCK:-}" ]; then "$@"; else flock "$lock" "$@"; fi
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
# Runs "$@" holding the lock, its output to $dir/last.log; prints the seconds
# it ran (measured inside the lock: never the wait for it).
timed() {
  locked /usr/bin/time -f %e -o "$dir/elapsed" "$@" >"$dir/last.log" 2>&1
  cat "$dir/elapsed"
}

[ -f build/release/build.ninja ] || cmake --preset release >/dev/null
locked ninja -C build/release xietong forecast_backtest >/dev/null
xietong=$PWD/build/release/src/app/xietong

dir=$(mktemp -d /tmp/xietong-bench-insight.XXXXXX)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT

echo "== 1. us311 backtest (goal ≤ 60 s)"
us311=../shared/data/us311/us311_multicity_sample.csv.gz
if [ -f "$us311" ]; then
  for i in 1 2 3; do
    locked build/release/bench/forecast_backtest "$us311" | grep -E '^seconds:|^mase_7d='
  done
else
  echo "skipped: $us311 is not here"
fi

echo "== 2. demo city ($days days of history) and a stored forecast run"
t=$(timed "$xietong" demo --data-dir "$dir" --admin-password demo-2026 --history-days "$days")
echo "demo: $t s"
t=$(timed "$xietong" forecast --data-dir "$dir" --horizon 28)
echo "forecast run (stored): $t s; $(tail -1 "$dir/last.log")"

# The last whole month of the demo's history.
month=$(date -u -d "$(date -u +%Y-%m-01) -1 month" +%Y-%m)
echo "== 3. monthly report $month (goal ≤ 3 s, cold process each time)"
for unit in "" JL-01; do
  for fmt_ in pdf xlsx; do
    times=()
    for i in $(seq "$runs"); do
      times+=("$(timed "$xietong" report monthly --data-dir "$dir" --month "$month" \
        ${unit:+--unit "$unit"} --out "$dir/report.$fmt_")")
    done
    sorted=$(printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' ')
    echo "${unit:-city} $fmt_: ${sorted}s ($(stat -c %s "$dir/report.$fmt_") bytes)"
  done
done

echo "== 4. HTTP (wrk, same machine)"
"$xietong" serve --data-dir "$dir" --listen "127.0.0.1:$port" --threads 2 >"$dir/serve.log" 2>&1 &
server=$!
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.2
done
token=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/auth/login" \
  -H 'Content-Type: application/json' \
  -d '{"username":"admin","password":"demo-2026"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
auth="Authorization: Bearer $token"
# The reactions catch up on the demo's events first (insight.intake records
# every decision); nothing is measured while they run.
t=$(now)
for _ in $(seq 1800); do
  lag=$(curl -sf "http://127.0.0.1:$port/metrics" |
    awk '/^xietong_consumer_lag_events/ {n++; s += $2} END {print n ? s : "unknown"}')
  [ "$lag" = 0 ] && break
  sleep 1
done
echo "reactions caught up in $(since "$t") s (lag now ${lag:-?} events)"
# The forecast series: the city, its districts and streets, all categories.
curl -sf "http://127.0.0.1:$port/api/v1/units/tree" -H "$auth" >"$dir/units.json"
python3 - "$dir/units.json" "$dir/forecast.lua" <<'EOF'
import json, sys
ids = [""]
def walk(node):
    if isinstance(node, dict):
        if node.get("kind") in ("district", "street") and "id" in node:
            ids.append(node["id"])
        for v in node.values():
            walk(v)
    elif isinstance(node, list):
        for v in node:
            walk(v)
walk(json.load(open(sys.argv[1])))
paths = [f"/api/v1/insight/forecast?unit={i}&horizon=28" for i in ids]
with open(sys.argv[2], "w") as f:
    f.write("paths = {" + ",".join(json.dumps(p) for p in paths) + "}\n")
    f.write("i = 0\nrequest = function()\n  i = i % #paths + 1\n"
            "  return wrk.format('GET', paths[i])\nend\n")
print(f"forecast series rotated: {len(paths)}", file=sys.stderr)
EOF
cat >"$dir/whatif.lua" <<'EOF'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  local body = os.getenv("WHATIF_EMPTY") and '{"weeks":4}' or
      string.format('{"weeks":4,"volume_pct":%d}', math.random(-50, 100))
  return wrk.format(nil, "/api/v1/insight/whatif", nil, body)
end
EOF
from=$(date -u -d "$(date -u +%Y-%m-01) -12 months" +%Y-%m)
to=$(date -u +%Y-%m)
# One request of each kind first: a measured route must answer 200.
probe() { # label curl-args…
  local label=$1 code
  shift
  code=$(curl -s -o "$dir/probe.json" -w '%{http_code}' -H "$auth" "$@")
  echo "probe $label: HTTP $code $(head -c 300 "$dir/probe.json" | tr '\n' ' ')" | cut -c1-200
}
probe forecast "http://127.0.0.1:$port/api/v1/insight/forecast?horizon=28"
probe trend "http://127.0.0.1:$port/api/v1/stats/trend?from=$from&to=$to"
probe what-if -X POST -H 'Content-Type: application/json' -d '{"weeks":4,"volume_pct":20}' \
  "http://127.0.0.1:$port/api/v1/insight/whatif"

run_wrk() { # label connections lua-or-path
  local label=$1 conns=$2 target=$3 out
  if [[ $target == *.lua ]]; then
    out=$(locked wrk -t1 -c"$conns" -d"${secs}s" --latency -H "$auth" -s "$target" \
      "http://127.0.0.1:$port")
  else
    out=$(locked wrk -t1 -c"$conns" -d"${secs}s" --latency -H "$auth" "http://127.0.0.1:$port$target")
  fi
  echo "$label (c=$conns): $(awk '/Requests\/sec/ {rps = $2} / 50%/ {p50 = $2} / 99%/ {p99 = $2}
    /Non-2xx/ {bad = $NF} END {printf "%s req/s, p50 %s, p99 %s%s", rps, p50, p99,
    bad ? ", NON-2xx " bad : ""}' <<<"$out")"
}
run_wrk "forecast" 16 "$dir/forecast.lua"
run_wrk "peer /healthz" 16 /healthz
run_wrk "peer /stats/trend" 16 "/api/v1/stats/trend?from=$from&to=$to"
for c in 1 8; do
  run_wrk "what-if" "$c" "$dir/whatif.lua"
  WHATIF_EMPTY=1 run_wrk "peer what-if, no sliders" "$c" "$dir/whatif.lua"
done

[ "${XIETONG_BENCH_RETRAIN:-1}" = 0 ] && exit 0
echo "== 5. the routing model retrained on the demo's decisions (not a goal of the issue)"
t=$(now)
locked curl -s -X POST "http://127.0.0.1:$port/api/v1/insight/routing/models/retrain" -H "$auth" \
  >"$dir/retrain.json" || true
echo "retrain: $(since "$t") s; $(head -c 600 "$dir/retrain.json")"
