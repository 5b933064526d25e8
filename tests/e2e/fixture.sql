-- Fixture for the desktop end-to-end test: a tiny shop schema the Discovery screen must show.
-- Re-runnable: drops and recreates schema e2e_shop.
DROP SCHEMA IF EXISTS e2e_shop CASCADE;
CREATE SCHEMA e2e_shop;

CREATE TABLE e2e_shop.customers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE
);

CREATE TABLE e2e_shop.orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES e2e_shop.customers (id),
    placed_at timestamptz NOT NULL DEFAULT now(),
    total numeric(12, 2) NOT NULL CHECK (total >= 0)
);
CREATE INDEX orders_customer_idx ON e2e_shop.orders (customer_id);

CREATE VIEW e2e_shop.big_orders AS
    SELECT id, customer_id, total FROM e2e_shop.orders WHERE total > 100;

INSERT INTO e2e_shop.customers (email)
    SELECT 'customer' || n || '@example.test' FROM generate_series(1, 20) AS n;
INSERT INTO e2e_shop.orders (customer_id, total)
    SELECT 1 + n % 20, (n * 7 % 300)::numeric FROM generate_series(1, 500) AS n;
ANALYZE e2e_shop.customers;
ANALYZE e2e_shop.orders;
