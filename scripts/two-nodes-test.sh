#!/usr/bin/env bash
# shellcheck disable=SC2317  # show_logs and cleanup run from the EXIT trap
# Two nodes, proven (DESIGN.md §6: several `xietong serve` nodes share one
# PostgreSQL). On a fresh database of the test cluster this builds the demo
# city, starts two real `serve` processes A and B on it, and checks with
# scripts/two_nodes_test.py that
#   1. an intake on A reaches a live WebSocket on B;
#   2. deadline timers made due fire exactly once, though both nodes run them;
#   3. a logout on A is honoured by B within principal_cache_ttl (5 s) over
#      HTTP, and by B's live socket once its 30 s renewal has run;
#   4. A killed with SIGKILL amid intakes loses none it acknowledged (each is
#      found through B by its number), and B carries on;
# then stops B (SIGTERM: it must exit 0) and verifies the audit chain both
# nodes wrote. Run by CTest (two_nodes) with the binary as the argument:
#
#   scripts/two-nodes-test.sh build/debug/src/app/xietong
#
# XIETONG_TEST_PG_URL names the cluster (scripts/test.sh starts one); the
# test creates its own database there and drops it at the end. Without it
# the test skips (77), unless XIETONG_REQUIRE_PG=1 makes that a failure.
# XIETONG_KEEP_TEST_DIR=1 keeps the data folders and logs for inspection.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
helper="$here/two_nodes_test.py"
started=$SECONDS

say() { echo "two-nodes: $*"; }
fail() {
  say "FAIL: $*"
  exit 1
}
skip_or_fail() {
  if [[ ${XIETONG_REQUIRE_PG:-} == 1 ]]; then fail "$* (XIETONG_REQUIRE_PG=1)"; fi
  say "skipped: $*"
  exit 77
}

bin=${1:-}
[[ -n $bin ]] || fail "usage: $0 PATH/TO/xietong"
[[ -x $bin ]] || fail "$bin is not an executable"
[[ -n ${XIETONG_TEST_PG_URL:-} ]] ||
  skip_or_fail "XIETONG_TEST_PG_URL is not set (a PostgreSQL test cluster; scripts/test.sh starts one)"
command -v psql >/dev/null || skip_or_fail "psql is not installed (the postgresql package)"
command -v python3 >/dev/null || fail "python3 is not installed"

admin_url=$XIETONG_TEST_PG_URL
db_name="xt_two_nodes_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
db_url=$(python3 "$helper" db-url "$admin_url" "$db_name") || fail "cannot make a URL for $db_name"
work=$(mktemp -d /tmp/xt-two-nodes.XXXXXX) || fail "mktemp failed"
db_created=0
declare -A pid=() port=()

# Ends a node: SIGTERM, up to 20 s to finish, then SIGKILL; its exit status in stopped_rc.
stopped_rc=""
stop_node() {
  local name=$1 p=${pid[$1]:-} i
  stopped_rc=""
  [[ -n $p ]] || return 0
  kill -TERM "$p" 2>/dev/null
  for ((i = 0; i < 200; i++)); do
    kill -0 "$p" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$p" 2>/dev/null; then
    say "node $name did not stop within 20 s of SIGTERM; killing it"
    kill -KILL "$p" 2>/dev/null
  fi
  wait "$p" 2>/dev/null
  stopped_rc=$?
  unset "pid[$name]"
}

