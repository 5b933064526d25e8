REM Oracle install script for the desktop E2E test (Conversion screen): tables with constraints,
REM an index, a view with NVL, a CONNECT BY view asking for CONNECT_BY_ISCYCLE (not converted: the converter
REM turns CONNECT BY, NOCYCLE included, into recursive CTEs, but not CONNECT_BY_ISCYCLE), a procedure
REM with a GOTO (not converted) and some data.
SET ECHO OFF
PROMPT Creating the shop schema

CREATE TABLE customers
    ( customer_id   NUMBER(10)    CONSTRAINT customers_pk PRIMARY KEY
    , name          VARCHAR2(100) NOT NULL
    , email         VARCHAR2(200) CONSTRAINT customers_email_uq UNIQUE
    , credit_limit  NUMBER(12,2)  DEFAULT 0
    , created_on    DATE          DEFAULT SYSDATE NOT NULL
    ) TABLESPACE users;

CREATE TABLE orders
    ( order_id     NUMBER(10)   CONSTRAINT orders_pk PRIMARY KEY
    , customer_id  NUMBER(10)   NOT NULL CONSTRAINT orders_customer_fk REFERENCES customers
    , ordered_on   DATE         NOT NULL
    , status       VARCHAR2(10) DEFAULT 'NEW' CONSTRAINT orders_status_chk CHECK (status IN ('NEW', 'PAID', 'SHIPPED'))
    , total        NUMBER(12,2)
    , row_ref      ROWID
    , CONSTRAINT orders_total_chk CHECK (total >= 0) DISABLE
    );

CREATE TABLE categories
    ( category_id  NUMBER(6)    PRIMARY KEY
    , parent_id    NUMBER(6)    REFERENCES categories
    , label        VARCHAR2(50) NOT NULL
    );

CREATE INDEX orders_customer_ix ON orders (customer_id, ordered_on);

CREATE OR REPLACE VIEW customer_credit AS
  SELECT customer_id, name, NVL(credit_limit, 0) AS credit_limit
    FROM customers;

CREATE OR REPLACE VIEW category_tree AS
  SELECT category_id, label, LEVEL AS depth, CONNECT_BY_ISCYCLE AS looped
    FROM categories
   START WITH parent_id IS NULL
 CONNECT BY NOCYCLE PRIOR category_id = parent_id;

CREATE OR REPLACE PROCEDURE mark_paid (p_order_id IN NUMBER) AS
  CURSOR c IS SELECT order_id FROM orders WHERE order_id = p_order_id;
BEGIN
  FOR r IN c LOOP
    UPDATE orders SET status = 'PAID' WHERE order_id = r.order_id;
    GOTO done;
  END LOOP;
  <<done>>
  COMMIT;
END mark_paid;
/

INSERT INTO customers (customer_id, name, email, credit_limit) VALUES (1, 'Ada', 'ada@example.com', 500);
INSERT INTO customers (customer_id, name, email, credit_limit) VALUES (2, 'Brian', 'brian@example.com', NULL);
INSERT INTO orders (order_id, customer_id, ordered_on, total) VALUES (10, 1, DATE '2024-01-15', 99.5);
INSERT INTO categories (category_id, parent_id, label) VALUES (1, NULL, 'All');
COMMIT;
