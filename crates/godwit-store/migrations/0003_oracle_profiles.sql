-- Oracle profiles: a live Oracle database ('oracle') and an Oracle script source ('oracle_script': a .sql
-- file or a folder of scripts, read offline). SQLite cannot change a CHECK constraint in place, so the
-- table is rebuilt with the same columns and every existing row copied as it is.
--
-- Meaning of the columns per engine (secrets never live here):
--   postgres       host, port (1-65535), database, username
--   oracle         username; host, port (1-65535) and database = service name (EZConnect),
--                  or host = '' and database = a TNS alias (tnsnames.ora), port 0
--   oracle_script  database = path of the .sql file or folder; host = '', port 0, username = ''
CREATE TABLE profiles_v3 (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    engine      TEXT NOT NULL CHECK (engine IN ('postgres', 'oracle', 'oracle_script')),
    host        TEXT NOT NULL,
    port        INTEGER NOT NULL CHECK (port BETWEEN 0 AND 65535),
    database    TEXT NOT NULL,
    username    TEXT NOT NULL,
    environment TEXT NOT NULL CHECK (environment IN ('dev', 'test', 'prod')),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CHECK (port > 0 OR engine = 'oracle_script' OR (engine = 'oracle' AND host = ''))
) STRICT;

INSERT INTO profiles_v3 (id, name, engine, host, port, database, username, environment, created_at, updated_at)
SELECT id, name, engine, host, port, database, username, environment, created_at, updated_at FROM profiles;

DROP TABLE profiles;

ALTER TABLE profiles_v3 RENAME TO profiles;
