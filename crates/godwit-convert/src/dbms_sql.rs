//! DBMS_SQL over PL/pgSQL's dynamic SQL: the `dbms_sql` helpers keep each cursor of the session in a
//! temporary table (statement, binds, described columns, open portal, current row), and the calls
//! of a converted routine become calls of those helpers.

use crate::cursor::text;
use crate::expr::Rewrite;
use crate::plsql::positional;
use godwit_oracle::Token;

/// The helpers' definitions. Binds are inlined in the statement as typed literals when it runs; a
/// query's columns are found by creating a temporary view of it; each fetched row is kept as the
/// text of its values (numbers as Oracle writes them), which COLUMN_VALUE casts to its variable's
/// type.
pub const HELPERS: &str = r#"DO $$ BEGIN CREATE TYPE godwit_compat.dbms_sql_desc_rec AS (col_type integer, col_max_len integer, col_name text, col_name_len integer, col_schema_name text, col_schema_name_len integer, col_precision integer, col_scale integer, col_charsetid integer, col_charsetform integer, col_null_ok boolean); EXCEPTION WHEN duplicate_object THEN NULL; END $$;
CREATE OR REPLACE FUNCTION godwit_compat.dbms_sql_state() RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF to_regclass('pg_temp.godwit_dbms_sql') IS NULL THEN
    EXECUTE 'CREATE TEMP TABLE godwit_dbms_sql (id serial PRIMARY KEY, statement text, binds jsonb NOT NULL DEFAULT ''{}'', names text[], types text[], typmods integer[], portal text, row_values text[], rows_fetched integer NOT NULL DEFAULT 0)';
  END IF;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.dbms_sql_open_cursor() RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  c integer;
BEGIN
  PERFORM godwit_compat.dbms_sql_state();
  EXECUTE 'INSERT INTO pg_temp.godwit_dbms_sql DEFAULT VALUES RETURNING id' INTO c;
  RETURN c;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.dbms_sql_is_open(c integer) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  found_it boolean;
BEGIN
  IF c IS NULL OR to_regclass('pg_temp.godwit_dbms_sql') IS NULL THEN
    RETURN false;
  END IF;
  EXECUTE 'SELECT EXISTS (SELECT FROM pg_temp.godwit_dbms_sql WHERE id = $1)' INTO found_it USING c;
  RETURN found_it;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.dbms_sql_check(c integer) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF NOT godwit_compat.dbms_sql_is_open(c) THEN
    RAISE EXCEPTION 'ORA-29471: DBMS_SQL access denied: cursor % is not open', c USING ERRCODE = '34000';
  END IF;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.dbms_sql_close_cursor(c integer) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  portal text;
BEGIN
  PERFORM godwit_compat.dbms_sql_check(c);
  EXECUTE 'DELETE FROM pg_temp.godwit_dbms_sql WHERE id = $1 RETURNING portal' INTO portal USING c;
  IF portal IS NOT NULL AND EXISTS (SELECT FROM pg_cursors WHERE name = portal) THEN
    EXECUTE format('CLOSE %I', portal);
  END IF;
  RETURN NULL;
END
$$;
-- The statement with each :name bind (outside string literals and quoted names) replaced by its value
-- as a typed literal.
CREATE OR REPLACE FUNCTION godwit_compat.dbms_sql_bound(c integer) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  sql text;
  binds jsonb;
  out text := '';
  k integer := 1;
  n integer;
  ch text;
  name text;
  quote text;
