#!/usr/bin/env bash
# One command from a fresh Debian 12 to a running demo city:
# installs what is missing, builds (release) and the web application, creates the demo city in ./var
# on the embedded SQLite default, and serves http://127.0.0.1:8080.
# Options: XIETONG_LISTEN=HOST:PORT, XIETONG_DATA_DIR=DIR, XIETONG_ADMIN_PASSWORD=…
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh build
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)"
scripts/build-web.sh

data_dir=${XIETONG_DATA_DIR:-var}
mkdir -p "$data_dir"
password_file="$data_dir/admin-password.txt"
if [ -n "${XIETONG_ADMIN_PASSWORD:-}" ]; then
  password=$XIETONG_ADMIN_PASSWORD
elif [ -f "$password_file" ]; then
  password=$(cat "$password_file")
else
  password="xt-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  (umask 077 && printf '%s' "$password" > "$password_file")
fi

bin=build/release/src/app/xietong
"$bin" demo --data-dir "$data_dir" --admin-password "$password"
echo
echo "admin password 管理员密码: $password   (kept in $password_file)"
listen=${XIETONG_LISTEN:-127.0.0.1:8080}
echo "open 打开 http://$listen/"
exec "$bin" serve --data-dir "$data_dir" --listen "$listen"
