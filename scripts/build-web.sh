#!/usr/bin/env bash
# Builds the web application (web/dist) that `xietong serve` serves:
# installs the npm packages pinned in web/package-lock.json when they are
# missing or out of date, type-checks, and bundles with Vite.
# Needs node ≥ 18 and npm (scripts/install-deps.sh installs Debian's).
set -euo pipefail
cd "$(dirname "$0")/../web"

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== web: npm ci"
  # package-lock.json lists every platform's optional package (all of
  # rollup's @rollup/rollup-* and esbuild's @esbuild/* builds), as npm install
  # writes it with the public registry. npm 11 (11.19.1 tried) refuses a lock
  # file that lacks any of them, as one written against a mirror without some
  # platforms' builds does; npm 9.2.0 (Debian 12) and 10.9.2 let it pass.
  if ! npm ci --no-audit --no-fund --loglevel=error; then
    # The fallback installs the same pinned versions but must not leave the
    # checkout dirty: a plain `npm install` rewrites the tracked lock file.
    # --no-save writes neither package.json nor package-lock.json (only the
    # untracked node_modules/.package-lock.json), so the set-up still works
    # and the lock file's fault is reported rather than hidden in a diff.
    echo "== web: npm ci refused web/package-lock.json; installing the same pins with npm install --no-save" >&2
    echo "   (fix the lock file: cd web && npm install --package-lock-only, check that every" >&2
    echo "    @rollup/rollup-* and @esbuild/* platform entry is present, and commit it)" >&2
    npm install --no-save --no-audit --no-fund --loglevel=error
  fi
fi
echo "== web: type-check and build (web/dist)"
npm run --silent build