show_logs() {
  local f
  for f in "$work"/demo.log "$work"/a.log "$work"/b.log; do
    [[ -s $f ]] || continue
    echo "----- last lines of $f -----"
    tail -n 25 "$f"
  done
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for name in "${!pid[@]}"; do stop_node "$name"; done
  ((rc == 0)) || show_logs
  if ((db_created)); then
    psql -X -q -v ON_ERROR_STOP=1 "$admin_url" -c "DROP DATABASE IF EXISTS $db_name WITH (FORCE)" ||
      say "warning: could not drop the database $db_name"
  fi
  if [[ ${XIETONG_KEEP_TEST_DIR:-} == 1 ]]; then
    say "kept $work"
  else
    rm -rf -- "$work"
  fi
  say "$( ((rc == 0)) && echo passed || echo failed) in $((SECONDS - started)) s"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# A fresh database, and the demo city in it.
psql -X -q -v ON_ERROR_STOP=1 "$admin_url" -c "CREATE DATABASE $db_name" ||
  fail "cannot create the database $db_name with $admin_url"
db_created=1
say "database $db_name; building the demo city"
admin_password="two-nodes-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
# A short past (the default 400 days × 240 takes minutes under ASan on PostgreSQL).
"$bin" demo --database "$db_url" --data-dir "$work/demo" --admin-password "$admin_password" \
  --history-days 60 --history-per-day 20 >"$work/demo.log" 2>&1 || fail "xietong demo failed (exit $?)"
staff_password=$(sed -n "s/.*the others use '\(.*\)'\..*/\1/p" "$work/demo.log" | tail -n 1)
[[ -n $staff_password ]] || fail "the demo did not print the staff password"
say "demo city ready ($((SECONDS - started)) s)"

# Two nodes, each with its own data folder (the demo's trained model copied
# in, as an operator would deploy it) and the same database.
start_node() {
  local name=$1 dir="$work/${1,,}"
  mkdir -p "$dir"
  [[ -d $work/demo/models ]] && cp -r "$work/demo/models" "$dir/"
  for _ in 1 2 3; do
    port[$name]=$(python3 "$helper" free-port)
    "$bin" serve --database "$db_url" --data-dir "$dir" --listen "127.0.0.1:${port[$name]}" \
      >"$dir.log" 2>&1 &
    pid[$name]=$!
    python3 "$helper" wait-healthy "${port[$name]}" "${pid[$name]}" 30 && return 0
    # Another process may have taken the port between picking and binding.
    stop_node "$name"
    grep -qi "in use" "$dir.log" || break
  done
  fail "node $name did not answer /healthz on 127.0.0.1:${port[$name]}"
}
start_node A
start_node B
say "node A on :${port[A]} (pid ${pid[A]}), node B on :${port[B]} (pid ${pid[B]})"

# (The shell's own stderr is quiet meanwhile: it would announce A's SIGKILL as "Killed".)
{
  python3 "$helper" check --a-port "${port[A]}" --a-pid "${pid[A]}" \
    --b-port "${port[B]}" --b-pid "${pid[B]}" --db-url "$db_url" \
    --password "$staff_password" --a-log "$work/a.log" --b-log "$work/b.log" 2>&3
} 3>&2 2>/dev/null
checks=$?

failed=0
((checks == 0)) || failed=1
# A was killed by the checks (SIGKILL: 128 + 9); B must stop cleanly on SIGTERM.
stop_node A
a_rc=$stopped_rc
if ((checks == 0)) && [[ $a_rc != 137 ]]; then
  say "FAIL: node A ended with status $a_rc, not by the SIGKILL of the crash check"
  failed=1
fi
stop_node B
b_rc=$stopped_rc
if [[ $b_rc != 0 ]]; then
  say "FAIL: node B exited with status $b_rc on SIGTERM, not 0"
  failed=1
else
  say "ok: node B stopped cleanly on SIGTERM"
fi

# The chain both nodes appended to verifies, with every node's checkpoint key trusted.
mkdir -p "$work/verify/keys"
for dir in demo a b; do
  key="$work/$dir/keys/instance.key"
  [[ -f $key ]] && head -c 128 "$key" | tail -c 64 && echo
done >"$work/verify/keys/trusted.pub"
if verified=$("$bin" audit verify --database "$db_url" --data-dir "$work/verify" 2>"$work/verify.log"); then
  say "ok: $verified"
else
  say "FAIL: xietong audit verify: $verified $(tail -n 5 "$work/verify.log")"
  failed=1
fi

((failed == 0)) || exit 1
exit 0
