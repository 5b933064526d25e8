//! Helper functions for Oracle built-ins whose exact semantics PostgreSQL lacks. The converted script
//! creates the ones it uses in a small `godwit_compat` schema before anything else, so the target needs
//! no extension (except pgcrypto, a contrib extension, for DBMS_CRYPTO).

/// Schema the helpers live in.
pub const SCHEMA: &str = "godwit_compat";

/// (name, definition) of every helper.
pub const HELPERS: &[(&str, &str)] = &[
    (
        "concat",
        // Oracle's ||: NULL operands count as '', and an empty result is NULL (Oracle has no empty
        // string). Operands of other types are converted to text, as Oracle does implicitly; numbers
        // the way Oracle writes them (no trailing zeros, no leading zero: 0.50 → '.5').
        r"CREATE OR REPLACE FUNCTION godwit_compat.oracle_text(v anynonarray) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN pg_typeof(v) IN ('numeric'::regtype, 'integer'::regtype, 'bigint'::regtype, 'smallint'::regtype)
    THEN regexp_replace(trim_scale(v::text::numeric)::text, '^(-?)0\.', '\1.')
    ELSE v::text END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.concat(a text, b text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT nullif(coalesce(a, '') || coalesce(b, ''), '') $$;
CREATE OR REPLACE FUNCTION godwit_compat.concat(a anynonarray, b text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT nullif(coalesce(godwit_compat.oracle_text(a), '') || coalesce(b, ''), '') $$;
CREATE OR REPLACE FUNCTION godwit_compat.concat(a text, b anynonarray) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT nullif(coalesce(a, '') || coalesce(godwit_compat.oracle_text(b), ''), '') $$;
-- CHAR values keep their trailing blanks in Oracle's ||; PostgreSQL's cast of character to text drops
-- them, format() keeps them.
CREATE OR REPLACE FUNCTION godwit_compat.concat(a character, b text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT nullif(coalesce(format('%s', a), '') || coalesce(b, ''), '') $$;
CREATE OR REPLACE FUNCTION godwit_compat.concat(a text, b character) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT nullif(coalesce(a, '') || coalesce(format('%s', b), ''), '') $$;
CREATE OR REPLACE FUNCTION godwit_compat.concat(a character, b character) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT nullif(coalesce(format('%s', a), '') || coalesce(format('%s', b), ''), '') $$;
CREATE OPERATOR godwit_compat.|| (LEFTARG = character, RIGHTARG = text, FUNCTION = godwit_compat.concat);
CREATE OPERATOR godwit_compat.|| (LEFTARG = text, RIGHTARG = character, FUNCTION = godwit_compat.concat);
CREATE OPERATOR godwit_compat.|| (LEFTARG = character, RIGHTARG = character, FUNCTION = godwit_compat.concat);
CREATE OPERATOR godwit_compat.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = godwit_compat.concat);
CREATE OPERATOR godwit_compat.|| (LEFTARG = anynonarray, RIGHTARG = text, FUNCTION = godwit_compat.concat);
CREATE OPERATOR godwit_compat.|| (LEFTARG = text, RIGHTARG = anynonarray, FUNCTION = godwit_compat.concat)",
    ),
    (
        "divide",
        // Oracle has no integer division: NUMBER / NUMBER keeps its fraction even where both sides map
        // to PostgreSQL integers (7 / 2 is 3.5). Binary floats divide as floats; intervals by numbers.
        "CREATE OR REPLACE FUNCTION godwit_compat.divide(a integer, b integer) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$ SELECT a::numeric / b $$;
CREATE OR REPLACE FUNCTION godwit_compat.divide(a bigint, b bigint) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$ SELECT a::numeric / b $$;
CREATE OR REPLACE FUNCTION godwit_compat.divide(a smallint, b smallint) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$ SELECT a::numeric / b $$;
CREATE OPERATOR godwit_compat./ (LEFTARG = smallint, RIGHTARG = smallint, FUNCTION = godwit_compat.divide);
CREATE OPERATOR godwit_compat./ (LEFTARG = integer, RIGHTARG = integer, FUNCTION = godwit_compat.divide);
CREATE OPERATOR godwit_compat./ (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = godwit_compat.divide);
CREATE OPERATOR godwit_compat./ (LEFTARG = numeric, RIGHTARG = numeric, FUNCTION = pg_catalog.numeric_div);
CREATE OPERATOR godwit_compat./ (LEFTARG = real, RIGHTARG = real, FUNCTION = pg_catalog.float4div);
CREATE OPERATOR godwit_compat./ (LEFTARG = double precision, RIGHTARG = double precision, FUNCTION = pg_catalog.float8div);
CREATE OPERATOR godwit_compat./ (LEFTARG = interval, RIGHTARG = double precision, FUNCTION = pg_catalog.interval_div)",
    ),
    (
        "length",
        // Oracle's LENGTH counts a CHAR value's trailing blanks, and is NULL for an empty result (Oracle
        // has no empty string: LENGTH(TRIM('  ')) is NULL).
        "CREATE OR REPLACE FUNCTION godwit_compat.length(s text) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$ SELECT nullif(pg_catalog.length(s), 0) $$;
CREATE OR REPLACE FUNCTION godwit_compat.length(s character) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$ SELECT nullif(pg_catalog.length(format('%s', s)), 0) $$",
    ),
    (
        "sqlcode",
        // SQLCODE from the SQLSTATE a handler caught: RAISE_APPLICATION_ERROR's U0nnn is -20nnn,
        // user-defined exceptions (class G) 1, NO_DATA_FOUND 100, the common ORA errors their number;
        // others have no Oracle number here and give NULL.
        "CREATE OR REPLACE FUNCTION godwit_compat.sqlcode(state text) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN state IS NULL OR state = '00000' THEN 0
    WHEN state ~ '^U[0-9]{4}$' THEN -(20000 + substr(state, 2)::integer)
    WHEN state LIKE 'G%' THEN 1
    WHEN state = 'P0002' THEN 100
    WHEN state = 'P0003' THEN -1422
    WHEN state = '23505' THEN -1
    WHEN state = '23502' THEN -1400
    WHEN state = '23503' THEN -2291
    WHEN state = '23514' THEN -2290
    WHEN state = '22012' THEN -1476
    WHEN state = '22P02' THEN -1722
    WHEN state = '55P03' THEN -54
    WHEN state = '40P01' THEN -60
    WHEN state = '42P01' THEN -942
    WHEN state = '42501' THEN -1031
    WHEN state LIKE '22%' THEN -6502
  END
$$;
-- SQLERRM as Oracle writes it for its own errors: ORA-20042: message, User-Defined Exception.
CREATE OR REPLACE FUNCTION godwit_compat.sqlerrm(state text, message text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN state ~ '^U[0-9]{4}$' THEN 'ORA-' || (20000 + substr(state, 2)::integer) || ': ' || message
    WHEN state LIKE 'G%' THEN 'User-Defined Exception'
    ELSE message
  END
$$",
    ),
    ("doc", crate::package_documents::HELPERS),
    ("dbms_sql", crate::dbms_sql::HELPERS),
    (
        "lz_compress",
        // UTL_COMPRESS.LZ_COMPRESS: a gzip stream (RFC 1952) whose deflate data is stored blocks
        // (RFC 1951, BTYPE 00) of up to 65535 bytes, with the CRC-32 and size of the input: any
        // inflater gives the input back, but it is not smaller than the input (PostgreSQL has no
        // deflate). The header has no name and no time.
        r"CREATE OR REPLACE FUNCTION godwit_compat.le_bytes(v bigint, n integer) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
  SELECT string_agg(set_byte('\x00'::bytea, 0, CAST((v >> (8 * k)) & 255 AS integer)), ''::bytea ORDER BY k)
  FROM generate_series(0, n - 1) k
$$;
CREATE OR REPLACE FUNCTION godwit_compat.crc32(data bytea) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  t bigint[];
  c bigint;
  crc bigint := 4294967295;
BEGIN
  IF data IS NULL THEN
    RETURN NULL;
  END IF;
  FOR n IN 0 .. 255 LOOP
    c := n;
    FOR k IN 1 .. 8 LOOP
      IF c & 1 = 1 THEN
        c := 3988292384 # (c >> 1);
      ELSE
        c := c >> 1;
      END IF;
    END LOOP;
    t[n] := c;
  END LOOP;
  FOR i IN 0 .. length(data) - 1 LOOP
    crc := t[(crc # get_byte(data, i)) & 255] # (crc >> 8);
  END LOOP;
  RETURN crc # 4294967295;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.lz_compress(data bytea) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  n integer := length(data);
  res bytea := '\x1f8b0800000000000003';
  piece bytea;
  pos integer := 1;
BEGIN
  IF data IS NULL THEN
    RETURN NULL;
  END IF;
  LOOP
    piece := substr(data, pos, 65535);
    pos := pos + length(piece);
    res := res || CASE WHEN pos > n THEN '\x01'::bytea ELSE '\x00'::bytea END
      || godwit_compat.le_bytes(length(piece), 2)
      || godwit_compat.le_bytes(65535 - length(piece), 2)
      || piece;
    EXIT WHEN pos > n;
  END LOOP;
  RETURN res || godwit_compat.le_bytes(godwit_compat.crc32(data), 4)
    || godwit_compat.le_bytes(n % 4294967296, 4);
END
$$",
    ),
    (
        "lz_uncompress",
        // UTL_COMPRESS.LZ_UNCOMPRESS: a gzip stream (RFC 1952) inflated (RFC 1951: stored, fixed and
        // dynamic Huffman blocks), in PL/pgSQL as PostgreSQL has no inflate; a stream that is not gzip
        // or is cut short raises an error.
        r"CREATE OR REPLACE FUNCTION godwit_compat.inflate_table(lengths integer[], OUT counts integer[], OUT symbols integer[])
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  n integer := coalesce(array_length(lengths, 1), 0);
  offs integer[] := array_fill(0, ARRAY[16], ARRAY[0]);
BEGIN
  -- A canonical Huffman code from its code lengths (RFC 1951 3.2.2): how many codes of each
  -- length, and the symbols in code order.
  counts := array_fill(0, ARRAY[16], ARRAY[0]);
  symbols := array_fill(0, ARRAY[greatest(n, 1)], ARRAY[0]);
  FOR s IN 1 .. n LOOP
    counts[lengths[s]] := counts[lengths[s]] + 1;
  END LOOP;
  FOR len IN 1 .. 14 LOOP
    offs[len + 1] := offs[len] + counts[len];
  END LOOP;
  FOR s IN 1 .. n LOOP
    IF lengths[s] <> 0 THEN
      symbols[offs[lengths[s]]] := s - 1;
      offs[lengths[s]] := offs[lengths[s]] + 1;
    END IF;
  END LOOP;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.inflate_bits(data bytea, INOUT pos integer, INOUT bitbuf bigint, INOUT bitcnt integer, need integer, OUT val integer)
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  WHILE bitcnt < need LOOP
    IF pos >= length(data) THEN
      RAISE EXCEPTION 'compressed data ends too early' USING ERRCODE = '22000';
    END IF;
    bitbuf := bitbuf | (CAST(get_byte(data, pos) AS bigint) << bitcnt);
    pos := pos + 1;
    bitcnt := bitcnt + 8;
  END LOOP;
  val := CAST(bitbuf & ((CAST(1 AS bigint) << need) - 1) AS integer);
  bitbuf := bitbuf >> need;
  bitcnt := bitcnt - need;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.inflate_decode(data bytea, INOUT pos integer, INOUT bitbuf bigint, INOUT bitcnt integer, counts integer[], symbols integer[], OUT sym integer)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  code integer := 0;
  first integer := 0;
  idx integer := 0;
  cnt integer;
BEGIN
  -- One symbol, bit by bit (codes are packed starting with their most significant bit).
  FOR len IN 1 .. 15 LOOP
    IF bitcnt = 0 THEN
      IF pos >= length(data) THEN
        RAISE EXCEPTION 'compressed data ends too early' USING ERRCODE = '22000';
      END IF;
      bitbuf := get_byte(data, pos);
      pos := pos + 1;
      bitcnt := 8;
    END IF;
    code := code | CAST(bitbuf & 1 AS integer);
    bitbuf := bitbuf >> 1;
    bitcnt := bitcnt - 1;
    cnt := counts[len];
    IF code - cnt < first THEN
      sym := symbols[idx + (code - first)];
      RETURN;
    END IF;
    idx := idx + cnt;
    first := (first + cnt) << 1;
    code := code << 1;
  END LOOP;
  RAISE EXCEPTION 'invalid compressed data (no such code)' USING ERRCODE = '22000';
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.inflate(data bytea, start integer) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  pos integer := start;
  bitbuf bigint := 0;
  bitcnt integer := 0;
  o integer[] := '{}';
  olen integer := 0;
  final integer := 0;
  btype integer;
  v integer;
  n integer;
  lc integer[];
  ls integer[];
  dc integer[];
  ds integer[];
  lengths integer[];
  lbase integer[] := '{3,4,5,6,7,8,9,10,11,13,15,17,19,23,27,31,35,43,51,59,67,83,99,115,131,163,195,227,258}';
  lext integer[] := '{0,0,0,0,0,0,0,0,1,1,1,1,2,2,2,2,3,3,3,3,4,4,4,4,5,5,5,5,0}';
  dbase integer[] := '{1,2,3,4,5,7,9,13,17,25,33,49,65,97,129,193,257,385,513,769,1025,1537,2049,3073,4097,6145,8193,12289,16385,24577}';
  dext integer[] := '{0,0,0,0,1,1,2,2,3,3,4,4,5,5,6,6,7,7,8,8,9,9,10,10,11,11,12,12,13,13}';
  ord integer[] := '{16,17,18,0,8,7,9,6,10,5,11,4,12,3,13,2,14,1,15}';
  nlen integer;
  ndist integer;
  ncode integer;
  sym integer;
  len integer;
  dist integer;
  idx integer;
  rep integer;
BEGIN
  -- Raw deflate data (RFC 1951) from byte `start` (0-based).
  WHILE final = 0 LOOP
    SELECT b.pos, b.bitbuf, b.bitcnt, b.val INTO pos, bitbuf, bitcnt, final
      FROM godwit_compat.inflate_bits(data, pos, bitbuf, bitcnt, 1) b;
    SELECT b.pos, b.bitbuf, b.bitcnt, b.val INTO pos, bitbuf, bitcnt, btype
      FROM godwit_compat.inflate_bits(data, pos, bitbuf, bitcnt, 2) b;
    IF btype = 0 THEN
      -- Stored: from the next byte, LEN and its complement, then LEN bytes.
      bitbuf := 0;
      bitcnt := 0;
      IF pos + 4 > length(data) THEN
        RAISE EXCEPTION 'compressed data ends too early' USING ERRCODE = '22000';
      END IF;
      n := get_byte(data, pos) | (get_byte(data, pos + 1) << 8);
      IF (get_byte(data, pos + 2) | (get_byte(data, pos + 3) << 8)) <> 65535 - n THEN
        RAISE EXCEPTION 'invalid compressed data (stored block length)' USING ERRCODE = '22000';
      END IF;
      pos := pos + 4;
      IF pos + n > length(data) THEN
        RAISE EXCEPTION 'compressed data ends too early' USING ERRCODE = '22000';
      END IF;
      FOR k IN 0 .. n - 1 LOOP
        o[olen] := get_byte(data, pos + k);
        olen := olen + 1;
      END LOOP;
      pos := pos + n;
      CONTINUE;
    ELSIF btype = 1 THEN
      lengths := array_fill(8, ARRAY[144]) || array_fill(9, ARRAY[112]) || array_fill(7, ARRAY[24]) || array_fill(8, ARRAY[8]);
      SELECT t.counts, t.symbols INTO lc, ls FROM godwit_compat.inflate_table(lengths) t;
      SELECT t.counts, t.symbols INTO dc, ds FROM godwit_compat.inflate_table(array_fill(5, ARRAY[30])) t;
    ELSIF btype = 2 THEN
      SELECT b.pos, b.bitbuf, b.bitcnt, b.val + 257 INTO pos, bitbuf, bitcnt, nlen
        FROM godwit_compat.inflate_bits(data, pos, bitbuf, bitcnt, 5) b;
      SELECT b.pos, b.bitbuf, b.bitcnt, b.val + 1 INTO pos, bitbuf, bitcnt, ndist
        FROM godwit_compat.inflate_bits(data, pos, bitbuf, bitcnt, 5) b;
      SELECT b.pos, b.bitbuf, b.bitcnt, b.val + 4 INTO pos, bitbuf, bitcnt, ncode
        FROM godwit_compat.inflate_bits(data, pos, bitbuf, bitcnt, 4) b;
      lengths := array_fill(0, ARRAY[19]);
      FOR k IN 1 .. ncode LOOP
        SELECT b.pos, b.bitbuf, b.bitcnt, b.val INTO pos, bitbuf, bitcnt, v
          FROM godwit_compat.inflate_bits(data, pos, bitbuf, bitcnt, 3) b;
        lengths[ord[k] + 1] := v;
      END LOOP;
      SELECT t.counts, t.symbols INTO lc, ls FROM godwit_compat.inflate_table(lengths) t;
      lengths := array_fill(0, ARRAY[nlen + ndist]);
      idx := 0;
      WHILE idx < nlen + ndist LOOP
        SELECT d.pos, d.bitbuf, d.bitcnt, d.sym INTO pos, bitbuf, bitcnt, sym
          FROM godwit_compat.inflate_decode(data, pos, bitbuf, bitcnt, lc, ls) d;
        IF sym < 16 THEN
          idx := idx + 1;
          lengths[idx] := sym;
        ELSE
          len := 0;
          IF sym = 16 THEN
            IF idx = 0 THEN
              RAISE EXCEPTION 'invalid compressed data (repeat with no length)' USING ERRCODE = '22000';
            END IF;
            len := lengths[idx];
            SELECT b.pos, b.bitbuf, b.bitcnt, b.val + 3 INTO pos, bitbuf, bitcnt, rep
              FROM godwit_compat.inflate_bits(data, pos, bitbuf, bitcnt, 2) b;
          ELSIF sym = 17 THEN
            SELECT b.pos, b.bitbuf, b.bitcnt, b.val + 3 INTO pos, bitbuf, bitcnt, rep
              FROM godwit_compat.inflate_bits(data, pos, bitbuf, bitcnt, 3) b;
          ELSE
            SELECT b.pos, b.bitbuf, b.bitcnt, b.val + 11 INTO pos, bitbuf, bitcnt, rep
              FROM godwit_compat.inflate_bits(data, pos, bitbuf, bitcnt, 7) b;
          END IF;
          IF idx + rep > nlen + ndist THEN
            RAISE EXCEPTION 'invalid compressed data (too many lengths)' USING ERRCODE = '22000';
          END IF;
          FOR k IN 1 .. rep LOOP
            idx := idx + 1;
            lengths[idx] := len;
          END LOOP;
        END IF;
      END LOOP;
      SELECT t.counts, t.symbols INTO lc, ls FROM godwit_compat.inflate_table(lengths[1:nlen]) t;
      SELECT t.counts, t.symbols INTO dc, ds FROM godwit_compat.inflate_table(lengths[nlen + 1:nlen + ndist]) t;
    ELSE
      RAISE EXCEPTION 'invalid compressed data (block type 3)' USING ERRCODE = '22000';
    END IF;
    LOOP
      SELECT d.pos, d.bitbuf, d.bitcnt, d.sym INTO pos, bitbuf, bitcnt, sym
        FROM godwit_compat.inflate_decode(data, pos, bitbuf, bitcnt, lc, ls) d;
      IF sym < 256 THEN
        o[olen] := sym;
        olen := olen + 1;
      ELSIF sym = 256 THEN
        EXIT;
      ELSE
        sym := sym - 257;
        IF sym >= 29 THEN
          RAISE EXCEPTION 'invalid compressed data (length code)' USING ERRCODE = '22000';
        END IF;
        SELECT b.pos, b.bitbuf, b.bitcnt, b.val + lbase[sym + 1] INTO pos, bitbuf, bitcnt, len
          FROM godwit_compat.inflate_bits(data, pos, bitbuf, bitcnt, lext[sym + 1]) b;
        SELECT d.pos, d.bitbuf, d.bitcnt, d.sym INTO pos, bitbuf, bitcnt, sym
          FROM godwit_compat.inflate_decode(data, pos, bitbuf, bitcnt, dc, ds) d;
        IF sym >= 30 THEN
          RAISE EXCEPTION 'invalid compressed data (distance code)' USING ERRCODE = '22000';
        END IF;
        SELECT b.pos, b.bitbuf, b.bitcnt, b.val + dbase[sym + 1] INTO pos, bitbuf, bitcnt, dist
          FROM godwit_compat.inflate_bits(data, pos, bitbuf, bitcnt, dext[sym + 1]) b;
        IF dist > olen THEN
          RAISE EXCEPTION 'invalid compressed data (distance too far back)' USING ERRCODE = '22000';
        END IF;
        FOR k IN 1 .. len LOOP
          o[olen] := o[olen - dist];
          olen := olen + 1;
        END LOOP;
      END IF;
    END LOOP;
  END LOOP;
  IF olen = 0 THEN
    RETURN ''::bytea;
  END IF;
  RETURN (SELECT decode(string_agg(lpad(to_hex(b), 2, '0'), '' ORDER BY i), 'hex')
            FROM unnest(o) WITH ORDINALITY u(b, i));
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.lz_uncompress(data bytea) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  flg integer;
  pos integer := 10;
BEGIN
  -- A gzip stream (RFC 1952): the header's optional fields skipped, the deflate data inflated.
  IF data IS NULL THEN
    RETURN NULL;
  END IF;
  IF length(data) < 18 OR get_byte(data, 0) <> 31 OR get_byte(data, 1) <> 139 OR get_byte(data, 2) <> 8 THEN
    RAISE EXCEPTION 'the data is not in gzip format' USING ERRCODE = '22000';
  END IF;
  flg := get_byte(data, 3);
  IF flg & 4 <> 0 THEN
    pos := pos + 2 + get_byte(data, pos) + get_byte(data, pos + 1) * 256;
  END IF;
  IF flg & 8 <> 0 THEN
    WHILE get_byte(data, pos) <> 0 LOOP
      pos := pos + 1;
    END LOOP;
    pos := pos + 1;
  END IF;
  IF flg & 16 <> 0 THEN
    WHILE get_byte(data, pos) <> 0 LOOP
      pos := pos + 1;
    END LOOP;
    pos := pos + 1;
  END IF;
  IF flg & 2 <> 0 THEN
    pos := pos + 2;
  END IF;
  RETURN godwit_compat.inflate(data, pos);
END
$$",
    ),
    (
        "cp437",
        // Text in Oracle's US8PC437 (IBM code page 437), which PostgreSQL does not know: ASCII as
        // is, the upper half by this table, other characters as '?', Oracle's replacement.
        r"CREATE OR REPLACE FUNCTION godwit_compat.to_cp437(v text) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
  SELECT string_agg(CASE WHEN ascii(c) < 128 THEN set_byte('\x00'::bytea, 0, ascii(c))
      WHEN strpos('ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■ ', c) > 0 THEN set_byte('\x00'::bytea, 0, 127 + strpos('ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■ ', c))
      ELSE '\x3f'::bytea END, ''::bytea ORDER BY i)
  FROM regexp_split_to_table(v, '') WITH ORDINALITY AS s(c, i)
$$",
    ),
    (
        "pkg_get",
        // Package variables live in session settings named godwit.<package>__<variable>: 'v:' and the
        // value as text, or 'n' for NULL; unset (never assigned in this session) gives the initial value.
        // Like Oracle's, they last as long as the session (but an aborted transaction undoes a change).
        "CREATE OR REPLACE FUNCTION godwit_compat.pkg_get(setting text, initial text) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN coalesce(current_setting(setting, true), '') = '' THEN initial
    WHEN current_setting(setting, true) = 'n' THEN NULL
    ELSE substr(current_setting(setting, true), 3) END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.pkg_set(setting text, value text) RETURNS void
LANGUAGE sql VOLATILE AS $$
  SELECT set_config(setting, CASE WHEN value IS NULL THEN 'n' ELSE 'v:' || value END, false)
$$",
    ),
    (
        "call_stack",
        // DBMS_UTILITY.FORMAT_CALL_STACK: PL/pgSQL's own context lines, this helper's left out.
        r"CREATE OR REPLACE FUNCTION godwit_compat.format_call_stack() RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  stack text;
BEGIN
  GET DIAGNOSTICS stack = PG_CONTEXT;
  RETURN substr(stack, strpos(stack, E'\n') + 1);
END
$$",
    ),
    (
        "random_string",
        // DBMS_RANDOM.STRING(opt, len): U upper, L lower, A mixed letters, X upper and digits, P any
        // printable character; any other option is upper case, as in Oracle. NULL for len < 1.
        "CREATE OR REPLACE FUNCTION godwit_compat.random_string(opt text, len numeric) RETURNS text
LANGUAGE sql VOLATILE AS $$
  SELECT string_agg(substr(s.chars, 1 + floor(random() * length(s.chars))::integer, 1), '')
  FROM (SELECT CASE upper(opt)
      WHEN 'L' THEN 'abcdefghijklmnopqrstuvwxyz'
      WHEN 'A' THEN 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
      WHEN 'X' THEN 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
      WHEN 'P' THEN (SELECT string_agg(chr(c), '') FROM generate_series(32, 126) c)
      ELSE 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' END AS chars) s,
    generate_series(1, least(greatest(trunc(coalesce(len, 0))::integer, 0), 60000))
$$",
    ),
    (
        "format_message",
        // UTL_LMS.FORMAT_MESSAGE: each %s or %d takes the next value, in order ('' when missing).
        r"CREATE OR REPLACE FUNCTION godwit_compat.format_message(format text, VARIADIC vals text[]) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  result text := '';
  i integer := 1;
  n integer := 0;
BEGIN
  IF format IS NULL THEN
    RETURN NULL;
  END IF;
  WHILE i <= length(format) LOOP
    IF substr(format, i, 2) IN ('%s', '%d') THEN
      n := n + 1;
      result := result || coalesce(vals[n], '');
      i := i + 2;
    ELSE
      result := result || substr(format, i, 1);
      i := i + 1;
    END IF;
  END LOOP;
  RETURN nullif(result, '');
END
$$",
    ),
    (
        "context",
        // Application contexts (DBMS_SESSION.SET_CONTEXT, SYS_CONTEXT('ns', 'attr')) in session
        // settings godwit_ctx.<namespace>__<attribute>; USERENV attributes named at run time. Unlike Oracle's, any code may set them, and a
        // globally accessed context is per session here.
        r"CREATE OR REPLACE FUNCTION godwit_compat.set_context(namespace text, attribute text, value text) RETURNS void
LANGUAGE sql VOLATILE AS $$
  -- godwit_ctx.<namespace> lists the namespace's attributes, for CLEAR_ALL_CONTEXT.
  SELECT set_config('godwit_ctx.' || lower(namespace) || '__' || lower(attribute), coalesce(value, ''), false),
    set_config('godwit_ctx.' || lower(namespace),
      array_to_string(array(SELECT DISTINCT a FROM unnest(string_to_array(
        coalesce(current_setting('godwit_ctx.' || lower(namespace), true), '') || ',' || lower(attribute), ',')) a
        WHERE a <> '' ORDER BY a), ','), false)
$$;
CREATE OR REPLACE FUNCTION godwit_compat.sys_context(namespace text, attribute text) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN upper(namespace) = 'USERENV' THEN
      CASE upper(attribute)
        WHEN 'SESSION_USER' THEN session_user::text
        WHEN 'CURRENT_USER' THEN current_user::text
        WHEN 'CURRENT_SCHEMA' THEN current_schema::text
        WHEN 'DB_NAME' THEN current_database()::text
        WHEN 'CON_NAME' THEN current_database()::text
        WHEN 'IP_ADDRESS' THEN host(inet_client_addr())
        WHEN 'SID' THEN pg_backend_pid()::text
        WHEN 'MODULE' THEN current_setting('application_name')
        WHEN 'CLIENT_IDENTIFIER' THEN current_setting('godwit.client_identifier', true)
      END
    ELSE nullif(current_setting('godwit_ctx.' || lower(namespace) || '__' || lower(attribute), true), '')
  END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.clear_context(namespace text, attribute text) RETURNS void
LANGUAGE sql VOLATILE AS $$
  SELECT set_config('godwit_ctx.' || lower(namespace) || '__' || a, '', false)
    FROM unnest(string_to_array(nullif(current_setting('godwit_ctx.' || lower(namespace), true), ''), ',')) a
   WHERE attribute IS NULL OR a = lower(attribute)
$$",
    ),
    (
        "dump",
        // DUMP(text): Oracle's 'Typ=1 Len=n: b1,b2,…' with the UTF-8 bytes in decimal. Oracle's own
        // storage of numbers and dates has no PostgreSQL counterpart, so only text is dumped.
        "CREATE OR REPLACE FUNCTION godwit_compat.dump(value text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN value IS NULL THEN 'NULL' ELSE
    'Typ=1 Len=' || octet_length(value) || ': ' ||
    (SELECT string_agg(get_byte(convert_to(value, 'UTF8'), i)::text, ',' ORDER BY i)
       FROM generate_series(0, octet_length(value) - 1) i) END
$$",
    ),
    (
        "hex_format",
        // TO_CHAR(n, 'XX…') and TO_NUMBER(s, 'XX…'): Oracle's hexadecimal format models (X upper-case
        // digits, x lower-case; a leading 0 pads with zeros; FM drops the sign position). A number
        // too wide for the format is '#'s, as in Oracle; a negative one is an error.
        r"CREATE OR REPLACE FUNCTION godwit_compat.to_char_hex(n numeric, fmt text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  fm boolean := upper(fmt) LIKE 'FM%';
  model text := regexp_replace(fmt, '^[Ff][Mm]', '');
  digits integer := length(model);
  h text;
BEGIN
  IF n IS NULL THEN
    RETURN NULL;
  END IF;
  IF round(n) < 0 THEN
    RAISE EXCEPTION 'TO_CHAR with the hexadecimal format % takes no negative number (%)', fmt, n
      USING ERRCODE = '22023';
  END IF;
  h := to_hex(round(n)::bigint);
  h := CASE WHEN model ~ 'x' THEN lower(h) ELSE upper(h) END;
  IF length(h) > digits THEN
    RETURN repeat('#', digits + CASE WHEN fm THEN 0 ELSE 1 END);
  END IF;
  IF model LIKE '0%' THEN
    h := lpad(h, digits, '0');
  END IF;
  RETURN CASE WHEN fm THEN h ELSE lpad(h, digits + 1, ' ') END;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.to_number_hex(s text, fmt text) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  v text := trim(s);
  r numeric := 0;
BEGIN
  IF s IS NULL THEN
    RETURN NULL;
  END IF;
  IF v !~ '^[0-9A-Fa-f]+$' OR length(v) > length(regexp_replace(fmt, '^[Ff][Mm]', '')) THEN
    RAISE EXCEPTION 'invalid number: % for the hexadecimal format %', quote_literal(s), fmt
      USING ERRCODE = '22P02';
  END IF;
  FOR i IN 1 .. length(v) LOOP
    r := r * 16 + (strpos('0123456789abcdef', lower(substr(v, i, 1))) - 1);
  END LOOP;
  RETURN r;
END
$$",
    ),
    (
        "raw_bits",
        // UTL_RAW.BIT_AND / BIT_OR / BIT_XOR: byte by byte; the shorter operand's missing bytes take
        // the longer one's, as Oracle does. BIT_COMPLEMENT and REVERSE.
        r"CREATE OR REPLACE FUNCTION godwit_compat.raw_bits(a bytea, b bytea, op text) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  long bytea := CASE WHEN length(a) >= length(b) THEN a ELSE b END;
  short bytea := CASE WHEN length(a) >= length(b) THEN b ELSE a END;
  x integer;
  y integer;
BEGIN
  IF a IS NULL OR b IS NULL THEN
    RETURN NULL;
  END IF;
  FOR i IN 0 .. length(short) - 1 LOOP
    x := get_byte(long, i);
    y := get_byte(short, i);
    long := set_byte(long, i, CASE op WHEN 'and' THEN x & y WHEN 'or' THEN x | y ELSE x # y END);
  END LOOP;
  RETURN long;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.raw_complement(a bytea) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  FOR i IN 0 .. coalesce(length(a), 0) - 1 LOOP
    a := set_byte(a, i, 255 - get_byte(a, i));
  END LOOP;
  RETURN a;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.raw_reverse(a bytea) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  r bytea := a;
  n integer := length(a);
BEGIN
  FOR i IN 0 .. coalesce(n, 0) - 1 LOOP
    r := set_byte(r, i, get_byte(a, n - 1 - i));
  END LOOP;
  RETURN r;
END
$$",
    ),
    (
        "crypto",
        // DBMS_CRYPTO over pgcrypto (a contrib extension every PostgreSQL ships, trusted since 13):
        // HASH, MAC, ENCRYPT/DECRYPT (AES-128/192/256 in CBC or ECB with PKCS5 or no padding; the
        // other ciphers, chainings and paddings raise an error naming them), RANDOMBYTES. The
        // helpers call pgcrypto in whatever schema it is installed in.
        r"CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE OR REPLACE FUNCTION godwit_compat.pgcrypto(call text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
  s text := (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pgcrypto');
BEGIN
  IF s IS NULL THEN
    RAISE EXCEPTION 'DBMS_CRYPTO needs the pgcrypto extension, which is not installed in this database'
      USING ERRCODE = '0A000', HINT = 'CREATE EXTENSION pgcrypto';
  END IF;
  RETURN 'SELECT ' || s || '.' || call;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.crypto_hash(src bytea, typ integer) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  r bytea;
BEGIN
  IF typ NOT BETWEEN 1 AND 6 THEN
    RAISE EXCEPTION 'DBMS_CRYPTO.HASH: unknown hash type %', typ USING ERRCODE = '22023';
  END IF;
  EXECUTE godwit_compat.pgcrypto('digest($1, $2)') INTO r
    USING src, (ARRAY['md4', 'md5', 'sha1', 'sha256', 'sha384', 'sha512'])[typ];
  RETURN r;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.crypto_mac(src bytea, typ integer, key bytea) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  r bytea;
BEGIN
  IF typ NOT BETWEEN 1 AND 5 THEN
    RAISE EXCEPTION 'DBMS_CRYPTO.MAC: unknown MAC type %', typ USING ERRCODE = '22023';
  END IF;
  EXECUTE godwit_compat.pgcrypto('hmac($1, $2, $3)') INTO r
    USING src, key, (ARRAY['md5', 'sha1', 'sha256', 'sha384', 'sha512'])[typ];
  RETURN r;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.crypto_hash(src text, typ integer) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$ SELECT godwit_compat.crypto_hash(convert_to(src, 'UTF8'), typ) $$;
CREATE OR REPLACE FUNCTION godwit_compat.crypto_mac(src text, typ integer, key bytea) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$ SELECT godwit_compat.crypto_mac(convert_to(src, 'UTF8'), typ, key) $$;
CREATE OR REPLACE FUNCTION godwit_compat.crypto_cipher(typ integer, key bytea) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  cipher integer := typ & 255;
  chain integer := typ & 3840;
  pad integer := typ & 61440;
  key_bytes integer := CASE cipher WHEN 6 THEN 16 WHEN 7 THEN 24 WHEN 8 THEN 32 END;
BEGIN
  IF cipher NOT IN (4, 6, 7, 8) THEN
    RAISE EXCEPTION 'DBMS_CRYPTO cipher % is not available in PostgreSQL (AES only)',
      CASE cipher WHEN 1 THEN 'DES' WHEN 2 THEN '3DES_2KEY' WHEN 3 THEN '3DES' WHEN 5 THEN 'PBE_MD5DES' WHEN 129 THEN 'RC4' ELSE cipher::text END
      USING ERRCODE = '0A000';
  END IF;
  IF key_bytes IS NOT NULL AND length(key) <> key_bytes THEN
    RAISE EXCEPTION 'DBMS_CRYPTO: the key is % bytes, AES-% takes %', length(key), key_bytes * 8, key_bytes
      USING ERRCODE = '22023';
  END IF;
  IF chain NOT IN (256, 768) OR pad NOT IN (4096, 8192) THEN
    RAISE EXCEPTION 'DBMS_CRYPTO chaining % with padding % is not available in PostgreSQL (CBC or ECB, PKCS5 or none)', chain, pad
      USING ERRCODE = '0A000';
  END IF;
  RETURN 'aes-' || CASE chain WHEN 256 THEN 'cbc' ELSE 'ecb' END || '/pad:' || CASE pad WHEN 4096 THEN 'pkcs' ELSE 'none' END;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.crypto_encrypt(src bytea, typ integer, key bytea, iv bytea DEFAULT NULL, decrypt boolean DEFAULT false) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  r bytea;
BEGIN
  -- Oracle's IV defaults to a block of zeros.
  EXECUTE godwit_compat.pgcrypto(CASE WHEN decrypt THEN 'decrypt_iv($1, $2, $3, $4)' ELSE 'encrypt_iv($1, $2, $3, $4)' END) INTO r
    USING src, key, coalesce(iv, '\x00000000000000000000000000000000'::bytea), godwit_compat.crypto_cipher(typ, key);
  RETURN r;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.crypto_random_bytes(n integer) RETURNS bytea
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  r bytea;
BEGIN
  EXECUTE godwit_compat.pgcrypto('gen_random_bytes($1)') INTO r USING n;
  RETURN r;
END
$$",
    ),
    (
        "dbms_assert",
        // DBMS_ASSERT: the input back when it is what the function asserts, else Oracle's error
        // (ORA-44001 … ORA-44004) with SQLSTATE 42602 (invalid name), 3F000 or 42704 (no such
        // schema or object). Unquoted names stand for upper case, which PostgreSQL folds to lower.
        r#"CREATE OR REPLACE FUNCTION godwit_compat.assert_enquote_literal(s text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF coalesce(s, '') !~ '^([^'']|'''')*$' THEN
    RAISE EXCEPTION 'ORA-06502: DBMS_ASSERT.ENQUOTE_LITERAL: % has an unpaired quote', s USING ERRCODE = '22023';
  END IF;
  RETURN '''' || coalesce(s, '') || '''';
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.assert_enquote_name(s text, capitalize boolean DEFAULT true) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF s ~ '^".*"$' AND length(s) > 1 THEN
    IF substr(s, 2, length(s) - 2) !~ '^([^"]|"")*$' THEN
      RAISE EXCEPTION 'ORA-44003: DBMS_ASSERT.ENQUOTE_NAME: invalid SQL name %', s USING ERRCODE = '42602';
    END IF;
    RETURN s;
  END IF;
  IF coalesce(s, '') !~ '^([^"]|"")*$' THEN
    RAISE EXCEPTION 'ORA-44003: DBMS_ASSERT.ENQUOTE_NAME: invalid SQL name %', s USING ERRCODE = '42602';
  END IF;
  RETURN '"' || CASE WHEN capitalize THEN upper(coalesce(s, '')) ELSE coalesce(s, '') END || '"';
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.assert_simple_sql_name(s text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF coalesce(trim(s), '') !~ '^([A-Za-z][A-Za-z0-9_$#]*|"([^"]|"")+")$' THEN
    RAISE EXCEPTION 'ORA-44003: invalid SQL name %', s USING ERRCODE = '42602';
  END IF;
  RETURN s;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.assert_qualified_sql_name(s text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF coalesce(trim(s), '') !~ '^([A-Za-z][A-Za-z0-9_$#]*|"([^"]|"")+")(\.([A-Za-z][A-Za-z0-9_$#]*|"([^"]|"")+"))*(@[A-Za-z][A-Za-z0-9_$#.]*)?$' THEN
    RAISE EXCEPTION 'ORA-44004: invalid qualified SQL name %', s USING ERRCODE = '42602';
  END IF;
  RETURN s;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.assert_schema_name(s text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_namespace WHERE nspname = CASE WHEN s ~ '^".*"$' THEN replace(substr(s, 2, length(s) - 2), '""', '"') ELSE lower(s) END) THEN
    RAISE EXCEPTION 'ORA-44001: invalid schema %', s USING ERRCODE = '3F000';
  END IF;
  RETURN s;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.assert_sql_object_name(s text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
  parts text[] := parse_ident(godwit_compat.assert_qualified_sql_name(s), false);
  object_name text := lower(parts[cardinality(parts)]);
BEGIN
  IF to_regclass(s) IS NULL AND NOT EXISTS (SELECT FROM pg_proc WHERE proname = object_name)
     AND NOT EXISTS (SELECT FROM pg_namespace WHERE nspname = object_name) THEN
    RAISE EXCEPTION 'ORA-44002: invalid object name %', s USING ERRCODE = '42704';
  END IF;
  RETURN s;
END
$$"#,
    ),
    (
        "bitand",
        // BITAND on numbers: the AND of their bits as integers (Oracle wants integers; fractions are
        // cut off), NULL when either is NULL; past 64 bits PostgreSQL says out of range.
        "CREATE OR REPLACE FUNCTION godwit_compat.bitand(a numeric, b numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$ SELECT (trunc(a)::bigint & trunc(b)::bigint)::numeric $$",
    ),
    (
        "files",
        // UTL_FILE and BFILEs over the PostgreSQL server's files. Oracle's directory objects are rows
        // of godwit_compat.directories (name as Oracle spells it, path on the server). Reading uses
        // pg_stat_file/pg_read_binary_file, writing lo_export of the whole file on each FFLUSH and
        // FCLOSE; a file handle is the id of a row in a temporary table of the session's open files;
        // a BFILE is {directory, file name}, opened per session as Oracle's FILEOPEN does.
        r"CREATE TABLE IF NOT EXISTS godwit_compat.directories (name text PRIMARY KEY, path text NOT NULL);
CREATE OR REPLACE FUNCTION godwit_compat.file_path(location text, filename text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
  dir text;
BEGIN
  SELECT d.path INTO dir FROM godwit_compat.directories d WHERE d.name = location;
  IF dir IS NULL OR coalesce(filename, '') = '' OR filename ~ '(^|/)\.\.(/|$)' THEN
    RAISE EXCEPTION 'ORA-29280: invalid directory path' USING ERRCODE = '22023';
  END IF;
  RETURN rtrim(dir, '/') || '/' || filename;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.file_write(path text, data bytea) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  lob oid := lo_from_bytea(0, data);
BEGIN
  BEGIN
    PERFORM lo_export(lob, path);
  EXCEPTION WHEN OTHERS THEN
    RAISE EXCEPTION 'ORA-29283: invalid file operation: %', SQLERRM USING ERRCODE = '58030';
  END;
  PERFORM lo_unlink(lob);
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.file_read(path text) RETURNS bytea
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF (pg_stat_file(path, true)).size IS NULL THEN
    RAISE EXCEPTION 'ORA-29283: invalid file operation: no file %', path USING ERRCODE = '58P01';
  END IF;
  RETURN pg_read_binary_file(path);
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.utl_file_fopen(location text, filename text, open_mode text, max_linesize integer DEFAULT 1024) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  path text := godwit_compat.file_path(location, filename);
  m text := lower(open_mode);
  data bytea := '';
  handle integer;
BEGIN
  IF m IS NULL OR m NOT IN ('r', 'w', 'a', 'rb', 'wb', 'ab') THEN
    RAISE EXCEPTION 'ORA-29281: invalid mode' USING ERRCODE = '22023';
  END IF;
  IF max_linesize IS NULL OR max_linesize NOT BETWEEN 1 AND 32767 THEN
    RAISE EXCEPTION 'ORA-29287: invalid maximum line size' USING ERRCODE = '22023';
  END IF;
  IF m LIKE 'r%' THEN
    data := godwit_compat.file_read(path);
  ELSIF m LIKE 'a%' AND (pg_stat_file(path, true)).size IS NOT NULL THEN
    data := pg_read_binary_file(path);
  ELSE
    PERFORM godwit_compat.file_write(path, data);
  END IF;
  IF to_regclass('pg_temp.godwit_utl_files') IS NULL THEN
    EXECUTE 'CREATE TEMP TABLE godwit_utl_files (id serial PRIMARY KEY, path text, mode text, linesize integer, data bytea, line_bytes integer, position integer)';
  END IF;
  EXECUTE 'INSERT INTO pg_temp.godwit_utl_files (path, mode, linesize, data, line_bytes, position) VALUES ($1, $2, $3, $4, 0, 0) RETURNING id'
    INTO handle USING path, m, max_linesize, data;
  RETURN handle;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.utl_file_is_open(handle integer) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  found_it boolean;
BEGIN
  IF handle IS NULL OR to_regclass('pg_temp.godwit_utl_files') IS NULL THEN
    RETURN false;
  END IF;
  EXECUTE 'SELECT EXISTS (SELECT FROM pg_temp.godwit_utl_files WHERE id = $1)' INTO found_it USING handle;
  RETURN found_it;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.utl_file_mode(handle integer) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  m text;
BEGIN
  IF godwit_compat.utl_file_is_open(handle) THEN
    EXECUTE 'SELECT mode FROM pg_temp.godwit_utl_files WHERE id = $1' INTO m USING handle;
    RETURN m;
  END IF;
  RAISE EXCEPTION 'ORA-29282: invalid file ID' USING ERRCODE = '22023';
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.utl_file_put_raw(handle integer, buffer bytea, autoflush boolean DEFAULT false) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF godwit_compat.utl_file_mode(handle) LIKE 'r%' THEN
    RAISE EXCEPTION 'ORA-29283: invalid file operation' USING ERRCODE = '58030';
  END IF;
  EXECUTE 'UPDATE pg_temp.godwit_utl_files SET data = data || coalesce($2, ''''::bytea) WHERE id = $1' USING handle, buffer;
  IF autoflush THEN
    PERFORM godwit_compat.utl_file_fflush(handle);
  END IF;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.utl_file_put(handle integer, buffer text, new_lines integer DEFAULT 0, autoflush boolean DEFAULT false) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  piece bytea := convert_to(coalesce(buffer, ''), getdatabaseencoding());
  line_size integer;
  line integer;
BEGIN
  IF godwit_compat.utl_file_mode(handle) LIKE 'r%' THEN
    RAISE EXCEPTION 'ORA-29283: invalid file operation' USING ERRCODE = '58030';
  END IF;
  EXECUTE 'SELECT linesize, line_bytes FROM pg_temp.godwit_utl_files WHERE id = $1' INTO line_size, line USING handle;
  IF line + octet_length(piece) > line_size THEN
    RAISE EXCEPTION 'ORA-29285: file write error' USING ERRCODE = '58030';
  END IF;
  EXECUTE 'UPDATE pg_temp.godwit_utl_files SET data = data || $2, line_bytes = CASE WHEN $3 > 0 THEN 0 ELSE line_bytes + octet_length($2) END WHERE id = $1'
    USING handle, piece || convert_to(repeat(chr(10), greatest(new_lines, 0)), getdatabaseencoding()), new_lines;
  IF autoflush THEN
    PERFORM godwit_compat.utl_file_fflush(handle);
  END IF;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.utl_file_fflush(handle integer) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  target text;
  contents bytea;
BEGIN
  IF godwit_compat.utl_file_mode(handle) LIKE 'r%' THEN
    RETURN;
  END IF;
  EXECUTE 'UPDATE pg_temp.godwit_utl_files SET line_bytes = 0 WHERE id = $1 RETURNING path, data' INTO target, contents USING handle;
  PERFORM godwit_compat.file_write(target, contents);
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.utl_file_fclose(handle integer) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM godwit_compat.utl_file_fflush(handle);
  EXECUTE 'DELETE FROM pg_temp.godwit_utl_files WHERE id = $1' USING handle;
  RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.utl_file_fclose_all() RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  handle integer;
BEGIN
  IF to_regclass('pg_temp.godwit_utl_files') IS NOT NULL THEN
    FOR handle IN EXECUTE 'SELECT id FROM pg_temp.godwit_utl_files ORDER BY id' LOOP
      PERFORM godwit_compat.utl_file_fclose(handle);
    END LOOP;
  END IF;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.utl_file_fgetattr(location text, filename text, OUT fexists boolean, OUT file_length bigint) RETURNS record
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  file_length := (pg_stat_file(godwit_compat.file_path(location, filename), true)).size;
  fexists := file_length IS NOT NULL;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.bfile_open(f text[]) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  path text := godwit_compat.file_path(f[1], f[2]);
BEGIN
  IF (pg_stat_file(path, true)).size IS NULL THEN
    RAISE EXCEPTION 'ORA-22288: file or LOB operation FILEOPEN failed: no file %', path USING ERRCODE = '58P01';
  END IF;
  PERFORM set_config('godwit.bfiles_open', coalesce(current_setting('godwit.bfiles_open', true), '') || path || chr(10), false);
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.bfile_isopen(f text[]) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  RETURN CASE WHEN position(chr(10) || godwit_compat.file_path(f[1], f[2]) || chr(10)
    IN chr(10) || coalesce(current_setting('godwit.bfiles_open', true), '')) > 0 THEN 1 ELSE 0 END;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.bfile_close(f text[]) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  path text := godwit_compat.file_path(f[1], f[2]);
BEGIN
  IF godwit_compat.bfile_isopen(f) = 0 THEN
    RAISE EXCEPTION 'ORA-22289: cannot perform FILECLOSE operation on an unopened file or LOB' USING ERRCODE = '55000';
  END IF;
  PERFORM set_config('godwit.bfiles_open', substr(replace(chr(10) || current_setting('godwit.bfiles_open', true), chr(10) || path || chr(10), chr(10)), 2), false);
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.bfile_length(f text[]) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  size bigint := (pg_stat_file(godwit_compat.file_path(f[1], f[2]), true)).size;
BEGIN
  IF size IS NULL THEN
    RAISE EXCEPTION 'ORA-22288: file or LOB operation GETLENGTH failed: no file %', f[2] USING ERRCODE = '58P01';
  END IF;
  RETURN size;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.bfile_read(f text[], amount bigint, src_offset bigint) RETURNS bytea
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  size bigint := godwit_compat.bfile_length(f);
BEGIN
  IF godwit_compat.bfile_isopen(f) = 0 THEN
    RAISE EXCEPTION 'ORA-22289: cannot perform operation on an unopened file or LOB' USING ERRCODE = '55000';
  END IF;
  -- Past the end of the file only with LOBMAXSIZE (read to the end).
  IF amount IS NULL OR amount < 1 OR src_offset IS NULL OR src_offset < 1
     OR (src_offset - 1 + amount > size AND amount < 2147483647) THEN
    RAISE EXCEPTION 'ORA-21560: argument is null, invalid, or out of range' USING ERRCODE = '22023';
  END IF;
  RETURN pg_read_binary_file(godwit_compat.file_path(f[1], f[2]), src_offset - 1, least(amount, greatest(size - src_offset + 1, 0)));
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.bfile_load(dest bytea, f text[], amount bigint, dest_offset bigint DEFAULT 1, src_offset bigint DEFAULT 1) RETURNS bytea
LANGUAGE sql VOLATILE AS $$
  SELECT overlay(rpad_bytes.d placing godwit_compat.bfile_read(f, amount, src_offset) from dest_offset::integer)
  FROM (SELECT coalesce(dest, '') || decode(repeat('00', greatest(dest_offset::integer - 1 - octet_length(coalesce(dest, '')), 0)), 'hex') AS d) rpad_bytes
$$;
CREATE OR REPLACE FUNCTION godwit_compat.bfile_load(dest text, f text[], amount bigint, dest_offset bigint DEFAULT 1, src_offset bigint DEFAULT 1) RETURNS text
LANGUAGE sql VOLATILE AS $$
  SELECT overlay(padded.d placing convert_from(godwit_compat.bfile_read(f, amount, src_offset), getdatabaseencoding()) from dest_offset::integer)
  FROM (SELECT rpad(coalesce(dest, ''), greatest(dest_offset::integer - 1, char_length(coalesce(dest, '')))) AS d) padded
$$;
CREATE OR REPLACE FUNCTION godwit_compat.bfile_exists(f text[]) RETURNS integer
LANGUAGE sql VOLATILE AS $$
  SELECT CASE WHEN (pg_stat_file(godwit_compat.file_path(f[1], f[2]), true)).size IS NULL THEN 0 ELSE 1 END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.bfile_close_all() RETURNS void
LANGUAGE sql VOLATILE AS $$ SELECT set_config('godwit.bfiles_open', '', false) $$",
    ),
    (
        "htp",
        // The PL/SQL web toolkit's page buffer (HTP.P/PRN, OWA_UTIL.MIME_HEADER), kept in a session
        // setting; htp_page() returns the page written so far.
        r"CREATE OR REPLACE FUNCTION godwit_compat.htp_write(piece text, new_line boolean) RETURNS void
LANGUAGE sql VOLATILE AS $$
  SELECT set_config('godwit.htp_page', coalesce(current_setting('godwit.htp_page', true), '')
    || coalesce(piece, '') || CASE WHEN new_line THEN chr(10) ELSE '' END, false)
$$;
CREATE OR REPLACE FUNCTION godwit_compat.htp_init() RETURNS void
LANGUAGE sql VOLATILE AS $$ SELECT set_config('godwit.htp_page', '', false) $$;
CREATE OR REPLACE FUNCTION godwit_compat.htp_mime_header(content_type text, close_header boolean, charset text) RETURNS void
LANGUAGE sql VOLATILE AS $$
  SELECT godwit_compat.htp_write('Content-type: ' || coalesce(content_type, 'text/html')
    || CASE WHEN charset IS NOT NULL THEN '; charset=' || charset ELSE '' END, true);
  SELECT godwit_compat.htp_write('', true) WHERE close_header
$$;
CREATE OR REPLACE FUNCTION godwit_compat.htp_page() RETURNS text
LANGUAGE sql STABLE AS $$ SELECT coalesce(current_setting('godwit.htp_page', true), '') $$",
    ),
    (
        "owa_cgi",
        // OWA's CGI environment: what OWA.INIT_CGI_ENV set in this session (no gateway sets it);
        // OWA_UTIL.GET_CGI_ENV looks a name up without regard to case and, as OWA's loop over
        // OWA.NUM_CGI_VARS does, raises VALUE_ERROR when nothing was set.
        r"CREATE OR REPLACE FUNCTION godwit_compat.owa_init_cgi_env(num integer, names text[], vals text[]) RETURNS void
LANGUAGE sql VOLATILE AS $$
  SELECT set_config('godwit.owa_cgi_num', coalesce(num::text, ''), false),
    set_config('godwit.owa_cgi_names', coalesce(names, '{}')::text, false),
    set_config('godwit.owa_cgi_values', coalesce(vals, '{}')::text, false)
$$;
CREATE OR REPLACE FUNCTION godwit_compat.owa_num_cgi_vars() RETURNS integer
LANGUAGE sql STABLE AS $$ SELECT nullif(current_setting('godwit.owa_cgi_num', true), '')::integer $$;
CREATE OR REPLACE FUNCTION godwit_compat.owa_cgi_var(which text, i integer) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
  arr text[] := coalesce(nullif(current_setting('godwit.owa_cgi_' || which, true), ''), '{}')::text[];
BEGIN
  IF i IS NULL OR array_lower(arr, 1) IS NULL OR i < array_lower(arr, 1) OR i > array_upper(arr, 1) THEN
    RAISE EXCEPTION 'no data found' USING ERRCODE = 'P0002';
  END IF;
  RETURN arr[i];
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.owa_util_get_cgi_env(param_name text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
  n integer := godwit_compat.owa_num_cgi_vars();
BEGIN
  IF n IS NULL THEN
    RAISE EXCEPTION 'ORA-06502: PL/SQL: numeric or value error' USING ERRCODE = '22000';
  END IF;
  FOR i IN 1 .. n LOOP
    IF upper(godwit_compat.owa_cgi_var('names', i)) = upper(param_name) THEN
      RETURN godwit_compat.owa_cgi_var('values', i);
    END IF;
  END LOOP;
  RETURN NULL;
END
$$",
    ),
    (
        "raw_integer",
        // UTL_RAW.CAST_TO_BINARY_INTEGER / CAST_FROM_BINARY_INTEGER: up to 4 bytes as a signed
        // integer, big endian (1) or little endian (2).
        r"CREATE OR REPLACE FUNCTION godwit_compat.raw_to_integer(r bytea, endianess integer) RETURNS integer
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  v bigint := 0;
  n integer := length(r);
BEGIN
  IF r IS NULL THEN
    RETURN NULL;
  END IF;
  FOR i IN 0 .. n - 1 LOOP
    v := v * 256 + get_byte(r, CASE WHEN endianess = 2 THEN n - 1 - i ELSE i END);
  END LOOP;
  IF n = 4 AND v >= 2147483648 THEN
    v := v - 4294967296;
  END IF;
  RETURN v;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.integer_to_raw(value numeric, endianess integer) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  r bytea := '\x00000000';
  u bigint := trunc(value);
BEGIN
  IF value IS NULL THEN
    RETURN NULL;
  END IF;
  IF u < 0 THEN
    u := u + 4294967296;
  END IF;
  FOR i IN 0 .. 3 LOOP
    r := set_byte(r, CASE WHEN endianess = 2 THEN i ELSE 3 - i END, (u % 256)::integer);
    u := u / 256;
  END LOOP;
  RETURN r;
END
$$",
    ),
    (
        "xml_entities",
        // DBMS_XMLGEN.CONVERT: XML's five entities encoded (0) or decoded (1).
        r#"CREATE OR REPLACE FUNCTION godwit_compat.xml_entities(value text, flag integer) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN flag = 1 THEN
    replace(replace(replace(replace(replace(value, '&lt;', '<'), '&gt;', '>'), '&quot;', '"'), '&apos;', ''''), '&amp;', '&')
  ELSE
    replace(replace(replace(replace(replace(value, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&apos;')
  END
$$"#,
    ),
    (
        "xml",
        // XMLType's EXTRACT, EXISTSNODE and EXTRACTVALUE over PostgreSQL's xpath(). Oracle's namespace
        // string ('xmlns:a="uri" …') becomes xpath's prefix array. XPath 1.0 has no default
        // namespace, so a default one (xmlns="uri") gets the prefix godwit_default, which the path's
        // unprefixed element names (after /, [, ( or ::, not attributes or functions) are given.
        r#"CREATE OR REPLACE FUNCTION godwit_compat.xml_namespaces(ns text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  pairs text[];
  default_uri text := (regexp_match(coalesce(ns, ''), 'xmlns\s*=\s*"([^"]*)"'))[1];
BEGIN
  SELECT array_agg(ARRAY[m[1], m[2]]) INTO pairs
    FROM regexp_matches(coalesce(ns, ''), 'xmlns:(\w+)\s*=\s*"([^"]*)"', 'g') m;
  pairs := coalesce(pairs, '{}');
  IF default_uri IS NOT NULL THEN
    pairs := pairs || ARRAY[ARRAY['godwit_default', default_uri]];
  END IF;
  RETURN pairs;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.xml_path(path text, ns text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN coalesce(ns, '') ~ 'xmlns\s*='
    THEN regexp_replace(path, '(^|[/\[(]|::)([A-Za-z_][A-Za-z0-9_.-]*)(?![A-Za-z0-9_.:(-])', '\1godwit_default:\2', 'g')
    ELSE path END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.xml_extract(doc xml, path text, ns text DEFAULT NULL) RETURNS xml
LANGUAGE sql IMMUTABLE AS $$
  SELECT nullif(array_to_string(xpath(godwit_compat.xml_path(path, ns), doc, godwit_compat.xml_namespaces(ns))::text[], ''), '')::xml
$$;
CREATE OR REPLACE FUNCTION godwit_compat.xml_existsnode(doc xml, path text, ns text DEFAULT NULL) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN doc IS NULL THEN NULL
    WHEN xpath_exists(godwit_compat.xml_path(path, ns), doc, godwit_compat.xml_namespaces(ns)) THEN 1 ELSE 0 END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.xml_extractvalue(doc xml, path text, ns text DEFAULT NULL) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT nullif((xpath('string(' || godwit_compat.xml_path(path, ns) || ')', doc, godwit_compat.xml_namespaces(ns)))[1]::text, '')
$$;
CREATE OR REPLACE FUNCTION godwit_compat.xml_sequence(doc xml, path text, ns text DEFAULT NULL) RETURNS SETOF xml
LANGUAGE sql IMMUTABLE AS $$
  SELECT unnest(xpath(godwit_compat.xml_path(path, ns), doc, godwit_compat.xml_namespaces(ns)))
$$"#,
    ),
    (
        "url",
        // UTL_URL.ESCAPE / UNESCAPE over UTF-8: characters outside Oracle's unreserved set become
        // %XX; the reserved ones (; / ? : @ & = + $ , [ ]) only when asked; % itself is kept.
        r#"CREATE OR REPLACE FUNCTION godwit_compat.url_escape(url text, escape_reserved boolean DEFAULT false) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  result text := '';
  c text;
  b bytea;
BEGIN
  IF url IS NULL THEN
    RETURN NULL;
  END IF;
  FOR i IN 1 .. length(url) LOOP
    c := substr(url, i, 1);
    IF c ~ '^[A-Za-z0-9_.!~*''()%-]$'
       OR (NOT coalesce(escape_reserved, false) AND c ~ '^[][;/?:@&=+$,]$') THEN
      result := result || c;
    ELSE
      b := convert_to(c, 'UTF8');
      FOR j IN 0 .. length(b) - 1 LOOP
        result := result || '%' || upper(lpad(to_hex(get_byte(b, j)), 2, '0'));
      END LOOP;
    END IF;
  END LOOP;
  RETURN result;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.url_unescape(url text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  bytes bytea := '';
  i integer := 1;
BEGIN
  IF url IS NULL THEN
    RETURN NULL;
  END IF;
  WHILE i <= length(url) LOOP
    IF substr(url, i, 1) = '%' AND substr(url, i + 1, 2) ~ '^[0-9A-Fa-f]{2}$' THEN
      bytes := bytes || decode(substr(url, i + 1, 2), 'hex');
      i := i + 3;
    ELSE
      bytes := bytes || convert_to(substr(url, i, 1), 'UTF8');
      i := i + 1;
    END IF;
  END LOOP;
  RETURN convert_from(bytes, 'UTF8');
END
$$"#,
    ),
    (
        "add_months",
        // Oracle: the day of month is kept; when the date is the last day of its month, or the target
        // month is shorter, the result is the last day of the target month. Fractions of n are dropped.
        "CREATE OR REPLACE FUNCTION godwit_compat.add_months(d timestamp, n numeric) RETURNS timestamp
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN d IS NULL OR n IS NULL THEN NULL
    WHEN d::date = (date_trunc('month', d) + interval '1 month - 1 day')::date
      THEN (date_trunc('month', d) + make_interval(months => trunc(n)::int) + interval '1 month - 1 day')::date + d::time
    ELSE d + make_interval(months => trunc(n)::int)
  END
$$",
    ),
    (
        "last_day",
        "CREATE OR REPLACE FUNCTION godwit_compat.last_day(d timestamp) RETURNS timestamp
LANGUAGE sql IMMUTABLE AS $$
  SELECT (date_trunc('month', d) + interval '1 month - 1 day')::date + d::time
$$",
    ),
    (
        "months_between",
        // Whole months when both days of month are equal or both are month ends; else the remainder in
        // 31-day months, time of day included.
        "CREATE OR REPLACE FUNCTION godwit_compat.months_between(d1 timestamp, d2 timestamp) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN extract(day FROM d1) = extract(day FROM d2)
      OR (d1::date = godwit_compat.last_day(d1)::date AND d2::date = godwit_compat.last_day(d2)::date)
      THEN ((extract(year FROM d1) - extract(year FROM d2)) * 12 + extract(month FROM d1) - extract(month FROM d2))::numeric
    ELSE ((extract(year FROM d1) - extract(year FROM d2)) * 12 + extract(month FROM d1) - extract(month FROM d2))::numeric
      + ((extract(day FROM d1) - extract(day FROM d2))::numeric
         + (extract(epoch FROM d1::time) - extract(epoch FROM d2::time))::numeric / 86400) / 31
  END
$$",
    ),
    (
        "instr",
        // INSTR(s, sub [, position [, occurrence]]): a negative position counts from the end and
        // searches backwards. 0 when not found, NULL when an argument is NULL. Text or bytes
        // (DBMS_LOB.INSTR on a BLOB).
        "CREATE OR REPLACE FUNCTION godwit_compat.instr(s anycompatible, sub anycompatible, pos integer DEFAULT 1, occurrence integer DEFAULT 1)
RETURNS integer LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  i integer;
  found integer := 0;
  len integer := length(s);
  sublen integer := length(sub);
BEGIN
  IF s IS NULL OR sub IS NULL OR pos IS NULL OR occurrence IS NULL THEN RETURN NULL; END IF;
  IF occurrence < 1 THEN RAISE EXCEPTION 'argument ''%'' is out of range', occurrence USING ERRCODE = '22003'; END IF;
  IF pos > 0 THEN
    i := pos;
    WHILE i + sublen - 1 <= len LOOP
      IF substr(s, i, sublen) = sub THEN
        found := found + 1;
        IF found = occurrence THEN RETURN i; END IF;
      END IF;
      i := i + 1;
    END LOOP;
  ELSIF pos < 0 THEN
    i := len + pos + 1;
    IF i + sublen - 1 > len THEN i := len - sublen + 1; END IF;
    WHILE i >= 1 LOOP
      IF substr(s, i, sublen) = sub THEN
        found := found + 1;
        IF found = occurrence THEN RETURN i; END IF;
      END IF;
      i := i - 1;
    END LOOP;
  END IF;
  RETURN 0;
END
$$",
    ),
    (
        "substr",
        // SUBSTR(s, position [, length]): a negative position counts from the end, 0 is 1, a length
        // below 1 gives NULL (Oracle's empty string).
        "CREATE OR REPLACE FUNCTION godwit_compat.substr(s text, pos integer, len integer DEFAULT NULL) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN s IS NULL OR pos IS NULL THEN NULL
    WHEN len IS NOT NULL AND len < 1 THEN NULL
    WHEN pos < 0 AND -pos > length(s) THEN NULL
    ELSE nullif(CASE WHEN len IS NULL
                     THEN pg_catalog.substr(s, CASE WHEN pos > 0 THEN pos WHEN pos = 0 THEN 1 ELSE length(s) + pos + 1 END)
                     ELSE pg_catalog.substr(s, CASE WHEN pos > 0 THEN pos WHEN pos = 0 THEN 1 ELSE length(s) + pos + 1 END, len) END, '')
  END
$$",
    ),
    (
        "next_day",
        // NEXT_DAY(d, 'MONDAY'): the first such weekday after d (English day names or abbreviations).
        "CREATE OR REPLACE FUNCTION godwit_compat.next_day(d timestamp, day_name text) RETURNS timestamp
LANGUAGE sql IMMUTABLE AS $$
  SELECT d + make_interval(days => ((
    (array_position(ARRAY['SUN','MON','TUE','WED','THU','FRI','SAT'], upper(left(trim(day_name), 3))) - 1)
    - extract(dow FROM d)::int + 6) % 7) + 1)
$$",
    ),
    (
        "trunc",
        // TRUNC(date [, format]) next to PostgreSQL's own trunc(number [, digits]).
        "CREATE OR REPLACE FUNCTION godwit_compat.trunc(d timestamp, fmt text DEFAULT 'DD') RETURNS timestamp
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE upper(fmt)
    WHEN 'DD' THEN date_trunc('day', d) WHEN 'DDD' THEN date_trunc('day', d) WHEN 'J' THEN date_trunc('day', d)
    WHEN 'MM' THEN date_trunc('month', d) WHEN 'MON' THEN date_trunc('month', d) WHEN 'MONTH' THEN date_trunc('month', d)
    WHEN 'RM' THEN date_trunc('month', d)
    WHEN 'YYYY' THEN date_trunc('year', d) WHEN 'YYY' THEN date_trunc('year', d) WHEN 'YY' THEN date_trunc('year', d)
    WHEN 'Y' THEN date_trunc('year', d) WHEN 'YEAR' THEN date_trunc('year', d) WHEN 'SYYYY' THEN date_trunc('year', d)
    WHEN 'Q' THEN date_trunc('quarter', d)
    WHEN 'IW' THEN date_trunc('week', d)
    WHEN 'HH' THEN date_trunc('hour', d) WHEN 'HH12' THEN date_trunc('hour', d) WHEN 'HH24' THEN date_trunc('hour', d)
    WHEN 'MI' THEN date_trunc('minute', d)
    ELSE NULL
  END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.trunc(n numeric, places integer DEFAULT 0) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$ SELECT pg_catalog.trunc(n, places) $$;
CREATE OR REPLACE FUNCTION godwit_compat.trunc(n double precision, places integer DEFAULT 0) RETURNS double precision
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN places = 0 THEN pg_catalog.trunc(n) ELSE pg_catalog.trunc(n::numeric, places)::double precision END
$$",
    ),
    (
        "round",
        // ROUND(date [, format]): days round up from noon, months from the 16th, quarters from the 16th
        // of their second month, years from July 1, ISO weeks to the nearest Monday, hours from :30,
        // minutes from :30 seconds. Numbers round half away from zero, as PostgreSQL's round(numeric).
        "CREATE OR REPLACE FUNCTION godwit_compat.round(d timestamp, fmt text DEFAULT 'DD') RETURNS timestamp
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN upper(fmt) IN ('DD', 'DDD', 'J') THEN date_trunc('day', d + interval '12 hours')
    WHEN upper(fmt) IN ('MM', 'MON', 'MONTH', 'RM') THEN date_trunc('month', d)
      + CASE WHEN extract(day FROM d) >= 16 THEN interval '1 month' ELSE interval '0' END
    WHEN upper(fmt) IN ('YYYY', 'YYY', 'YY', 'Y', 'YEAR', 'SYYYY', 'SYEAR') THEN date_trunc('year', d)
      + CASE WHEN extract(month FROM d) >= 7 THEN interval '1 year' ELSE interval '0' END
    WHEN upper(fmt) = 'Q' THEN date_trunc('quarter', d)
      + CASE WHEN d >= date_trunc('quarter', d) + interval '1 month 15 days' THEN interval '3 months' ELSE interval '0' END
    WHEN upper(fmt) = 'IW' THEN date_trunc('week', d + interval '3 days 12 hours')
    WHEN upper(fmt) IN ('HH', 'HH12', 'HH24') THEN date_trunc('hour', d + interval '30 minutes')
    WHEN upper(fmt) = 'MI' THEN date_trunc('minute', d + interval '30 seconds')
  END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.round(n numeric, places integer DEFAULT 0) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$ SELECT pg_catalog.round(n, places) $$;
CREATE OR REPLACE FUNCTION godwit_compat.round(n numeric, places numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$ SELECT pg_catalog.round(n, trunc(places)::integer) $$;
CREATE OR REPLACE FUNCTION godwit_compat.round(n double precision, places integer DEFAULT 0) RETURNS double precision
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN places = 0 THEN pg_catalog.round(n) ELSE pg_catalog.round(n::numeric, places)::double precision END
$$",
    ),
    (
        "to_date",
        // TO_DATE / TO_TIMESTAMP read the text in UTC, so that a local time inside a daylight-saving gap
        // keeps its clock value, as Oracle's DATE and TIMESTAMP (which have no time zone) do.
        "CREATE OR REPLACE FUNCTION godwit_compat.to_date(s text, fmt text) RETURNS timestamp
LANGUAGE sql IMMUTABLE STRICT SET timezone = 'UTC' AS $$ SELECT pg_catalog.to_timestamp(s, fmt)::timestamp(0) $$;
-- Oracle reads up to nine fractional digits (FF); PostgreSQL's US at most six: longer fractions are
-- added as seconds, rounded to the microsecond as a TIMESTAMP(6) column rounds them.
CREATE OR REPLACE FUNCTION godwit_compat.to_timestamp(s text, fmt text) RETURNS timestamp
LANGUAGE sql IMMUTABLE STRICT SET timezone = 'UTC' AS $$
  SELECT CASE WHEN x.fraction IS NULL THEN pg_catalog.to_timestamp(s, fmt)::timestamp
    ELSE pg_catalog.to_timestamp(regexp_replace(s, '([.,])[0-9]{7,9}', '\\1000000'), fmt)::timestamp
      + ('0.' || x.fraction)::numeric * interval '1 second'
  END
  FROM (SELECT (regexp_match(s, '[.,]([0-9]{7,9})'))[1] AS fraction) AS x
$$",
    ),
];

/// The definitions of the named helpers, in a stable order, preceded by the schema.
pub fn definitions(used: &std::collections::BTreeSet<&'static str>) -> Vec<String> {
    if used.is_empty() {
        return Vec::new();
    }
    let mut out = vec![format!("CREATE SCHEMA IF NOT EXISTS {SCHEMA}")];
    // months_between uses last_day.
    let needs_last_day = used.contains("months_between");
    for (name, sql) in HELPERS {
        if used.contains(name) || (*name == "last_day" && needs_last_day) {
            out.extend(sql.split(";\nCREATE").enumerate().map(|(i, part)| {
                if i == 0 {
                    part.to_string()
                } else {
                    format!("CREATE{part}")
                }
            }));
        }
    }
    out
}
