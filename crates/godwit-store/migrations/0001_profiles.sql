-- Connection profiles. Secrets (passwords) are never stored here: they live in the OS keyring.
CREATE TABLE profiles (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    engine      TEXT NOT NULL CHECK (engine IN ('postgres')),
    host        TEXT NOT NULL,
    port        INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
    database    TEXT NOT NULL,
    username    TEXT NOT NULL,
    environment TEXT NOT NULL CHECK (environment IN ('dev', 'test', 'prod')),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
