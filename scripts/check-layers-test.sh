#!/usr/bin/env bash
# The layer check must catch what it is for: on a fixture tree that breaks
# each rule once, it must fail and name every violation; on this repository
# it must pass. Run by CTest (layers_check).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(python3 scripts/check-layers.py --root scripts/testdata/layers 2>&1) && {
  echo "check-layers passed a tree with violations:"; echo "$out"; exit 1; }
for expected in \
  "src/low/low_store.cc:3: low includes high/high.h, but low does not declare high" \
  "src/low/low_test.cc:2: low includes high/high.h" \
  "src/high/high.cc:3: includes low/low_store.h" \
  "src/high/high.cc:4: SQL on table low_items, which belongs to low/" \
  "bench/tool.cc:1: includes low/low_store.h"; do
  grep -qF "$expected" <<<"$out" || { echo "not reported: $expected"; echo "$out"; exit 1; }
done
python3 scripts/check-layers.py
