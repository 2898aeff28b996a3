#!/usr/bin/env bash
# Starts (or stops) a throwaway PostgreSQL cluster from Debian's packages on a free local port.
#   .ci/postgres.sh start DIR   prints the JDBC URL on stdout
#   .ci/postgres.sh stop DIR     (immediate: as a crash would)
#   .ci/postgres.sh resume DIR   starts a stopped cluster again on its port
#   .ci/postgres.sh pause DIR    freezes the server and its backends (SIGSTOP): it answers nothing, refuses nothing
#   .ci/postgres.sh unpause DIR  lets them run again (SIGCONT)
# Tests run with fsync off (speed); HOOKGUARD_PG_FSYNC=on gives a durable server, as benchmarks need.
set -euo pipefail
action=$1
dir=$2
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "PostgreSQL is not installed" >&2; exit 1; }
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$action" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    as_postgres "$bin/initdb" -D "$dir/data" -A trust -U postgres >"$dir/initdb.log" 2>&1
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    echo "$port" >"$dir/port"
    as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=${HOOKGUARD_PG_FSYNC:-off}" start >&2
    echo "jdbc:postgresql://127.0.0.1:$port/postgres?user=postgres"
    ;;
  resume)
    port=$(cat "$dir/port")
    as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=${HOOKGUARD_PG_FSYNC:-off}" start >&2
    ;;
  pause|unpause)
    pid=$(head -n 1 "$dir/data/postmaster.pid")
    if [ "$action" = pause ]; then
      # The postmaster first, so that no backend is forked after the list of its children is taken (a pool opening a
      # connection at that moment would get a backend that answers).
      kill -s STOP "$pid"
      children=$(pgrep -P "$pid" || true)
      [ -z "$children" ] || kill -s STOP $children
    else
      children=$(pgrep -P "$pid" || true)
      [ -z "$children" ] || kill -s CONT $children
      kill -s CONT "$pid"
    fi
    ;;
  stop)
    as_postgres "$bin/pg_ctl" -D "$dir/data" -m immediate stop >&2 || true
    ;;
esac
