#!/usr/bin/env bash
# Peak memory of `godwit convert` on a generated Oracle script of SIZE_MB megabytes (default 50): many
# CREATE TABLE statements, each followed by INSERTs (the shape of crates/godwit-convert/tests/bad_input.rs's
# 50 MB test). Prints the input size, wall time, peak RSS (VmHWM through /usr/bin/time -v) and peak RSS
# as a multiple of the input size; exits 1 when that ratio exceeds MAX_RATIO (default 9: 6.0 was measured
# at 50 MB, 19-30 s on 2 cores), so a memory regression fails the run. Peak memory grows linearly,
# about 27 MB plus 5.5 x the input (82 MB at 10 MB, 178 MB at 25 MB, 302 MB at 50 MB), so smaller inputs
# show higher ratios: the default limit is meant for the default size.
#
# Usage: scripts/bench-convert-memory.sh [SIZE_MB]
#   GODWIT_BIN=path/to/godwit   use this binary instead of building target/release/godwit
#   MAX_RATIO=N                  fail above N × the input size
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb="${1:-50}"
max_ratio="${MAX_RATIO:-9}"
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
bin="${GODWIT_BIN:-}"
if [ -z "$bin" ]; then
    cargo build --release -p godwit-cli >&2
    bin=target/release/godwit
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
input="$work/big.sql"
awk -v target=$((size_mb * 1048576)) -v rows=400 'BEGIN {
    written = 0
    for (t = 0; written < target; t++) {
        name = "big_" t
        s = "CREATE TABLE " name " (\n  id NUMBER(10) NOT NULL,\n  label VARCHAR2(80 CHAR) DEFAULT '\''none'\'' NOT NULL,\n  amount NUMBER(12,2),\n  made DATE DEFAULT SYSDATE,\n  note CLOB,\n  CONSTRAINT " name "_pk PRIMARY KEY (id),\n  CONSTRAINT " name "_ck CHECK (amount >= 0)\n);\nCOMMENT ON TABLE " name " IS '\''Table " name "'\'';\n"
        printf "%s", s; written += length(s)
        for (r = 0; r < rows; r++) {
            s = sprintf("INSERT INTO %s (id, label, amount, made, note) VALUES (%d, '\''row %d of %s; it'\'''\''s here'\'', %d.25, TO_DATE('\''2024-01-%02d'\'', '\''YYYY-MM-DD'\''), q'\''[a note; with (parentheses)]'\'');\n", name, r, r, name, r, r % 28 + 1)
            printf "%s", s; written += length(s)
        }
        printf "COMMIT;\n"; written += 8
    }
}' > "$input"
input_bytes=$(stat -c %s "$input")
/usr/bin/time -v "$bin" convert --from oracle "$input" -o "$work/out.sql" --report "$work/report.json" \
    2> "$work/time.txt" >/dev/null || { cat "$work/time.txt" >&2; exit 1; }
peak_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt")
grep -E '^converted' "$work/time.txt" || true
awk -v in_b="$input_bytes" -v peak_kb="$peak_kb" -v wall="$wall" -v max="$max_ratio" -v out_b="$(stat -c %s "$work/out.sql")" 'BEGIN {
    ratio = peak_kb * 1024 / in_b
    printf "input %.1f MB, output %.1f MB, wall %s, peak RSS %.0f MB = %.2f x the input (limit %s x)\n", in_b / 1048576, out_b / 1048576, wall, peak_kb / 1024, ratio, max
    exit (ratio > max) ? 1 : 0
}'
