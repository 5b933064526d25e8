-- Fixture for the desktop end-to-end copy: schema e2e_copy with a table large enough to span a few
-- hundred one-page chunks, and a small one. Run with -v with_data=1 in the source database and
-- -v with_data=0 in the target database (the same tables, empty: the copy fills existing tables).
-- Re-runnable: drops and recreates schema e2e_copy.
DROP SCHEMA IF EXISTS e2e_copy CASCADE;
CREATE SCHEMA e2e_copy;

CREATE TABLE e2e_copy.items (
    id bigint PRIMARY KEY,
    name text NOT NULL,
    qty integer NOT NULL,
    price numeric(10, 2),
    added timestamptz NOT NULL
);

CREATE TABLE e2e_copy.notes (
    id integer PRIMARY KEY,
    body text
);

\if :with_data
INSERT INTO e2e_copy.items (id, name, qty, price, added)
    SELECT n, 'item ' || n, n % 97, CASE WHEN n % 11 = 0 THEN NULL ELSE (n % 1000) / 4.0 END,
           timestamptz '2026-01-01 00:00+00' + n * interval '1 minute'
    FROM generate_series(1, 30000) AS n;
INSERT INTO e2e_copy.notes (id, body)
    SELECT n, CASE WHEN n % 7 = 0 THEN NULL ELSE repeat('note ', n % 20) END FROM generate_series(1, 500) AS n;
ANALYZE e2e_copy.items;
ANALYZE e2e_copy.notes;
\endif
