#!/usr/bin/env bash
# Builds the web application (web/dist) that `xietong serve` serves:
# installs the npm packages pinned in web/package-lock.json when they are
# missing or out of date, type-checks, and bundles with Vite.
# Needs node ≥ 18 and npm (scripts/install-deps.sh installs Debian's).
set -euo pipefail
cd "$(dirname "$0")/../web"

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== web: npm ci"
  # A registry mirror that lacks some platforms' optional packages (rollup's
  # darwin or windows builds) writes a lock file npm ci calls out of sync;
  # npm install then installs the same pinned versions for this platform.
  if ! npm ci --no-audit --no-fund --loglevel=error; then
    echo "== web: npm ci refused the lock file; npm install with the same pins"
    npm install --no-audit --no-fund --loglevel=error
  fi
fi
echo "== web: type-check and build (web/dist)"
npm run --silent build
