#!/usr/bin/env bash
# The database's own floor under InboxBenchmark: PostgreSQL alone (pgbench, no Java, no HTTP), fsync on, storing the
# rows the two servers of InboxBenchmark store, in paired rounds on one fresh cluster.
#   bare      one autocommit INSERT into InboxBenchmark's bare_insert table (id, body, received_at);
#   inbox     one autocommit INSERT into the inbox's own table (its schema files, as JdbcInbox stores a lone part);
#   inbox-xN  one INSERT of N rows into the inbox's table, as group commit stores N deliveries queued together.
# Each round runs every variant for SECONDS at each client count, the order reversed every other round; a ratio is
# computed within a round; the output gives medians (lowest-highest round) and writes results/pgbench-floor.json.
# Usage: benchmarks/pgbench-floor.sh [rounds (default 6)] [seconds (default 4)] [client counts (default 1,4,16)]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-6}"
seconds="${2:-4}"
clients="${3:-1,4,16}"
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "PostgreSQL is not installed" >&2; exit 1; }
work=$(mktemp -d)
chmod 755 "$work"
trap '.ci/postgres.sh stop "$work/pg" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
HOOKGUARD_PG_FSYNC=on .ci/postgres.sh start "$work/pg" >/dev/null
port=$(cat "$work/pg/port")
psql() { "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -q -v ON_ERROR_STOP=1 "$@"; }
psql -c "create table bare_insert (id varchar(36) primary key, body bytea not null, received_at bigint not null)"
cat inbox/src/main/resources/db/hookguard/postgresql/V1__inbox.sql inbox/src/main/resources/db/hookguard/postgresql/V2__inbox.sql | psql

# A Malcolm! session's size (about 600 B) and the header text the inbox keeps for it. No ':' in literals: pgbench
# would read ':name' as a variable.
body="'\\x$(python3 -c 'print("7b" * 600)')'::bytea"
headers="E'Content-Type= application/json\\nUser-Agent= Malcolm/1.0\\n'"
now="(extract(epoch from statement_timestamp()) * 1000)::bigint"
cat >"$work/bare.sql" <<EOF
insert into bare_insert (id, body, received_at) values (gen_random_uuid()::text, $body, (extract(epoch from clock_timestamp()) * 1000)::bigint);
EOF
inbox_rows() { # $1 rows in one statement
  cat <<EOF
insert into hookguard_inbox (delivery_key, part_key, event_type, scheme, tenant, body, headers, state, attempts, next_attempt_at, received_at)
 select k, k, 'session', 'malcolm', 'default', $body, $headers, 'PENDING', 0, $now, $now
 from (select 'malcolm-session-' || gen_random_uuid()::text as k from generate_series(1, $1)) keys on conflict (delivery_key) do nothing;
EOF
}
cat >"$work/inbox.sql" <<EOF
insert into hookguard_inbox (delivery_key, part_key, event_type, scheme, tenant, body, headers, state, attempts, next_attempt_at, received_at)
 values ('malcolm-session-' || gen_random_uuid()::text, 'malcolm-session-x', 'session', 'malcolm', 'default', $body, $headers, 'PENDING', 0, $now, $now)
 on conflict (delivery_key) do nothing;
EOF
inbox_rows 2 >"$work/inbox-x2.sql"
inbox_rows 7 >"$work/inbox-x7.sql"

run() { # $1 variant, $2 clients: prints "rows/s p50_us"
  local rows=1
  case "$1" in inbox-x2) rows=2 ;; inbox-x7) rows=7 ;; esac
  rm -f "$work"/log.*
  (cd "$work" && "$bin/pgbench" -h 127.0.0.1 -p "$port" -U postgres -n -M prepared -c "$2" -j "$2" -T "$seconds" \
      -l --log-prefix=log -f "$1.sql" postgres >"$work/out" 2>&1) || { cat "$work/out" >&2; exit 1; }
  tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$work/out")
  p50=$(cat "$work"/log.* | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$(python3 -c "print(round($tps * $rows))") $p50"
}

variants=(bare inbox inbox-x2 inbox-x7)
: >"$work/results"
for c in ${clients//,/ }; do
  for v in "${variants[@]}"; do run "$v" "$c" >/dev/null; done # warm-up, not counted
  for ((r = 1; r <= rounds; r++)); do
    order=("${variants[@]}")
    if ((r % 2 == 0)); then order=(inbox-x7 inbox-x2 inbox bare); fi
    for v in "${order[@]}"; do echo "$c $r $v $(run "$v" "$c")" >>"$work/results"; done
  done
done
mkdir -p benchmarks/results
python3 - "$work/results" benchmarks/results/pgbench-floor.json <<'EOF'
import json, statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
data = {}
for c, r, v, rps, p50 in rows:
    data.setdefault(int(c), {}).setdefault(int(r), {})[v] = (float(rps), float(p50))
out = {"rounds": data}
print("clients | variant | rows/s (median) | p50 us (median) | rows/s / bare | p50 / bare")
for c, byRound in sorted(data.items()):
    for v in ["bare", "inbox", "inbox-x2", "inbox-x7"]:
        rps = [byRound[r][v][0] for r in byRound]
        p50 = [byRound[r][v][1] for r in byRound]
        ratio = sorted(byRound[r][v][0] / byRound[r]["bare"][0] for r in byRound)
        lat = sorted(byRound[r][v][1] / byRound[r]["bare"][1] for r in byRound)
        print(f"{c} | {v} | {statistics.median(rps):,.0f} | {statistics.median(p50):,.0f} | "
              f"{statistics.median(ratio):.2f}x ({ratio[0]:.2f}-{ratio[-1]:.2f}) | {statistics.median(lat):.2f}x ({lat[0]:.2f}-{lat[-1]:.2f})")
json.dump(out, open(sys.argv[2], "w"), indent=1)
EOF
