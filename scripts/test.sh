#!/usr/bin/env bash
# One command that installs what is missing, builds with ASan + UBSan, starts a
# throw-away PostgreSQL on 127.0.0.1, and runs every test on SQLite and
# PostgreSQL, plus the formatting check, the web application's build and its
# end-to-end tests in Chromium. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh test

# The set-up must leave every tracked file as it was (a lock file rewritten
# by npm, a generated file checked in stale): compared after the build.
tracked_before=$(git status --porcelain --untracked-files=no 2>/dev/null || true)

echo "== formatting (clang-format)"
mapfile -t sources < <(git ls-files '*.cc' '*.h')
clang-format --dry-run -Werror "${sources[@]}"

echo "== layers (scripts/check-layers.py)"
python3 scripts/check-layers.py

echo "== build (debug, ASan + UBSan, -Werror)"
cmake --preset debug >/dev/null
cmake --build --preset debug -j"$(nproc)"

echo "== web application (web/dist)"
scripts/build-web.sh

tracked_after=$(git status --porcelain --untracked-files=no 2>/dev/null || true)
if [ "$tracked_before" != "$tracked_after" ]; then
  echo "the build changed tracked files; commit them or fix the build:" >&2
  diff <(echo "$tracked_before") <(echo "$tracked_after") >&2 || true
  exit 1
fi

echo "== PostgreSQL test cluster"
pg_dir=$(mktemp -d /tmp/xietong-pg.XXXXXX)
trap 'scripts/pg-test-cluster.sh stop "$pg_dir" >/dev/null 2>&1 || true' EXIT
rmdir "$pg_dir"
pg_url=$(scripts/pg-test-cluster.sh start "$pg_dir" | tail -n 1)
echo "   $pg_url"

echo "== tests"
export XIETONG_TEST_PG_URL="$pg_url" XIETONG_REQUIRE_PG=1
# The real messages and 311 requests beside the repository (../shared/data):
# when they are there, the tests that learn from them must not skip.
if [ -d ../shared/data/taidi2020c ]; then
  export XIETONG_REQUIRE_DATA=1
  echo "   real data: ../shared/data (required)"
else
  echo "   real data: not found beside the repository; the tests that need it skip"
fi
# The browser tests (web_e2e) must run here, not skip.
export XIETONG_REQUIRE_WEB=1
# The report tests read their PDFs back with poppler-utils (installed above).
export XIETONG_REQUIRE_POPPLER=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# fontconfig, glib, pango and cairo keep caches for the life of the process
# (the report's renderer loads them); only their own frames are suppressed.
export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0"
ctest --test-dir build/debug -j"$(nproc)" --output-on-failure --timeout 600
