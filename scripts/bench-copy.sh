#!/usr/bin/env bash
# Copy throughput, PostgreSQL → PostgreSQL, all methods in one run on one throwaway cluster:
#   godwit copy (--verify off, count, hash, hash with --hash-by-client, sample; --chunk-by key with hash), psql COPY binary pipe
#   table by table (the single-stream reference),
#   pg_dump -Fd -j | pg_restore -j, and pgloader when installed (Debian package pgloader).
#   scripts/bench-copy.sh [PGBENCH_SCALE=60] [JOBS=4]
# Scale 60 is about 1 GB with the wide table. The pipe, off and hash run GODWIT_BENCH_ROUNDS times
# (default 3), interleaved, and their medians are compared. Prints seconds, MB/s and ratios to the psql pipe,
# godwit's peak RSS per run, and the load average (the machine may be shared).
# Fairness: autovacuum is off and every method starts after a CHECKPOINT, so that no method pays
# for the background work the previous one left (vacuuming the 1 GB it wrote, or dirty pages);
# the source is vacuumed and frozen first, so that no method pays for setting its hint bits (the
# first reader would). The release build goes to CARGO_TARGET_DIR when set.
# On a shared machine wall times drift with the others' load, so each method's CPU time is printed
# too: the server's (its exited backends, as the postmaster reaped them) and the clients' (psql,
# godwit, pg_dump, as this script reaped them), whatever else the machine runs.
# GODWIT_BENCH_LINK=RATE (as root, e.g. 1gbit) shapes the loopback with `tc … tbf` for the whole run:
# every byte between the clients and the servers then shares one link of that rate, as when they run
# on different hosts (a method that moves the rows twice pays twice). Removed on exit.
set -euo pipefail
scale=${1:-60}
jobs=${2:-4}
repo=$(cd "$(dirname "$0")/.." && pwd)
cargo build --release -q -p godwit-cli --manifest-path "$repo/Cargo.toml"
godwit=${CARGO_TARGET_DIR:-$repo/target}/release/godwit
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
tmp=$(mktemp -d); chmod 755 "$tmp"
run=(); [ "$(id -u)" = 0 ] && { chown postgres "$tmp"; run=(runuser -u postgres --); }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"${run[@]}" "$bin/initdb" -D "$tmp/data" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
"${run[@]}" "$bin/pg_ctl" -D "$tmp/data" -o "-p $port -k $tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_wal_size=4GB -c shared_buffers=512MB -c autovacuum=off" -l "$tmp/log" -w start >/dev/null
link=${GODWIT_BENCH_LINK:-}
trap '"${run[@]}" "$bin/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null; rm -rf "$tmp"; [ -z "$link" ] || tc qdisc del dev lo root' EXIT
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGOPTIONS="-c client_min_messages=warning"
url() { echo "postgresql://postgres@127.0.0.1:$port/$1"; }
psql -qc "CREATE DATABASE src"
"$bin/pgbench" -q -i -s "$scale" -I dtgv src >/dev/null 2>&1
psql -q -d src <<SQL
CREATE TABLE wide (id bigint, n numeric(18,4), t text, ts timestamptz, b bytea, j jsonb);
INSERT INTO wide SELECT g, CASE WHEN g % 5 = 0 THEN NULL ELSE g / 7.0 END, md5(g::text) || repeat('w', g % 100),
       now() - g * interval '1 second', decode(md5(g::text), 'hex'), jsonb_build_object('g', g, 'x', md5(g::text))
  FROM generate_series(1, $scale * 20000) g;
CREATE TABLE blobs (id int, v bytea);
INSERT INTO blobs SELECT g, decode(repeat(md5(g::text), 32768), 'hex') FROM generate_series(1, 20) g;
SQL
psql -q -d src -c "VACUUM (FREEZE, ANALYZE)"
bytes=$(psql -Atd src -c "SELECT sum(pg_table_size(c.oid)) FROM pg_class c WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace")
tables=$(psql -Atd src -c "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY 1")
fresh() { psql -qc "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"; pg_dump -s src | psql -q -d "$1" >/dev/null; psql -qc CHECKPOINT; }
now() { date +%s.%N; }
tick=$(getconf CLK_TCK)
# CPU seconds of the reaped children of process $1 (/proc/PID/stat fields 16 and 17).
children_cpu() { awk -v t="$tick" '{ sub(/.*\) /, ""); split($0, f, " "); printf "%.2f", (f[14] + f[15]) / t }' "/proc/$1/stat"; }
postmaster=$(head -1 "$tmp/data/postmaster.pid")
mark() { server0=$(children_cpu "$postmaster"); client0=$(children_cpu $$); }
spent() { # name: prints and keeps NAME_cpu, the CPU seconds since `mark`
  local server client
  # A backend ends a moment after its client: its CPU counts once the postmaster has reaped it.
  until [ "$(psql -Atd postgres -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")" = 0 ]; do sleep 0.1; done
  sleep 0.3
  server=$(children_cpu "$postmaster"); client=$(children_cpu $$)
  eval "${1}_cpu=$(python3 -c "print(round($server - $server0 + $client - $client0, 2))")"
  python3 -c "print(f'  CPU {$server - $server0 + $client - $client0:.1f} s: server {$server - $server0:.1f} s + clients {$client - $client0:.1f} s')"
}
report() { python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); print(f'{sys.argv[3]:<28} {s:8.2f} s  {float(sys.argv[4])/1e6/s:8.1f} MB/s')" "$@"; }
echo "data: $(python3 -c "print(round($bytes/1e6))") MB in $(echo $tables | wc -w) tables (pgbench scale $scale + wide + 1 MB values)"
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"

