#!/usr/bin/env python3
"""Writes fuzz/seeds/: small pieces (under 3 KB, cut at statement ends) of the shared Oracle corpora,
the seed corpus of the cargo-fuzz targets in fuzz/. Usage: scripts/fuzz-seeds.py [SHARED_DIR]"""
import pathlib, sys

root = pathlib.Path(__file__).resolve().parent.parent
shared = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else root.parent / "shared"
corpus = shared / "corpus" / "oracle"
out = root / "fuzz" / "seeds"
out.mkdir(parents=True, exist_ok=True)
FILES = [
    ("hr", "human_resources/hr_create.sql", 8),
    ("hr", "human_resources/hr_code.sql", 4),
    ("hr", "human_resources/hr_populate.sql", 2),
    ("co", "customer_orders/co_create.sql", 6),
    ("sh", "sales_history/sh_create.sql", 6),
    ("chinook", "ChinookDatabase/DataSources/Chinook_Oracle.sql", 4),
    ("sakila", "oracle-sakila-db/oracle-sakila-schema.sql", 6),
    ("sakila", "oracle-sakila-db/oracle-sakila-schema-pl-sql.sql", 4),
    ("logger", "source/tables/logger_logs.sql", 2),
    ("logger", "source/views/logger_logs_terse.sql", 1),
    ("alexandria", "setup/types.sql", 2),
]
LIMIT = 3000
for corpus_name, rel, count in FILES:
    text = (corpus / corpus_name / rel).read_text(encoding="utf-8", errors="replace")
    pieces, current = [], []
    for line in text.splitlines(keepends=True):
        current.append(line)
        stripped = line.strip()
        if stripped.endswith(";") or stripped == "/":
            piece = "".join(current)
            if len(piece) > LIMIT:
                current = []
                continue
            if pieces and len(pieces[-1]) + len(piece) <= LIMIT:
                pieces[-1] += piece
            else:
                pieces.append(piece)
            current = []
    stem = pathlib.Path(rel).stem
    for i, piece in enumerate(pieces[:count]):
        (out / f"{corpus_name}-{stem}-{i:02}.sql").write_text(piece, encoding="utf-8")
print(f"wrote {len(list(out.iterdir()))} seeds to {out}")
