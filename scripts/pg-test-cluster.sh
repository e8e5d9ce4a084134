#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for tests.
#
#   pg-test-cluster.sh start DIR   creates DIR, starts a cluster in it on a free
#                                  loopback port and prints its URL on the last
#                                  line of stdout (progress goes to stderr)
#   pg-test-cluster.sh stop DIR    stops that cluster and removes DIR
#
# The cluster trusts every loopback connection, so never point it at data that
# matters. PostgreSQL refuses to run as root: when run as root the cluster is
# owned and run by the `postgres` OS user, otherwise by the current user.
# PG_BIN overrides the directory holding initdb, pg_ctl and pg_isready.
set -euo pipefail

readonly kDatabase=xietong_test
readonly kSuperuser=postgres
readonly kMarker=.xietong-pg-test-cluster  # stop removes only directories that carry it

log() { echo "pg-test-cluster: $*" >&2; }
die() {
  log "error: $*"
  exit 1
}

usage() {
  echo "usage: $0 start DIR | stop DIR" >&2
  exit 2
}

find_bin_dir() {
  if [[ -n "${PG_BIN:-}" ]]; then
    echo "$PG_BIN"
    return
  fi
  local dir
  # Newest installed major version first.
  while IFS= read -r dir; do
    if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
      echo "$dir"
      return
    fi
  done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -t/ -k5,5nr)
  local initdb
  initdb=$(command -v initdb) || die "initdb not found; install postgresql or set PG_BIN"
  dirname "$(readlink -f "$initdb")"
}

# Runs a command as the cluster's OS user.
as_owner() {
  if [[ $EUID -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

port_is_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pick_free_port() {
  local port
  if command -v python3 >/dev/null 2>&1; then
    port=$(python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' 2>/dev/null) || port=""
    if [[ -n "$port" ]]; then
      echo "$port"
      return
    fi
  fi
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 40000))
    if port_is_free "$port"; then
      echo "$port"
      return
    fi
  done
  die "no free TCP port found on 127.0.0.1"
}

show_log_and_die() {
  local dir=$1 message=$2
  log "error: $message"
  if [[ -f "$dir/server.log" ]]; then
    log "----- $dir/server.log -----"
    cat "$dir/server.log" >&2
    log "----- end of server log -----"
  fi
  # Leave nothing running; DIR stays for inspection (remove it with `stop DIR`).
  as_owner "$BIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  exit 1
}

start() {
  local dir=$1
  if [[ -e "$dir" && -n "$(ls -A "$dir" 2>/dev/null)" ]]; then
    die "$dir exists and is not empty; pick a new directory or run: $0 stop $dir"
  fi
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd -P)
  touch "$dir/$kMarker"
  if [[ $EUID -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || die "running as root needs the 'postgres' OS user"
    chown -R postgres: "$dir"
    as_owner test -w "$dir" ||
      die "the postgres user cannot write $dir (is a parent directory private?)"
  fi
  # The Unix socket path (DIR/.s.PGSQL.PORT) must fit in sun_path (107 bytes).
  if ((${#dir} > 80)); then
    die "$dir is too long for a Unix socket directory; use a shorter path"
  fi

  log "initdb in $dir/data"
  if ! as_owner "$BIN/initdb" -D "$dir/data" -U "$kSuperuser" --auth=trust -E UTF8 \
    --locale=C >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    die "initdb failed"
  fi

  local port attempt
  for attempt in 1 2 3; do
    port=$(pick_free_port)
    # Settings go into the cluster's own configuration so a restart keeps them.
    as_owner tee -a "$dir/data/postgresql.conf" >/dev/null <<EOF

# pg-test-cluster.sh
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = on
synchronous_commit = on
EOF
    log "starting on 127.0.0.1:$port"
    if as_owner "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >&2; then
      break
    fi
    # Another process may have taken the port between picking and binding.
    if ((attempt < 3)) && grep -q "could not bind" "$dir/server.log" 2>/dev/null; then
      log "port $port was taken; trying another"
      continue
    fi
    show_log_and_die "$dir" "the server did not start"
  done

  local ready=0
  for _ in $(seq 1 60); do
    if "$BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -d postgres -U "$kSuperuser"; then
      ready=1
      break
    fi
    sleep 0.5
  done
  ((ready)) || show_log_and_die "$dir" "the server did not become ready on 127.0.0.1:$port"

  if ! "$BIN/createdb" -h 127.0.0.1 -p "$port" -U "$kSuperuser" "$kDatabase" >&2; then
    show_log_and_die "$dir" "could not create database $kDatabase"
  fi
  echo "$port" >"$dir/port"
  echo "postgresql://$kSuperuser@127.0.0.1:$port/$kDatabase"
}

stop() {
  local dir=$1
  if [[ ! -e "$dir" ]]; then
    log "$dir does not exist; nothing to stop"
    return
  fi
  [[ -f "$dir/$kMarker" ]] || die "$dir was not made by $0 start; not removing it"
  if [[ -f "$dir/data/postmaster.pid" ]]; then
    log "stopping the server in $dir/data"
    as_owner "$BIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >&2 ||
      as_owner "$BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >&2 ||
      die "could not stop the server in $dir/data; $dir is left in place"
  fi
  rm -rf -- "$dir"
}

[[ $# -eq 2 ]] || usage
BIN=$(find_bin_dir)
readonly BIN
case "$1" in
  start) start "$2" ;;
  stop) stop "$2" ;;
  *) usage ;;
esac
