#!/usr/bin/env bash
# Read throughput of an authenticated JSON GET (one org unit) compared with
# nginx serving the same JSON as a static file, in the same run.
# Each server is pinned to core 0 with one worker thread; wrk runs on core 1.
# Usage: bench/http_read.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-32}
scripts/install-deps.sh bench
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)" --target xietong >/dev/null
bin=build/release/src/app/xietong

dir=$(mktemp -d /tmp/xietong-bench-http.XXXXXX)
chmod 755 "$dir"
cleanup() {
  [ -n "${xt_pid:-}" ] && kill "$xt_pid" 2>/dev/null || true
  [ -f "$dir/nginx.pid" ] && kill "$(cat "$dir/nginx.pid")" 2>/dev/null || true
  sleep 0.5
  rm -rf "$dir"
}
trap cleanup EXIT

"$bin" demo --data-dir "$dir/data" --admin-password bench-admin-1 >/dev/null 2>&1
taskset -c 0 "$bin" serve --data-dir "$dir/data" --listen 127.0.0.1:18181 --threads 1 2>"$dir/serve.log" &
xt_pid=$!
for _ in $(seq 50); do curl -sf http://127.0.0.1:18181/healthz >/dev/null && break; sleep 0.1; done

token=$(curl -sf -X POST -H 'Content-Type: application/json' \
  -d '{"username":"street.lead","password":"demo-2026"}' http://127.0.0.1:18181/api/v1/auth/login |
  sed -E 's/.*"token":"([0-9a-f]+)".*/\1/')
unit=$(curl -sf -H "Authorization: Bearer $token" http://127.0.0.1:18181/api/v1/me |
  sed -E 's/.*"unit_id":"([0-9A-Z]+)".*/\1/')
mkdir -p "$dir/www"
curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:18181/api/v1/units/$unit" >"$dir/www/unit.json"
chmod 644 "$dir/www/unit.json"
echo "payload: $(wc -c <"$dir/www/unit.json") bytes (one street with its GeoJSON polygon)"

cat >"$dir/nginx.conf" <<NGINX
worker_processes 1;
daemon on;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  server {
    listen 127.0.0.1:18182;
    location / { root $dir/www; default_type application/json; }
  }
}
NGINX
taskset -c 0 nginx -c "$dir/nginx.conf"
sleep 0.3

run() {  # prints requests/s
  taskset -c 1 wrk -t1 -c"$conns" -d"${secs}s" "$@" | awk '/Requests\/sec/ {print $2}'
}
declare -a xt ng
for i in 1 2 3; do
  ng+=("$(run "http://127.0.0.1:18182/unit.json")")
  xt+=("$(run -H "Authorization: Bearer $token" "http://127.0.0.1:18181/api/v1/units/$unit")")
  echo "round $i: nginx ${ng[-1]} req/s, xietong ${xt[-1]} req/s"
done
median() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
m_ng=$(median "${ng[@]}")
m_xt=$(median "${xt[@]}")
echo "median: nginx $m_ng req/s, xietong $m_xt req/s, ratio $(awk -v a="$m_xt" -v b="$m_ng" 'BEGIN {printf "%.2f", a / b}')"