# The psql pipe, table by table; run before and after godwit's runs, and its mean is the
# reference (a shared machine's load drifts).
psql_pipe() { # name
  fresh "t_$1"; mark; a=$(now)
  for t in $tables; do psql -d src -c "COPY $t TO STDOUT (FORMAT binary)" | psql -q -d "t_$1" -c "COPY $t FROM STDIN (FORMAT binary)"; done
  b=$(now); spent "$1" >"$tmp/cpu"; report "$a" "$b" "psql binary pipe ($1)" "$bytes"; cat "$tmp/cpu"
  echo "  load average $(cut -d' ' -f1-3 /proc/loadavg)"
  eval "${1}_s=$(python3 -c "print($b-$a)")"
  psql -qc "DROP DATABASE t_$1"
}
# The data is made; from here on the link is shaped when asked.
if [ -n "$link" ]; then
  tc qdisc replace dev lo root tbf rate "$link" burst 1mb latency 100ms
  echo "loopback shaped to $link (GODWIT_BENCH_LINK)"
fi
psql_pipe psql_before

# Each godwit run: wall time, MB/s and peak RSS (/usr/bin/time -v's "Maximum resident set size").
godwit_run() { # name, extra args…
  local name=$1; shift
  fresh "t_$name"; mark; a=$(now)
  /usr/bin/time -v -o "$tmp/time_$name" env GODWIT_DATA_DIR="$tmp/gw" "$godwit" copy --source "$(url src)" --target "$(url "t_$name")" --jobs "$jobs" "$@" >"$tmp/$name.out" 2>"$tmp/godwit.err" || { cat "$tmp/$name.out" "$tmp/godwit.err"; exit 1; }
  b=$(now); spent "$name" >"$tmp/cpu"; report "$a" "$b" "godwit $*" "$bytes"; cat "$tmp/cpu"
  echo "  load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "  peak RSS $(( $(awk -F': ' '/Maximum resident/ {print $2}' "$tmp/time_$name") / 1024 )) MB; $(grep -h 'rows lost' "$tmp/$name.out")"
  eval "${name}_s=$(python3 -c "print($b-$a)")"
  psql -qc "DROP DATABASE t_$name"
}
# The pipe, --verify off and --verify hash (the bars) run in interleaved rounds; each one's median
# time and CPU time give its ratios, so that one slow run on a shared machine moves nothing.
median() { python3 -c "import statistics, sys; print(statistics.median(map(float, sys.argv[1:])))" "$@"; }
rounds=${GODWIT_BENCH_ROUNDS:-3}
pipe_t=("$psql_before_s"); pipe_c=("$psql_before_cpu"); off_t=(); off_c=(); hash_t=(); hash_c=()
for r in $(seq 1 "$rounds"); do
  echo "round $r of $rounds"
  godwit_run "off$r" --verify off; off_t+=("$(eval echo \$off${r}_s)"); off_c+=("$(eval echo \$off${r}_cpu)")
  godwit_run "hash$r" --verify hash; hash_t+=("$(eval echo \$hash${r}_s)"); hash_c+=("$(eval echo \$hash${r}_cpu)")
  psql_pipe "psql$r"; pipe_t+=("$(eval echo \$psql${r}_s)"); pipe_c+=("$(eval echo \$psql${r}_cpu)")
done
godwit_run count --verify count
godwit_run byclient --verify hash --hash-by-client
godwit_run key --chunk-by key --verify hash
godwit_run sample --verify sample
psql_s=$(median "${pipe_t[@]}"); psql_cpu=$(median "${pipe_c[@]}")
off_s=$(median "${off_t[@]}"); off_cpu=$(median "${off_c[@]}")
hash_s=$(median "${hash_t[@]}"); hash_cpu=$(median "${hash_c[@]}")
rounded() { python3 -c "import sys; print(' '.join(f'{float(v):.2f}' for v in sys.argv[1:]))" "$@"; }
echo "times (s): psql pipe $(rounded "${pipe_t[@]}"); --verify off $(rounded "${off_t[@]}"); --verify hash $(rounded "${hash_t[@]}")"

