-- Run history: every copy run and the chunks it completed. URLs are stored without passwords.
CREATE TABLE runs (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    source      TEXT NOT NULL,
    target      TEXT NOT NULL,
    options     TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'interrupted')),
    message     TEXT,
    started_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    finished_at TEXT
) STRICT;

CREATE TABLE run_chunks (
    run_id     TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    table_name TEXT NOT NULL,
    chunk      INTEGER NOT NULL,
    rows       INTEGER NOT NULL,
    bytes      INTEGER NOT NULL,
    done_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (run_id, table_name, chunk)
) STRICT;
