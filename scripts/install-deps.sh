#!/usr/bin/env bash
# Installs the Debian 12 packages xietong needs that are not there yet.
# Usage: scripts/install-deps.sh [build|test|bench]   (each includes the ones before it)
set -euo pipefail

level=${1:-build}
packages=(g++ cmake ninja-build pkg-config python3
          libboost-dev libsqlite3-dev libpq-dev libsodium-dev libargon2-dev libssl-dev
          nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev
          libpugixml-dev libxlsxwriter-dev libzip-dev zlib1g-dev libsimdjson-dev
          libicu-dev libopencc-dev
          libgtest-dev libgmock-dev
          libcairo2-dev libpango1.0-dev fonts-noto-cjk)
# The monthly report (insight) is laid out with pango and drawn with cairo
# into a PDF in Noto Sans/Serif CJK; the tests read it back with poppler's
# pdftotext and pdfinfo.
# The web application is built with node and npm (Debian's Node 18 is enough);
# a newer node already on the machine is used as it is.
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
# The end-to-end tests drive Debian's Chromium; a CJK font makes the
# screenshots readable.
case "$level" in
  build) ;;
  test) packages+=(postgresql clang-format chromium fonts-wqy-microhei poppler-utils) ;;
  bench) packages+=(postgresql clang-format chromium fonts-wqy-microhei poppler-utils wrk nginx-light) ;;
  *) echo "usage: $0 [build|test|bench]" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "installing: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
