#!/usr/bin/env bash
# Scores `godwit convert --from oracle` on every shared Oracle corpus with pgscore and prints the table.
#   scripts/score-conversion.sh [SHARED_DIR] [OUT_DIR]
# SHARED_DIR holds corpus/oracle and tools/pgscore (default: ../shared next to the repository).
# PostgreSQL: the server the PG* variables name, or else a throwaway cluster started here.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
shared=${1:-$repo/../shared}
out=${2:-$(mktemp -d)}
mkdir -p "$out"
cargo build --release -q -p godwit-cli --manifest-path "$repo/Cargo.toml"
godwit=$repo/target/release/godwit

if [ -z "${PGHOST:-}" ]; then
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  tmp=$(mktemp -d); chmod 755 "$tmp"
  run=(); [ "$(id -u)" = 0 ] && { chown postgres "$tmp"; run=(runuser -u postgres --); }
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "${run[@]}" "$bin/initdb" -D "$tmp/data" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
  "${run[@]}" "$bin/pg_ctl" -D "$tmp/data" -o "-p $port -k $tmp -c listen_addresses=127.0.0.1 -c fsync=off" -l "$tmp/log" -w start >/dev/null
  trap '"${run[@]}" "$bin/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null; rm -rf "$tmp"' EXIT
  export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres
fi

# Speed: every corpus converted, timed in this process (release build).
start=$(date +%s.%N)
for corpus in "$shared"/corpus/oracle/*/; do
  "$godwit" convert --from oracle "$corpus" -o "$out/$(basename "$corpus").sql" 2>/dev/null
done
end=$(date +%s.%N)
bytes=$(cat "$shared"/corpus/oracle/*/files.txt | wc -l)
lines=0
for corpus in "$shared"/corpus/oracle/*/; do
  while read -r f; do [ -n "$f" ] && lines=$((lines + $(wc -l < "$corpus/$f"))); done < "$corpus/files.txt"
done
python3 -c "import sys; t=$end-$start; print(f'converted all corpora ({sys.argv[1]} lines) in {t:.2f} s with 7 process starts: {int(sys.argv[1])/t:,.0f} lines/s')" "$lines"

for corpus in "$shared"/corpus/oracle/*/; do
  name=$(basename "$corpus")
  "$shared/tools/pgscore" "$corpus" --converter "$godwit convert --from oracle {in} -o {out} --report {workdir}/report.json" \
    --workdir "$out/$name" --json "$out/$name.json" 2>&1 | tail -1
done
"$shared/tools/pgscore-table" "$out"/*.json

# The check on the target: each corpus converted again with --check-on an empty database, so that every
# routine is created with check_function_bodies on and run through plpgsql_check (when the server has
# it) in a rolled-back transaction; what the server refuses is left out and counted here.
echo
echo "| corpus | routines passing plpgsql_check | left out with the server's error |"
echo "|---|---|---|"
for corpus in "$shared"/corpus/oracle/*/; do
  name=$(basename "$corpus")
  db="godwit_check_$name"
  psql -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null 2>&1
  line=$("$godwit" convert --from oracle "$corpus" -o /dev/null \
    --check-on "postgresql://${PGUSER:-postgres}@$PGHOST:$PGPORT/$db" 2>&1 | grep '^checked on' || true)
  passed=$(sed -n 's/.* \([0-9]*\) routines passed plpgsql_check.*/\1/p' <<<"$line")
  left=$(sed -n 's/.*; \([0-9]*\) left out.*/\1/p' <<<"$line")
  echo "| $name | ${passed:-?} | ${left:-?} |"
  psql -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
done