BEGIN
  EXECUTE 'SELECT statement, binds FROM pg_temp.godwit_dbms_sql WHERE id = $1' INTO sql, binds USING c;
  IF sql IS NULL THEN
    RAISE EXCEPTION 'ORA-01003: no statement parsed' USING ERRCODE = '26000';
  END IF;
  n := length(sql);
  WHILE k <= n LOOP
    ch := substr(sql, k, 1);
    IF ch IN ('''', '"') THEN
      quote := ch;
      out := out || ch;
      k := k + 1;
      WHILE k <= n AND substr(sql, k, 1) <> quote LOOP
        out := out || substr(sql, k, 1);
        k := k + 1;
      END LOOP;
      IF k <= n THEN
        out := out || quote;
        k := k + 1;
      END IF;
    ELSIF ch = ':' AND substr(sql, k + 1, 1) ~ '[A-Za-z0-9_]' THEN
      name := substring(substr(sql, k + 1) FROM '^[A-Za-z0-9_$#]+');
      IF NOT binds ? upper(name) THEN
        RAISE EXCEPTION 'ORA-01008: not all variables bound' USING ERRCODE = '07002';
      END IF;
      out := out || CASE WHEN binds -> upper(name) ->> 0 IS NULL THEN 'CAST(NULL AS ' || (binds -> upper(name) ->> 1) || ')'
        ELSE format('CAST(%L AS %s)', binds -> upper(name) ->> 0, binds -> upper(name) ->> 1) END;
      k := k + 1 + length(name);
    ELSE
      out := out || ch;
      k := k + 1;
    END IF;
  END LOOP;
  RETURN out;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.dbms_sql_parse(c integer, statement text) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM godwit_compat.dbms_sql_check(c);
  IF statement ~* '^\s*(begin|declare)\M' THEN
    RAISE EXCEPTION 'DBMS_SQL.PARSE of an anonymous PL/SQL block: PostgreSQL cannot run PL/SQL' USING ERRCODE = '0A000';
  END IF;
  EXECUTE 'UPDATE pg_temp.godwit_dbms_sql SET statement = $2, binds = ''{}'', names = NULL, types = NULL, typmods = NULL, row_values = NULL, rows_fetched = 0 WHERE id = $1'
    USING c, statement;
  -- Oracle runs DDL when it is parsed.
  IF statement ~* '^\s*(create|alter|drop|truncate|grant|revoke|comment|rename)\M' THEN
    EXECUTE statement;
  END IF;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.dbms_sql_bind_variable(c integer, name text, value anyelement) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM godwit_compat.dbms_sql_check(c);
  EXECUTE 'UPDATE pg_temp.godwit_dbms_sql SET binds = binds || jsonb_build_object(upper(ltrim($2, '':'')), jsonb_build_array($3, $4)) WHERE id = $1'
    USING c, name, value::text, pg_typeof(value)::text;
END
$$;
-- A literal string (of unknown type to PostgreSQL) is bound as text.
CREATE OR REPLACE FUNCTION godwit_compat.dbms_sql_bind_variable(c integer, name text, value text) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM godwit_compat.dbms_sql_check(c);
  EXECUTE 'UPDATE pg_temp.godwit_dbms_sql SET binds = binds || jsonb_build_object(upper(ltrim($2, '':'')), jsonb_build_array($3, ''text'')) WHERE id = $1'
    USING c, name, value;
END
$$;
-- The columns of the parsed query: names, types and typmods, found by creating a temporary view.
CREATE OR REPLACE FUNCTION godwit_compat.dbms_sql_describe(c integer) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  view_name text := 'godwit_dbms_sql_describe_' || c;
BEGIN
  PERFORM godwit_compat.dbms_sql_check(c);
  EXECUTE format('CREATE TEMP VIEW %I AS %s', view_name, godwit_compat.dbms_sql_bound(c));
  EXECUTE format($q$UPDATE pg_temp.godwit_dbms_sql SET
      names = (SELECT array_agg(attname::text ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'pg_temp.%I'::regclass AND attnum > 0),
      types = (SELECT array_agg(format_type(atttypid, NULL) ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'pg_temp.%I'::regclass AND attnum > 0),
      typmods = (SELECT array_agg(atttypmod ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'pg_temp.%I'::regclass AND attnum > 0)
    WHERE id = $1$q$, view_name, view_name, view_name) USING c;
  EXECUTE format('DROP VIEW pg_temp.%I', view_name);
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.dbms_sql_execute(c integer) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  sql text;
  names text[];
  portal text := 'godwit_dbms_sql_' || c;
  cur refcursor;
  n integer;
BEGIN
  PERFORM godwit_compat.dbms_sql_check(c);
  sql := godwit_compat.dbms_sql_bound(c);
  IF sql ~* '^\s*(select|with)\M' THEN
    PERFORM godwit_compat.dbms_sql_describe(c);
    EXECUTE 'SELECT names FROM pg_temp.godwit_dbms_sql WHERE id = $1' INTO names USING c;
    IF EXISTS (SELECT FROM pg_cursors WHERE name = portal) THEN
      EXECUTE format('CLOSE %I', portal);
    END IF;
    cur := portal;
    -- Each row as the text of its values, numbers written as Oracle writes them.
    OPEN cur FOR EXECUTE format('SELECT ARRAY[%s]::text[] FROM (%s) godwit_q',
      (SELECT string_agg(format('godwit_compat.oracle_text(godwit_q.%I)', x), ', ' ORDER BY i) FROM unnest(names) WITH ORDINALITY u(x, i)),
      sql);
    EXECUTE 'UPDATE pg_temp.godwit_dbms_sql SET portal = $2, row_values = NULL, rows_fetched = 0 WHERE id = $1' USING c, portal;
    RETURN 0;
  ELSIF sql ~* '^\s*(create|alter|drop|truncate|grant|revoke|comment|rename)\M' THEN
    RETURN 0;
  END IF;
  EXECUTE sql;
  GET DIAGNOSTICS n = ROW_COUNT;
  EXECUTE 'UPDATE pg_temp.godwit_dbms_sql SET rows_fetched = $2 WHERE id = $1' USING c, n;
  RETURN n;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.dbms_sql_fetch_rows(c integer) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  portal text;
  cur refcursor;
  row_values text[];
BEGIN
  PERFORM godwit_compat.dbms_sql_check(c);
  EXECUTE 'SELECT portal FROM pg_temp.godwit_dbms_sql WHERE id = $1' INTO portal USING c;
  IF portal IS NULL OR NOT EXISTS (SELECT FROM pg_cursors WHERE name = portal) THEN
    RAISE EXCEPTION 'ORA-01002: fetch out of sequence' USING ERRCODE = '24000';
  END IF;
  cur := portal;
  FETCH cur INTO row_values;
  IF NOT FOUND THEN
    EXECUTE 'UPDATE pg_temp.godwit_dbms_sql SET row_values = NULL WHERE id = $1' USING c;
    RETURN 0;
  END IF;
  EXECUTE 'UPDATE pg_temp.godwit_dbms_sql SET row_values = $2, rows_fetched = rows_fetched + 1 WHERE id = $1' USING c, row_values;
  RETURN 1;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.dbms_sql_column_value(c integer, pos integer, target anyelement) RETURNS anyelement
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  row_values text[];
  names text[];
  result target%TYPE;
BEGIN
  PERFORM godwit_compat.dbms_sql_check(c);
  EXECUTE 'SELECT row_values, names FROM pg_temp.godwit_dbms_sql WHERE id = $1' INTO row_values, names USING c;
  IF pos IS NULL OR pos < 1 OR pos > coalesce(cardinality(names), 0) THEN
    RAISE EXCEPTION 'ORA-01007: variable not in select list' USING ERRCODE = '42703';
  END IF;
  IF row_values IS NULL THEN
    RAISE EXCEPTION 'ORA-01002: fetch out of sequence' USING ERRCODE = '24000';
  END IF;
  EXECUTE format('SELECT CAST($1 AS %s)', pg_typeof(target)) INTO result USING row_values[pos];
  RETURN result;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.dbms_sql_define_column(c integer, pos integer) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM godwit_compat.dbms_sql_check(c);
  IF pos IS NULL OR pos < 1 THEN
    RAISE EXCEPTION 'ORA-01007: variable not in select list' USING ERRCODE = '42703';
  END IF;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.dbms_sql_last_row_count(c integer) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  n integer;
BEGIN
  PERFORM godwit_compat.dbms_sql_check(c);
  EXECUTE 'SELECT rows_fetched FROM pg_temp.godwit_dbms_sql WHERE id = $1' INTO n USING c;
  RETURN n;
END
$$;
-- DESCRIBE_COLUMNS: Oracle's type codes, lengths, precision and scale of the converted types; a name
-- PostgreSQL folded to lower case is upper case, as Oracle folds it.
CREATE OR REPLACE FUNCTION godwit_compat.dbms_sql_describe_columns(c integer, OUT col_cnt integer, OUT desc_t godwit_compat.dbms_sql_desc_rec[]) RETURNS record
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  names text[];
  types text[];
  typmods integer[];
BEGIN
  PERFORM godwit_compat.dbms_sql_describe(c);
  EXECUTE 'SELECT names, types, typmods FROM pg_temp.godwit_dbms_sql WHERE id = $1' INTO names, types, typmods USING c;
  SELECT count(*), coalesce(array_agg(ROW(
      CASE t WHEN 'character varying' THEN 1 WHEN 'text' THEN 112 WHEN 'character' THEN 96
        WHEN 'numeric' THEN 2 WHEN 'integer' THEN 2 WHEN 'bigint' THEN 2 WHEN 'smallint' THEN 2
        WHEN 'real' THEN 100 WHEN 'double precision' THEN 101
        WHEN 'timestamp without time zone' THEN CASE WHEN m = 0 THEN 12 ELSE 180 END
        WHEN 'timestamp with time zone' THEN 181 WHEN 'date' THEN 12
        WHEN 'interval' THEN 183 WHEN 'bytea' THEN 113 WHEN 'xml' THEN 109 WHEN 'boolean' THEN 252
        ELSE 1 END,
      CASE WHEN t IN ('character varying', 'character') THEN CASE WHEN m > 4 THEN m - 4 ELSE 4000 END
        WHEN t IN ('numeric', 'integer', 'bigint', 'smallint') THEN 22
        WHEN t IN ('date') OR (t = 'timestamp without time zone' AND m = 0) THEN 7
        WHEN t LIKE 'timestamp%' THEN 11
        WHEN t IN ('text', 'bytea', 'xml') THEN 4000
        ELSE 0 END,
      CASE WHEN n = lower(n) THEN upper(n) ELSE n END,
      length(CASE WHEN n = lower(n) THEN upper(n) ELSE n END),
      '', 0,
      CASE WHEN t = 'numeric' AND m > 0 THEN ((m - 4) >> 16) & 65535 WHEN t = 'numeric' THEN 0
        WHEN t IN ('integer', 'bigint', 'smallint') THEN NULL ELSE 0 END,
      CASE WHEN t = 'numeric' AND m > 0 THEN (m - 4) & 65535 WHEN t = 'numeric' THEN -127 ELSE 0 END,
      CASE WHEN t IN ('character varying', 'character', 'text') THEN
        CASE getdatabaseencoding() WHEN 'UTF8' THEN 873 WHEN 'LATIN1' THEN 31 WHEN 'WIN1252' THEN 178 WHEN 'SQL_ASCII' THEN 1 END
        ELSE 0 END,
      CASE WHEN t IN ('character varying', 'character', 'text') THEN 1 ELSE 0 END,
      true)::godwit_compat.dbms_sql_desc_rec ORDER BY i), '{}')
    INTO col_cnt, desc_t
    FROM unnest(names, types, typmods) WITH ORDINALITY u(n, t, m, i);
END
$$"#;

/// What a finding says about converted DBMS_SQL calls.
const NOTE: &str = "DBMS_SQL runs the statement text it is given at run time as PostgreSQL SQL (text built at run time is not converted: Oracle-only syntax in it fails when it runs); binds are put in the statement as typed literals; DESCRIBE_COLUMNS gives Oracle's type codes for the converted column types and names folded to upper case; COL_NULL_OK is always TRUE, and the precision of a NUMBER(p) that became smallint, integer or bigint is not known (NULL)";

/// Notes the helpers and the finding.
pub(crate) fn uses(rewrite: &mut Rewrite) {
    // Rows are read as text through oracle_text, which the `concat` helpers define.
    rewrite.helpers.insert("concat");
    rewrite.helpers.insert("dbms_sql");
    if !rewrite.notes.iter().any(|(_, n)| n == NOTE) {
        rewrite.notes.push(("GW-PLSQL-DBMS-SQL", NOTE.into()));
    }
}

/// A DBMS_SQL procedure call at `i` (a statement): the replacement and the position after it.
/// OPEN_CURSOR, EXECUTE, FETCH_ROWS and IS_OPEN are functions (see `Rewrite::call`).
pub(crate) fn procedure_call(
    tokens: &[Token],
    i: usize,
    rewrite: &mut Rewrite,
) -> Result<(String, usize), String> {
    let procedure = tokens.get(i + 2).map(|m| m.upper()).unwrap_or_default();
    let (args, after) = crate::plsql::call_arguments(tokens, i)?;
    let names: &[&str] = match procedure.as_str() {
        "PARSE" => &["C", "STATEMENT", "LANGUAGE_FLAG"],
        "BIND_VARIABLE" => &["C", "NAME", "VALUE", "OUT_VALUE_SIZE"],
        "DEFINE_COLUMN" => &["C", "POSITION", "COLUMN", "COLUMN_SIZE"],
        "COLUMN_VALUE" => &["C", "POSITION", "VALUE"],
        "DESCRIBE_COLUMNS" | "DESCRIBE_COLUMNS2" => &["C", "COL_CNT", "DESC_T"],
        _ => &["C"],
    };
    let args = positional(&args, names).ok_or_else(|| {
        format!(
            "dbms_sql.{} with arguments not understood",
            procedure.to_lowercase()
        )
    })?;
    let compat = crate::compat::SCHEMA;
    // Cursor ids and positions are integers; an INTEGER variable is numeric(38,0) here.
    let int = |t: &[Token]| format!("pg_catalog.int4({})", text(t));
    let replacement = match (procedure.as_str(), args.as_slice()) {
        ("PARSE", [c, statement, ..]) => format!(
            "PERFORM {compat}.dbms_sql_parse({}, CAST(({}) AS text))",
            int(c),
            text(statement)
        ),
        ("BIND_VARIABLE", [c, name, value, ..]) => format!(
            "PERFORM {compat}.dbms_sql_bind_variable({}, CAST(({}) AS text), {})",
            int(c),
            text(name),
            text(value)
        ),
        ("DEFINE_COLUMN", [c, position, ..]) => format!(
            "PERFORM {compat}.dbms_sql_define_column({}, {})",
            int(c),
            int(position)
        ),
        ("COLUMN_VALUE", [c, position, value]) => format!(
            "{} := {compat}.dbms_sql_column_value({}, {}, {})",
            text(value),
            int(c),
            int(position),
            text(value)
        ),
        ("DESCRIBE_COLUMNS" | "DESCRIBE_COLUMNS2", [c, count, described]) => format!(
            "SELECT d.col_cnt, d.desc_t INTO {}, {} FROM {compat}.dbms_sql_describe_columns({}) d",
            text(count),
            text(described),
            int(c)
        ),
        ("CLOSE_CURSOR", [c]) => {
            format!("{} := {compat}.dbms_sql_close_cursor({})", text(c), int(c))
        }
        _ => {
            return Err(format!(
                "package call dbms_sql.{} is not converted yet",
                procedure.to_lowercase()
            ))
        }
    };
    uses(rewrite);
    Ok((replacement, after))
}
