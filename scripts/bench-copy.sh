#!/usr/bin/env bash
# Copy throughput, PostgreSQL → PostgreSQL, all methods in one run on one throwaway cluster:
#   godwit copy (--verify count, --verify hash, --chunk-by key), psql COPY binary pipe table by table (the single-stream reference),
#   pg_dump -Fd -j | pg_restore -j, and pgloader when installed (Debian package pgloader).
#   scripts/bench-copy.sh [PGBENCH_SCALE=60] [JOBS=4]
# Scale 60 is about 1 GB with the wide table. Prints seconds, MB/s and ratios to the psql pipe, and
# godwit's peak RSS.
set -euo pipefail
scale=${1:-60}
jobs=${2:-4}
repo=$(cd "$(dirname "$0")/.." && pwd)
cargo build --release -q -p godwit-cli --manifest-path "$repo/Cargo.toml"
godwit=$repo/target/release/godwit
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
tmp=$(mktemp -d); chmod 755 "$tmp"
run=(); [ "$(id -u)" = 0 ] && { chown postgres "$tmp"; run=(runuser -u postgres --); }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"${run[@]}" "$bin/initdb" -D "$tmp/data" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
"${run[@]}" "$bin/pg_ctl" -D "$tmp/data" -o "-p $port -k $tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_wal_size=4GB -c shared_buffers=512MB" -l "$tmp/log" -w start >/dev/null
trap '"${run[@]}" "$bin/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null; rm -rf "$tmp"' EXIT
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres
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
ANALYZE;
SQL
bytes=$(psql -Atd src -c "SELECT sum(pg_table_size(c.oid)) FROM pg_class c WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace")
tables=$(psql -Atd src -c "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY 1")
fresh() { psql -qc "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"; pg_dump -s src | psql -q -d "$1" >/dev/null; }
now() { date +%s.%N; }
report() { python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); print(f'{sys.argv[3]:<28} {s:8.2f} s  {float(sys.argv[4])/1e6/s:8.1f} MB/s')" "$@"; }
echo "data: $(python3 -c "print(round($bytes/1e6))") MB in $(echo $tables | wc -w) tables (pgbench scale $scale + wide + 1 MB values)"

fresh t_psql; a=$(now)
for t in $tables; do psql -d src -c "COPY $t TO STDOUT (FORMAT binary)" | psql -q -d t_psql -c "COPY $t FROM STDIN (FORMAT binary)"; done
b=$(now); report "$a" "$b" "psql binary pipe" "$bytes" | tee "$tmp/psql.txt"
psql_s=$(python3 -c "print($b-$a)")

fresh t_godwit; a=$(now)
/usr/bin/time -f "%M" -o "$tmp/rss" env GODWIT_DATA_DIR="$tmp/gw" "$godwit" copy --source "$(url src)" --target "$(url t_godwit)" --jobs "$jobs" >/dev/null 2>"$tmp/godwit.err" || { cat "$tmp/godwit.err"; exit 1; }
b=$(now); report "$a" "$b" "godwit copy (--jobs $jobs)" "$bytes"
godwit_s=$(python3 -c "print($b-$a)")
echo "godwit peak RSS: $(( $(cat "$tmp/rss") / 1024 )) MB"

fresh t_godwit_hash; a=$(now)
env GODWIT_DATA_DIR="$tmp/gw" "$godwit" copy --source "$(url src)" --target "$(url t_godwit_hash)" --jobs "$jobs" --verify hash >/dev/null 2>"$tmp/godwit.err" || { cat "$tmp/godwit.err"; exit 1; }
b=$(now); report "$a" "$b" "godwit copy --verify hash" "$bytes"
hash_s=$(python3 -c "print($b-$a)")

fresh t_godwit_key; a=$(now)
env GODWIT_DATA_DIR="$tmp/gw" "$godwit" copy --source "$(url src)" --target "$(url t_godwit_key)" --jobs "$jobs" --chunk-by key >/dev/null 2>"$tmp/godwit.err" || { cat "$tmp/godwit.err"; exit 1; }
b=$(now); report "$a" "$b" "godwit copy --chunk-by key" "$bytes"
key_s=$(python3 -c "print($b-$a)")

psql -qc "DROP DATABASE IF EXISTS t_dump" -c "CREATE DATABASE t_dump"; a=$(now)
pg_dump -Fd -j "$jobs" -f "$tmp/dump" src && pg_restore -j "$jobs" -d t_dump "$tmp/dump"
b=$(now); report "$a" "$b" "pg_dump -Fd -j | pg_restore -j" "$bytes"
dump_s=$(python3 -c "print($b-$a)")

if command -v pgloader >/dev/null; then
  fresh t_pgloader; a=$(now)
  pgloader --quiet "$(url src)" "$(url t_pgloader)" >/dev/null 2>&1 || echo "pgloader failed"
  b=$(now); report "$a" "$b" "pgloader" "$bytes"
else
  echo "pgloader: not installed (apt-get install pgloader), skipped"
fi
python3 -c "print(f'ratio godwit/psql-pipe throughput: {$psql_s/$godwit_s:.2f}x (--verify hash: {$psql_s/$hash_s:.2f}x, --chunk-by key: {$psql_s/$key_s:.2f}x)   godwit vs pg_dump/restore: {$dump_s/$godwit_s:.2f}x')"