psql -qc "DROP DATABASE IF EXISTS t_dump" -c "CREATE DATABASE t_dump" -c CHECKPOINT; mark; a=$(now)
pg_dump -Fd -j "$jobs" -f "$tmp/dump" src && pg_restore -j "$jobs" -d t_dump "$tmp/dump"
b=$(now); spent dump >"$tmp/cpu"; report "$a" "$b" "pg_dump -Fd -j | pg_restore -j" "$bytes"; cat "$tmp/cpu"
dump_s=$(python3 -c "print($b-$a)")

if command -v pgloader >/dev/null; then
  fresh t_pgloader; mark; a=$(now)
  pgloader --quiet "$(url src)" "$(url t_pgloader)" >"$tmp/pgloader.log" 2>&1 || { echo "pgloader failed:"; tail -5 "$tmp/pgloader.log"; }
  b=$(now); spent pgloader >"$tmp/cpu"; report "$a" "$b" "pgloader" "$bytes"; cat "$tmp/cpu"
  pgloader_s=$(python3 -c "print($b-$a)")
else
  echo "pgloader: not installed (apt-get install pgloader), skipped"
fi
# One row of 247 MB (a 192 MB bytea and a 55 MB text, stored uncompressed): godwit's peak RSS
# does not grow with the values, and its time is printed against the psql pipe's for that table.
psql -qc "CREATE DATABASE srcrow"
psql -q -d srcrow <<SQL
CREATE TABLE huge (id int PRIMARY KEY, b bytea, t text);
ALTER TABLE huge ALTER b SET STORAGE EXTERNAL, ALTER t SET STORAGE EXTERNAL;
INSERT INTO huge SELECT 1, decode(repeat((SELECT string_agg(lpad(to_hex(x), 2, '0'), '') FROM generate_series(0, 255) x), 192 * 4096), 'hex'),
       repeat('Godwit wide row ', 55 * 65536);
INSERT INTO huge SELECT g, decode(md5(g::text), 'hex'), 'small' FROM generate_series(2, 1000) g;
VACUUM (FREEZE, ANALYZE) huge;
SQL
row_fresh() { psql -qc "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"; pg_dump -s srcrow | psql -q -d "$1" >/dev/null; psql -qc CHECKPOINT; }
row_fresh t_rowpipe; a=$(now)
psql -d srcrow -c "COPY huge TO STDOUT (FORMAT binary)" | psql -q -d t_rowpipe -c "COPY huge FROM STDIN (FORMAT binary)"
b=$(now); rowpipe_s=$(python3 -c "print($b-$a)")
row_fresh t_row; a=$(now)
/usr/bin/time -v -o "$tmp/time_row" env GODWIT_DATA_DIR="$tmp/gw" "$godwit" copy --source "$(url srcrow)" --target "$(url t_row)" --jobs "$jobs" --verify hash >"$tmp/row.out" 2>"$tmp/godwit.err" || { cat "$tmp/row.out" "$tmp/godwit.err"; exit 1; }
b=$(now); row_s=$(python3 -c "print($b-$a)")
row_rss=$(( $(awk -F': ' '/Maximum resident/ {print $2}' "$tmp/time_row") / 1024 ))
python3 -c "print(f'one 247 MB row: psql binary pipe {$rowpipe_s:.2f} s; godwit --verify hash {$row_s:.2f} s ({$rowpipe_s/$row_s:.2f}x the pipe), peak RSS $row_rss MB')"
echo "  $(grep -h 'rows lost' "$tmp/row.out")"

python3 -c "print(f'throughput vs the psql pipe (median of {len(\"${pipe_t[*]}\".split())} runs, {$psql_s:.2f} s; off and hash: medians of $rounds): --verify off {$psql_s/$off_s:.2f}x, count {$psql_s/$count_s:.2f}x, hash {$psql_s/$hash_s:.2f}x (hashed by godwit alone {$psql_s/$byclient_s:.2f}x), key+hash {$psql_s/$key_s:.2f}x, sample {$psql_s/$sample_s:.2f}x; pg_dump/restore {$psql_s/$dump_s:.2f}x')"
[ -n "${pgloader_s:-}" ] && python3 -c "print(f'pgloader {$psql_s/$pgloader_s:.2f}x the psql pipe')"
python3 -c "print(f'CPU time of the psql pipe (median {$psql_cpu:.1f} s) over each method\'s (medians for off and hash): --verify off {$psql_cpu/$off_cpu:.2f}x, count {$psql_cpu/$count_cpu:.2f}x, hash {$psql_cpu/$hash_cpu:.2f}x (by godwit alone {$psql_cpu/$byclient_cpu:.2f}x), key+hash {$psql_cpu/$key_cpu:.2f}x, sample {$psql_cpu/$sample_cpu:.2f}x; pg_dump/restore {$psql_cpu/$dump_cpu:.2f}x')"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
