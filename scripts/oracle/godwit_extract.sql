REM godwit_extract.sql: writes the DDL of one Oracle schema to a script that Godwit converts offline
REM (godwit convert --from oracle FILE -o OUT.sql). Needs only SELECT_CATALOG_ROLE (or the schema's own
REM user). Data is not exported: Godwit copies rows itself.
REM
REM   sqlplus -S -L user/password@//host:1521/service @godwit_extract.sql HR hr_ddl.sql
REM
REM Not yet run against a live Oracle by Godwit's own tests: no Oracle server can run in our test
REM environment. Report problems with the SQL*Plus output attached.

SET LONG 2000000000 LONGCHUNKSIZE 32767 PAGESIZE 0 LINESIZE 32767 TRIMSPOOL ON TRIMOUT ON
SET FEEDBACK OFF HEADING OFF VERIFY OFF TERMOUT OFF ECHO OFF TAB OFF
WHENEVER SQLERROR EXIT SQL.SQLCODE
DEFINE godwit_schema = "&1"
DEFINE godwit_file = "&2"

BEGIN
  DBMS_METADATA.SET_TRANSFORM_PARAM(DBMS_METADATA.SESSION_TRANSFORM, 'SQLTERMINATOR', TRUE);
  DBMS_METADATA.SET_TRANSFORM_PARAM(DBMS_METADATA.SESSION_TRANSFORM, 'PRETTY', TRUE);
  DBMS_METADATA.SET_TRANSFORM_PARAM(DBMS_METADATA.SESSION_TRANSFORM, 'SEGMENT_ATTRIBUTES', FALSE);
  DBMS_METADATA.SET_TRANSFORM_PARAM(DBMS_METADATA.SESSION_TRANSFORM, 'STORAGE', FALSE);
  DBMS_METADATA.SET_TRANSFORM_PARAM(DBMS_METADATA.SESSION_TRANSFORM, 'CONSTRAINTS_AS_ALTER', TRUE);
  DBMS_METADATA.SET_TRANSFORM_PARAM(DBMS_METADATA.SESSION_TRANSFORM, 'REF_CONSTRAINTS', TRUE);
  DBMS_METADATA.SET_TRANSFORM_PARAM(DBMS_METADATA.SESSION_TRANSFORM, 'EMIT_SCHEMA', FALSE);
END;
/

SPOOL &godwit_file

SELECT '-- Godwit extraction of schema ' || UPPER('&godwit_schema') || ' at ' || TO_CHAR(SYSTIMESTAMP, 'YYYY-MM-DD HH24:MI:SS TZH:TZM') FROM dual;

-- Objects in creation order; indexes that a key constraint creates, tables behind materialized views,
-- secondary and recycle-bin objects are left to their owners.
SELECT DBMS_METADATA.GET_DDL(md_type, object_name, owner)
  FROM (SELECT o.owner, o.object_name,
               DECODE(o.object_type, 'PACKAGE', 'PACKAGE_SPEC', 'TYPE', 'TYPE_SPEC', 'PACKAGE BODY', 'PACKAGE_BODY',
                      'TYPE BODY', 'TYPE_BODY', 'MATERIALIZED VIEW', 'MATERIALIZED_VIEW', o.object_type) AS md_type,
               DECODE(o.object_type, 'SEQUENCE', 1, 'TYPE', 2, 'TABLE', 3, 'INDEX', 4, 'VIEW', 5, 'MATERIALIZED VIEW', 6,
                      'PACKAGE', 7, 'TYPE BODY', 8, 'FUNCTION', 9, 'PROCEDURE', 10, 'PACKAGE BODY', 11, 'TRIGGER', 12,
                      'SYNONYM', 13, 99) AS creation_rank,
               o.created
          FROM all_objects o
         WHERE o.owner = UPPER('&godwit_schema')
           AND o.object_type IN ('SEQUENCE', 'TYPE', 'TABLE', 'INDEX', 'VIEW', 'MATERIALIZED VIEW', 'PACKAGE',
                                 'TYPE BODY', 'FUNCTION', 'PROCEDURE', 'PACKAGE BODY', 'TRIGGER', 'SYNONYM')
           AND o.secondary = 'N'
           AND o.generated = 'N'
           AND o.object_name NOT LIKE 'BIN$%'
           AND NOT (o.object_type = 'TABLE' AND EXISTS (SELECT 1 FROM all_mviews m WHERE m.owner = o.owner AND m.mview_name = o.object_name))
           AND NOT (o.object_type = 'INDEX' AND EXISTS (SELECT 1 FROM all_constraints c
                                                         WHERE c.owner = o.owner AND c.index_name = o.object_name
                                                           AND c.constraint_type IN ('P', 'U')))
           AND NOT (o.object_type = 'INDEX' AND EXISTS (SELECT 1 FROM all_indexes i
                                                         WHERE i.owner = o.owner AND i.index_name = o.object_name
                                                           AND i.index_type IN ('LOB', 'IOT - TOP'))))
 ORDER BY creation_rank, created, object_name;

-- Comments, written directly (GET_DEPENDENT_DDL fails on tables without comments).
SELECT 'COMMENT ON TABLE "' || owner || '"."' || table_name || '" IS ''' || REPLACE(comments, '''', '''''') || ''';'
  FROM all_tab_comments
 WHERE owner = UPPER('&godwit_schema') AND comments IS NOT NULL AND table_name NOT LIKE 'BIN$%'
 ORDER BY table_name;
SELECT 'COMMENT ON COLUMN "' || owner || '"."' || table_name || '"."' || column_name || '" IS '''
       || REPLACE(comments, '''', '''''') || ''';'
  FROM all_col_comments
 WHERE owner = UPPER('&godwit_schema') AND comments IS NOT NULL AND table_name NOT LIKE 'BIN$%'
 ORDER BY table_name, column_name;

SPOOL OFF
EXIT
