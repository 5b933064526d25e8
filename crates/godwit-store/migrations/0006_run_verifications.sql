-- The verification of a copy run as it stood when the run last finished, kept for review after the
-- program that ran it quit: how the tables were checked and that invocation's figures; per table the
-- counts on both sides, the hashes and what the checks found; and the rows named by key (lost, extra,
-- different with their columns), the chunks whose hashes differ and the ranges read again.
CREATE TABLE run_verifications (
    run_id        TEXT PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    level         TEXT NOT NULL CHECK (level IN ('off', 'count', 'hash', 'sample')),
    method        TEXT NOT NULL,
    chunks_copied INTEGER NOT NULL,
    chunks_total  INTEGER NOT NULL,
    rows_copied   INTEGER NOT NULL,
    bytes_copied  INTEGER NOT NULL,
    seconds       REAL NOT NULL,
    verified_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

CREATE TABLE run_verification_tables (
    run_id          TEXT NOT NULL REFERENCES run_verifications (run_id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    table_name      TEXT NOT NULL,
    source_rows     INTEGER NOT NULL,
    target_rows     INTEGER NOT NULL,
    rejected_rows   INTEGER NOT NULL,
    source_hash     TEXT,
    target_hash     TEXT,
    lost            INTEGER NOT NULL,
    extra           INTEGER NOT NULL,
    different       INTEGER NOT NULL,
    loss_percent    REAL NOT NULL,
    chunks_compared INTEGER NOT NULL,
    rows_sampled    INTEGER,
    sample_note     TEXT,
    rechecked       INTEGER NOT NULL CHECK (rechecked IN (0, 1)),
    PRIMARY KEY (run_id, table_name)
) STRICT;

-- kind: 'lost', 'extra' and 'different' rows by key (`id=7`; `columns` lists a different row's
-- differing columns, one per line), 'chunk' a chunk whose hashes differ, 'range' what was read again.
CREATE TABLE run_verification_rows (
    run_id     TEXT NOT NULL,
    table_name TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('lost', 'extra', 'different', 'chunk', 'range')),
    position   INTEGER NOT NULL,
    key        TEXT NOT NULL,
    columns    TEXT,
    PRIMARY KEY (run_id, table_name, kind, position),
    FOREIGN KEY (run_id, table_name) REFERENCES run_verification_tables (run_id, table_name) ON DELETE CASCADE
) STRICT;
