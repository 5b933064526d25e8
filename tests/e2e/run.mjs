#!/usr/bin/env node
// End-to-end test of the real Godwit Studio desktop app, driven through tauri-driver
// (W3C WebDriver) with no dependencies beyond Node 20's fetch.
//
// Environment:
//   GODWIT_APP        absolute path of the built godwit-desktop binary (custom-protocol build)
//   GODWIT_TEST_PG    postgresql://user:pass@host:port/db of a disposable PostgreSQL
//   WEBDRIVER_URL     tauri-driver endpoint (default http://127.0.0.1:4444)
//   GODWIT_DATA_DIR   the app's data dir (checked for leaked passwords when set)
//   GODWIT_E2E_ARTIFACTS  directory for failure screenshots (optional)
//   GODWIT_E2E_SCREENSHOTS=1  also screenshot after every passing test (into GODWIT_E2E_ARTIFACTS)
//
// Prints one line per test and a closing "N passed, N failed"; exits non-zero on any failure.

import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const DRIVER = (process.env.WEBDRIVER_URL ?? "http://127.0.0.1:4444").replace(/\/$/, "");
const APP = process.env.GODWIT_APP;
const PG = process.env.GODWIT_TEST_PG;
const DATA_DIR = process.env.GODWIT_DATA_DIR;
const ARTIFACTS = process.env.GODWIT_E2E_ARTIFACTS;
const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

if (!APP || !PG) {
  console.error("GODWIT_APP and GODWIT_TEST_PG must be set");
  console.log("0 passed, 1 failed");
  process.exit(2);
}

/** Connection parts of the test database, from its URL. */
function pgParts(raw) {
  const u = new URL(raw);
  return {
    host: u.hostname || "localhost",
    port: u.port || "5432",
    database: decodeURIComponent(u.pathname.replace(/^\//, "")) || "postgres",
    username: decodeURIComponent(u.username) || "postgres",
    password: decodeURIComponent(u.password),
  };
}
const pg = pgParts(PG);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function wd(method, path, body) {
  const res = await fetch(`${DRIVER}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) {
    const v = json.value ?? {};
    const err = new Error(`${method} ${path}: ${v.error ?? res.status} ${v.message ?? ""}`.trim());
    err.wdError = v.error;
    throw err;
  }
  return json.value;
}

async function waitFor(what, fn, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      if (e.fatal) throw e;
      last = e;
    }
    await sleep(150);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (${last.message})` : ""}`);
}

let session;
const s = (p) => `/session/${session}${p}`;

/** Launches the app in a new WebDriver session. */
async function openApp() {
  const created = await wd("POST", "/session", {
    capabilities: { alwaysMatch: { browserName: "wry", "tauri:options": { application: APP } } },
  });
  session = created.sessionId;
}

/** Quits the app (closing its window) and launches it again, on the same data dir and keyring. */
async function restartApp() {
  await wd("DELETE", s(""));
  session = undefined;
  await openApp();
  await waitEl('[data-testid="nav-connections"]', 30000);
}

async function find(css, from) {
  const path = from ? s(`/element/${from}/element`) : s("/element");
  const v = await wd("POST", path, { using: "css selector", value: css });
  return v[ELEMENT];
}
async function findAll(css, from) {
  const path = from ? s(`/element/${from}/elements`) : s("/elements");
  const v = await wd("POST", path, { using: "css selector", value: css });
  return v.map((e) => e[ELEMENT]);
}
const waitEl = (css, timeoutMs) => waitFor(`element ${css}`, () => find(css), timeoutMs);
const click = (id) => wd("POST", s(`/element/${id}/click`), {});
const text = (id) => wd("GET", s(`/element/${id}/text`));
async function type(css, value) {
  const id = await waitEl(css);
  await wd("POST", s(`/element/${id}/clear`), {});
  if (value !== "") await wd("POST", s(`/element/${id}/value`), { text: value });
}
async function waitText(css, predicate, what, timeoutMs) {
  let seen;
  try {
    return await waitFor(
      what,
      async () => {
        seen = await text(await find(css));
        return predicate(seen) ? seen : null;
      },
      timeoutMs,
    );
  } catch (e) {
    if (seen !== undefined) e.message += ` (last seen: ${JSON.stringify(seen)})`;
    throw e;
  }
}
/** Chooses the option with `value` in the <select> at `css` (a real click on the option). */
async function choose(css, value) {
  const select = await waitEl(css);
  await click(await find(`option[value="${value}"]`, select));
  await waitFor(`${css} to hold ${value}`, async () => (await wd("GET", s(`/element/${select}/property/value`))) === value);
}
const attr = (id, name) => wd("GET", s(`/element/${id}/attribute/${name}`));
const fieldValue = async (css) => wd("GET", s(`/element/${await find(css)}/property/value`));
/** Chooses the option whose text is `label` in the <select> at `css`; returns its value. */
async function chooseLabelled(css, label) {
  const select = await waitEl(css);
  for (const option of await findAll("option", select)) {
    if ((await text(option)).trim() === label) {
      const value = await wd("GET", s(`/element/${option}/property/value`));
      await click(option);
      await waitFor(`${css} to hold ${label}`, async () => (await wd("GET", s(`/element/${select}/property/value`))) === value);
      return value;
    }
  }
  throw new Error(`${css} has no option "${label}"`);
}
async function cardNamed(name) {
  for (const id of await findAll('[data-testid="profile-card"]')) {
    if ((await wd("GET", s(`/element/${id}/attribute/data-name`))) === name) return id;
  }
  return null;
}

const results = [];
async function screenshot(name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await sleep(500); // the painted pixels lag the DOM a little
  const png = await wd("GET", s("/screenshot"));
  const file = join(ARTIFACTS, `${name.replace(/[^a-z0-9]+/gi, "-")}.png`);
  writeFileSync(file, Buffer.from(png, "base64"));
  return file;
}

async function test(name, fn) {
  let passedNow = false;
  try {
    await fn();
    results.push(true);
    console.log(`ok - ${name}`);
    passedNow = true;
    if (ARTIFACTS && session && process.env.GODWIT_E2E_SCREENSHOTS === "1") await screenshot(name).catch(() => {});
  } catch (e) {
    results.push(false);
    console.log(`not ok - ${name}: ${e.message}`);
    if (ARTIFACTS && session) {
      try {
        console.log(`  screenshot: ${await screenshot(name)}`);
      } catch {
        // a screenshot is a convenience; the failure is already reported
      }
    }
  }
  return passedNow;
}
const skip = (name, why) => console.log(`skip - ${name}: ${why}`);

function filesUnder(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** URL of another database on the test server. */
function dbUrl(database) {
  const u = new URL(PG);
  u.pathname = `/${database}`;
  return u.toString();
}
/** Runs SQL through psql on `database`; returns its unaligned output, trimmed. */
function sql(database, query, vars = {}) {
  const args = [dbUrl(database), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1"];
  for (const [k, v] of Object.entries(vars)) args.push("-v", `${k}=${v}`);
  args.push(...(query.startsWith("-f ") ? ["-f", query.slice(3)] : ["-c", query]));
  return execFileSync("psql", args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PGCONNECT_TIMEOUT: "10" },
  })
    .toString()
    .trim();
}

const PROFILE = "E2E shop";
const ORACLE_SCRIPTS = "E2E Oracle scripts";
const ORACLE_LIVE = "E2E Oracle live";
const ORACLE_SECRET = "e2e-Oracle-Secret-5d8f1c";
const SHOP_SQL = join(HERE, "oracle_shop.sql");
const SHOP_COUNTS = {
  "summary-converted": "7 converted",
  "summary-with-findings": "1 with findings",
  "summary-not-converted": "2 not converted",
};

/** Fails unless the Conversion summary shows the fixture's counts. */
async function expectShopSummary() {
  await waitEl('[data-testid="conversion-summary"]', 30000);
  for (const [id, expected] of Object.entries(SHOP_COUNTS)) {
    const t = (await text(await find(`[data-testid="${id}"]`))).trim();
    if (t !== expected) throw new Error(`${id} shows "${t}", expected "${expected}"`);
  }
}

/** The text of the test error on the card named `name`, once there is one. */
async function cardError(name, timeoutMs = 30000) {
  return waitFor(
    `the test error of "${name}"`,
    async () => {
      const c = await cardNamed(name);
      if ((await findAll('[data-testid="test-result"]', c)).length) {
        throw Object.assign(new Error(`"${name}" tested fine, an error was expected`), { fatal: true });
      }
      const err = await findAll('[data-testid="test-error"]', c);
      return err.length ? text(err[0]) : null;
    },
    timeoutMs,
  );
}

async function main() {
  // Fixture first: the test owns schema e2e_shop in the test database.
  await test("fixture schema e2e_shop is created", async () => {
    execFileSync("psql", [PG, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", join(HERE, "fixture.sql")], {
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, PGCONNECT_TIMEOUT: "10" },
    });
  });

  await waitFor("tauri-driver to be ready", async () => (await wd("GET", "/status")).ready, 30000);
  await openApp();

  try {
    const opened = await test("the Godwit window opens on Connections", async () => {
      await waitFor(
        "the Godwit UI",
        async () => {
          const body = await text(await find("body"));
          if (/Could not connect to localhost/.test(body)) {
            throw Object.assign(new Error("the app loads the dev server: build it with --features tauri/custom-protocol"), {
              fatal: true,
            });
          }
          return (await findAll('[data-testid="nav-connections"]')).length > 0;
        },
        30000,
      );
      await waitText("h1", (t) => t.includes("Connections"), "Connections heading");
    });
    if (!opened) throw new Error("the app window never showed Godwit's UI; later tests not run");

    await test("Oracle databases and Oracle script sources are offered", async () => {
      await click(await waitEl('[data-testid="new-connection"]'));
      for (const engine of ["postgres", "oracle", "oracleScript"]) {
        const option = await waitEl(`[data-testid="engine-${engine}"]`);
        if ((await wd("GET", s(`/element/${option}/enabled`))) !== true) throw new Error(`the ${engine} option is disabled`);
      }
      if ((await findAll('[data-testid="engine-unavailable"]')).length) throw new Error("an engine is still marked unavailable");
      await click(await find('[data-testid="engine-oracle"]'));
      await waitFor("Oracle's default port", async () => (await fieldValue('[data-testid="field-port"]')) === "1521");
      await waitText('[data-testid="engine-note"]', (t) => /Instant Client/.test(t), "the Oracle note");
      await click(await find('[data-testid="engine-oracleScript"]'));
      await waitEl('[data-testid="field-path"]');
      if ((await findAll('[data-testid="field-password"]')).length) throw new Error("a script source asks for a password");
      await click(await find('[data-testid="engine-postgres"]'));
      await waitFor("PostgreSQL's default port", async () => (await fieldValue('[data-testid="field-port"]')) === "5432");
    });

    await test("a PostgreSQL profile is created", async () => {
      await type('[data-testid="field-name"]', PROFILE);
      await type('[data-testid="field-host"]', pg.host);
      await type('[data-testid="field-port"]', String(pg.port));
      await type('[data-testid="field-database"]', pg.database);
      await type('[data-testid="field-username"]', pg.username);
      await type('[data-testid="field-password"]', pg.password);
      await click(await find('[data-testid="env-test"]'));
      await click(await find('[data-testid="save-connection"]'));
      const card = await waitFor(`profile card "${PROFILE}"`, () => cardNamed(PROFILE));
      const badge = await text(await find('[data-testid="env-badge"]', card));
      if (badge !== "TEST") throw new Error(`environment badge shows "${badge}", expected TEST`);
    });

    await test("testing the connection shows the server version", async () => {
      const card = await cardNamed(PROFILE);
      await click(await find('[data-testid="test-connection"]', card));
      const version = await waitFor(
        "server version or error",
        async () => {
          const c = await cardNamed(PROFILE);
          const err = await findAll('[data-testid="test-error"]', c);
          if (err.length) throw Object.assign(new Error(`test failed: ${await text(err[0])}`), { fatal: true });
          const v = await findAll('[data-testid="server-version"]', c);
          return v.length ? text(v[0]) : null;
        },
        20000,
      );
      if (!/PostgreSQL \d+/.test(version)) throw new Error(`server version shows "${version}"`);
      const latency = await text(await find('[data-testid="latency"]', await cardNamed(PROFILE)));
      if (!/\d+(\.\d+)? ms/.test(latency)) throw new Error(`latency shows "${latency}"`);
    });

    await test("testing an unreachable server shows an actionable error", async () => {
      const name = "E2E unreachable";
      const secret = pg.password || "e2e-not-a-real-password";
      await click(await waitEl('[data-testid="new-connection"]'));
      await type('[data-testid="field-name"]', name);
      await type('[data-testid="field-host"]', "127.0.0.1");
      await type('[data-testid="field-port"]', "1");
      await type('[data-testid="field-database"]', pg.database);
      await type('[data-testid="field-username"]', pg.username);
      await type('[data-testid="field-password"]', secret);
      await click(await find('[data-testid="save-connection"]'));
      await click(await find('[data-testid="test-connection"]', await waitFor(`card "${name}"`, () => cardNamed(name))));
      const message = await waitFor(
        "error message",
        async () => {
          const err = await findAll('[data-testid="test-error"]', await cardNamed(name));
          return err.length ? text(err[0]) : null;
        },
        30000,
      );
      if (message.trim().length < 10) throw new Error(`error message too short: "${message}"`);
      if (message.includes(secret)) throw new Error("the error message contains the password");
      console.log(`  message: ${message}`);
      await click(await find('[data-testid="delete-connection"]', await cardNamed(name)));
      await click(await waitEl('[data-testid="confirm-delete"]'));
      await waitFor(`card "${name}" to go`, async () => (await cardNamed(name)) === null);
    });

    if (pg.password && DATA_DIR) {
      await test("the password is kept out of the data dir", async () => {
        for (const f of filesUnder(DATA_DIR)) {
          if (readFileSync(f).includes(Buffer.from(pg.password))) throw new Error(`password found in ${f}`);
        }
      });
    } else {
      skip("the password is kept out of the data dir", "GODWIT_TEST_PG has no password or GODWIT_DATA_DIR is unset");
    }

    await test("Discovery lists the fixture table with its statistics", async () => {
      await click(await find('[data-testid="discover-connection"]', await cardNamed(PROFILE)));
      await waitEl('[data-testid="schema-tree"]', 30000);
      await waitEl('[data-testid="schema-e2e_shop"]');
      await waitText('[data-testid="catalog-counts"]', (t) => /\d+ Tables?/.test(t), "object counts");
      await type('[data-testid="tree-filter"]', "orders");
      const row = await waitEl('[data-testid="object-e2e_shop-table-orders"]');
      const stats = await text(await find('[data-testid="table-stats"]', row));
      if (!/~500 rows/.test(stats)) throw new Error(`table stats show "${stats}", expected ~500 rows`);
      const customers = await findAll('[data-testid="object-e2e_shop-table-customers"]');
      if (customers.length) throw new Error("the name filter left table customers visible");
    });

    await test("opening the table shows its DDL", async () => {
      await click(await find('[data-testid="object-e2e_shop-table-orders"]'));
      const ddl = await waitText('[data-testid="ddl-text"]', (t) => t.length > 0, "DDL text");
      if (!/CREATE TABLE/.test(ddl)) throw new Error(`DDL lacks CREATE TABLE: ${ddl.slice(0, 200)}`);
      if (!/orders/.test(ddl)) throw new Error(`DDL does not name orders: ${ddl.slice(0, 200)}`);
    });

    await test("editing the profile changes its environment", async () => {
      await click(await waitEl('[data-testid="nav-connections"]'));
      await click(await find('[data-testid="edit-connection"]', await waitFor("card", () => cardNamed(PROFILE))));
      await click(await waitEl('[data-testid="env-prod"]'));
      await click(await find('[data-testid="save-connection"]'));
      await waitFor("PROD badge", async () => {
        const c = await cardNamed(PROFILE);
        return c && (await text(await find('[data-testid="env-badge"]', c))) === "PROD";
      });
    });

    await test("deleting the profile removes it", async () => {
      await click(await find('[data-testid="delete-connection"]', await cardNamed(PROFILE)));
      await click(await waitEl('[data-testid="confirm-delete"]'));
      await waitEl('[data-testid="no-profiles"]');
    });

    // Conversion: the Oracle fixture script (tests/e2e/oracle_shop.sql) converted offline.
    await test("Conversion reports a path it cannot read, naming it", async () => {
      await click(await waitEl('[data-testid="nav-conversion"]'));
      await waitText("h1", (t) => t.includes("Conversion"), "Conversion heading");
      const missing = join(HERE, "no-such-script.sql");
      await type('[data-testid="conversion-path"]', missing);
      await click(await find('[data-testid="convert"]'));
      const message = await waitText('[data-testid="conversion-error"]', (t) => t.length > 0, "conversion error");
      if (!message.includes(missing)) throw new Error(`the error does not name the file: "${message}"`);
    });

    await test("converting the Oracle fixture shows the summary", async () => {
      await type('[data-testid="conversion-path"]', SHOP_SQL);
      await click(await find('[data-testid="convert"]'));
      await expectShopSummary();
      await waitEl('[data-testid="conv-object-table-public.orders"]');
    });

    await test("filtering by not converted shows the CONNECT BY view", async () => {
      await choose('[data-testid="filter-status"]', "notConverted");
      await waitFor("the table list to narrow", async () => (await findAll('[data-testid="conv-object-table-public.orders"]')).length === 0);
      const view = await waitEl('[data-testid="conv-object-view-public.category_tree"]');
      for (const badge of await findAll('[data-testid="status-badge"]')) {
        const t = await text(badge);
        if (t !== "Not converted") throw new Error(`a listed object is "${t}"`);
      }
      await click(view);
      await waitText('[data-testid="not-converted"]', (t) => /not converted/i.test(t), "not converted notice");
      const ids = await Promise.all((await findAll('[data-testid="finding"]')).map((f) => attr(f, "data-finding-id")));
      if (!ids.includes("GW-SQL-CONNECT-BY")) throw new Error(`findings are ${ids.join(", ") || "none"}`);
      const oracle = await text(await find('[data-testid="oracle-pane"]'));
      if (!/CONNECT BY/.test(oracle)) throw new Error(`the Oracle pane lacks CONNECT BY: ${oracle.slice(0, 200)}`);
      await choose('[data-testid="filter-status"]', "all");
    });

    await test("a converted table shows its PostgreSQL SQL beside a marked diff", async () => {
      await choose('[data-testid="filter-kind"]', "TABLE");
      if ((await findAll('[data-testid="conv-object-view-public.customer_credit"]')).length) {
        throw new Error("the kind filter left a view visible");
      }
      await click(await waitEl('[data-testid="conv-object-table-public.orders"]'));
      const sql = await waitText('[data-testid="postgres-pane"]', (t) => /CREATE TABLE/.test(t), "CREATE TABLE in the PostgreSQL pane");
      if (!/public\.orders/.test(sql)) throw new Error(`the PostgreSQL pane does not name orders: ${sql.slice(0, 200)}`);
      const oracle = await text(await find('[data-testid="oracle-pane"]'));
      if (!/NUMBER\(10\)/.test(oracle)) throw new Error(`the Oracle pane lacks NUMBER(10): ${oracle.slice(0, 200)}`);
      const marked = await findAll('[data-testid="postgres-pane"] tr[data-tag="replace"]');
      if (!marked.length) throw new Error("no diff row is marked as replaced");
      const words = await findAll('[data-testid="postgres-pane"] [data-testid="changed-words"]');
      if (!words.length) throw new Error("no changed word is highlighted");
    });

    await test("clicking a finding highlights its Oracle line", async () => {
      const finding = await waitFor("the DISABLED constraint finding", async () => {
        for (const f of await findAll('[data-testid="finding"]')) {
          if ((await attr(f, "data-finding-id")) === "GW-CONSTRAINT-DISABLED") return f;
        }
        return null;
      });
      const severity = await text(await find('[data-testid="finding-severity"]', finding));
      if (!/warning/i.test(severity)) throw new Error(`severity shows "${severity}"`);
      const link = await find('[data-testid="finding-link"]', finding);
      const place = await text(link);
      const line = /line (\d+)/.exec(place)?.[1];
      if (!line) throw new Error(`the finding link shows "${place}"`);
      if ((await findAll('[data-testid="oracle-pane"] tr[data-highlighted="true"]')).length) {
        throw new Error("a line is highlighted before any finding was clicked");
      }
      await click(link);
      await waitFor(`Oracle line ${line} to be highlighted`, async () => {
        return (await attr(await find(`[data-testid="oracle-line-${line}"]`), "data-highlighted")) === "true";
      });
      const highlighted = await findAll('[data-testid="oracle-pane"] tr[data-highlighted="true"]');
      if (highlighted.length !== 1) throw new Error(`${highlighted.length} lines are highlighted`);
    });

    await test("the conversion survives a visit to another screen", async () => {
      await click(await find('[data-testid="nav-connections"]'));
      await waitText("h1", (t) => t.includes("Connections"), "Connections heading");
      await click(await find('[data-testid="nav-conversion"]'));
      await waitText('[data-testid="summary-not-converted"]', (t) => t.trim() === "2 not converted", "the summary");
      await waitText('[data-testid="conv-detail-title"]', (t) => t.includes("public.orders"), "the open table");
    });

    // Oracle sources saved as profiles: a script source (the same fixture) and a live database, which
    // cannot be reached here because no Oracle Instant Client is installed.
    await test("an Oracle script source is saved and its test counts the statements", async () => {
      await click(await find('[data-testid="nav-connections"]'));
      await click(await waitEl('[data-testid="new-connection"]'));
      await type('[data-testid="field-name"]', ORACLE_SCRIPTS);
      await click(await find('[data-testid="engine-oracleScript"]'));
      await type('[data-testid="field-path"]', SHOP_SQL);
      await click(await find('[data-testid="save-connection"]'));
      const card = await waitFor(`card "${ORACLE_SCRIPTS}"`, () => cardNamed(ORACLE_SCRIPTS));
      const target = await text(await find('[data-testid="profile-target"]', card));
      if (!target.includes(SHOP_SQL)) throw new Error(`the card shows "${target}", not the script's path`);
      await click(await find('[data-testid="test-connection"]', card));
      const read = await waitFor(
        "the statement count",
        async () => {
          const c = await cardNamed(ORACLE_SCRIPTS);
          const err = await findAll('[data-testid="test-error"]', c);
          if (err.length) throw Object.assign(new Error(`test failed: ${await text(err[0])}`), { fatal: true });
          const v = await findAll('[data-testid="script-statements"]', c);
          return v.length ? text(v[0]) : null;
        },
        20000,
      );
      const statements = Number(/^(\d+) statements? in 1 file$/.exec(read.trim())?.[1]);
      if (!(statements > 0)) throw new Error(`the test shows "${read}", expected "N statements in 1 file"`);
      console.log(`  read: ${read}`);
    });

    await test("the Oracle script source opens in Conversion with the same summary", async () => {
      await click(await find('[data-testid="nav-conversion"]'));
      await chooseLabelled('[data-testid="conversion-source"]', ORACLE_SCRIPTS);
      await waitText('[data-testid="conversion-source-target"]', (t) => t.trim() === SHOP_SQL, "the source's path");
      if ((await findAll('[data-testid="conversion-path"]')).length) throw new Error("the path field is still shown");
      await click(await find('[data-testid="convert"]'));
      // Converting closes the open object, so its title going away shows a new conversion ran.
      await waitFor("a new conversion", async () => (await findAll('[data-testid="conv-detail-title"]')).length === 0);
      await expectShopSummary();
      await waitText('[data-testid="conversion-label"]', (t) => t.trim() === SHOP_SQL, "the converted source");
      await waitEl('[data-testid="conv-object-table-public.orders"]');
      if ((await findAll('[data-testid="conversion-error"]')).length) throw new Error("an error is shown");
    });

    await test("testing a live Oracle profile says to install Instant Client, never showing the password", async () => {
      await click(await find('[data-testid="nav-connections"]'));
      await click(await waitEl('[data-testid="new-connection"]'));
      await type('[data-testid="field-name"]', ORACLE_LIVE);
      await click(await find('[data-testid="engine-oracle"]'));
      await click(await waitEl('[data-testid="oracle-mode-service"]'));
      await type('[data-testid="field-host"]', "127.0.0.1");
      await type('[data-testid="field-port"]', "1521");
      await type('[data-testid="field-database"]', "FREEPDB1");
      await type('[data-testid="field-username"]', "hr");
      await type('[data-testid="field-password"]', ORACLE_SECRET);
      await click(await find('[data-testid="save-connection"]'));
      const card = await waitFor(`card "${ORACLE_LIVE}"`, () => cardNamed(ORACLE_LIVE));
      const target = await text(await find('[data-testid="profile-target"]', card));
      if (!target.includes("hr@127.0.0.1:1521/FREEPDB1")) throw new Error(`the card shows "${target}"`);
      await click(await find('[data-testid="test-connection"]', card));
      const message = await cardError(ORACLE_LIVE);
      if (!/Instant Client/.test(message)) throw new Error(`the message does not name Instant Client: "${message}"`);
      if (message.includes(ORACLE_SECRET)) throw new Error("the error message contains the password");
      console.log(`  message: ${message}`);
      // The offline route is offered: a script source, prefilled.
      await click(await find('[data-testid="work-offline"]', await cardNamed(ORACLE_LIVE)));
      await waitEl('[data-testid="field-path"]');
      const name = await fieldValue('[data-testid="field-name"]');
      if (name !== `${ORACLE_LIVE} (offline)`) throw new Error(`the offline draft is named "${name}"`);
      const picked = await wd("GET", s(`/element/${await find('[data-testid="engine-oracleScript"]')}/selected`));
      if (picked !== true) throw new Error("the offline draft is not an Oracle script source");
    });

    await test("converting the live Oracle profile shows the Instant Client message in the UI", async () => {
      await click(await find('[data-testid="convert-source"]', await cardNamed(ORACLE_LIVE)));
      await waitText("h1", (t) => t.includes("Conversion"), "Conversion heading");
      await waitText('[data-testid="conversion-source-target"]', (t) => t.includes("hr@127.0.0.1:1521/FREEPDB1"), "the database");
      await click(await find('[data-testid="convert"]'));
      const message = await waitText('[data-testid="conversion-error"]', (t) => t.length > 0, "conversion error", 30000);
      if (!/Instant Client/.test(message)) throw new Error(`the message does not name Instant Client: "${message}"`);
      if (message.includes(ORACLE_SECRET)) throw new Error("the error message contains the password");
      await waitEl('[data-testid="conversion-offline-hint"]');
      if ((await findAll('[data-testid="conversion-summary"]')).length) throw new Error("a summary is still shown");
      // The screen stays usable: back to typing a path.
      await click(await find('[data-testid="conversion-use-path"]'));
      await waitEl('[data-testid="conversion-path"]');
    });

    if (DATA_DIR) {
      await test("the Oracle password is kept out of the data dir", async () => {
        const files = filesUnder(DATA_DIR);
        if (!files.some((f) => f.endsWith("godwit.sqlite3"))) throw new Error(`no godwit.sqlite3 under ${DATA_DIR}`);
        for (const f of files) {
          if (readFileSync(f).includes(Buffer.from(ORACLE_SECRET))) throw new Error(`password found in ${f}`);
        }
      });
    } else {
      skip("the Oracle password is kept out of the data dir", "GODWIT_DATA_DIR is unset");
    }

    // Execution: copy e2e_copy from database e2e_src into e2e_dst (the same tables, empty), cancel
    // midway, quit and reopen the app (the run comes back from the history), resume, and read the
    // verification. Cancel lands midway by construction, not by timing:
    // before the copy starts, a transaction of the test inserts row id 15000 into the target's items
    // and stays open, so the chunk holding that row waits on it (one job: every chunk after it too).
    // The test cancels once that wait shows in pg_stat_activity and the UI shows the chunks committed
    // so far, then ends its transaction (rolled back, so the row is free again).
    await copyTests();
  } finally {
    await wd("DELETE", s("")).catch(() => {});
  }
}

const COPY_SOURCE = "E2E copy source";
const COPY_TARGET = "E2E copy target";
const COPY_CHECKED = "E2E copy checked target";
const COPY_UNCHECKED = "E2E copy unchecked target";
const COPY_FIXTURE = join(HERE, "copy_fixture.sql");
const HELD_ID = 15000;
const HR_SCRIPTS = "E2E HR scripts";
const HR_TARGET = "E2E HR target";
const HR_FIXTURE = join(HERE, "../../crates/godwit-cli/tests/fixtures/oracle_hr");

/** Saves a PostgreSQL profile for `database` on the test server through the Connections form. */
async function savePostgresProfile(name, database) {
  await click(await waitEl('[data-testid="nav-connections"]'));
  await click(await waitEl('[data-testid="new-connection"]'));
  await click(await waitEl('[data-testid="engine-postgres"]'));
  await type('[data-testid="field-name"]', name);
  await type('[data-testid="field-host"]', pg.host);
  await type('[data-testid="field-port"]', String(pg.port));
  await type('[data-testid="field-database"]', database);
  await type('[data-testid="field-username"]', pg.username);
  await type('[data-testid="field-password"]', pg.password);
  await click(await find('[data-testid="env-test"]'));
  await click(await find('[data-testid="save-connection"]'));
  await waitFor(`profile card "${name}"`, () => cardNamed(name));
}

/** A table's row in the run's progress list: chunks committed and planned. */
async function tableChunks(table) {
  for (const row of await findAll('[data-testid="table-progress"]')) {
    if ((await attr(row, "data-table")) === table) {
      return { row, done: Number(await attr(row, "data-chunks-done")), total: Number(await attr(row, "data-chunks-total")) };
    }
  }
  return null;
}

const runState = async () => attr(await find('[data-testid="run-state"]'), "data-state");

/** The sentences of the shown verification's evidence. */
async function evidenceItems() {
  return Promise.all((await findAll('[data-testid="evidence-item"]')).map(async (e) => (await text(e)).trim()));
}

/** A psql session holding an open transaction that inserted `id` into the target's items. */
function holdRow(id) {
  const child = spawn("psql", [dbUrl("e2e_dst"), "-X", "-q", "-v", "ON_ERROR_STOP=1"], {
    stdio: ["pipe", "ignore", "pipe"],
    env: { ...process.env, PGAPPNAME: "e2e-holder", PGCONNECT_TIMEOUT: "10" },
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise((resolve) => child.on("exit", resolve));
  child.stdin.write(`BEGIN;\nINSERT INTO e2e_copy.items (id, name, qty, added) VALUES (${id}, 'held by the test', 0, now());\n`);
  return {
    stderr: () => stderr,
    async release() {
      if (child.exitCode === null) child.stdin.end("ROLLBACK;\n");
      await exited;
    },
  };
}

async function copyTests() {
  const fixture = await test("copy fixture: databases e2e_src (30,500 rows) and e2e_dst (same tables, empty)", async () => {
    for (const db of ["e2e_src", "e2e_dst"]) {
      sql(pg.database, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      sql(pg.database, `CREATE DATABASE ${db}`);
    }
    sql("e2e_src", `-f ${COPY_FIXTURE}`, { with_data: 1 });
    sql("e2e_dst", `-f ${COPY_FIXTURE}`, { with_data: 0 });
    const rows = sql("e2e_src", "SELECT (SELECT count(*) FROM e2e_copy.items) + (SELECT count(*) FROM e2e_copy.notes)");
    if (rows !== "30500") throw new Error(`the source holds ${rows} rows`);
  });
  if (!fixture) return;

  await test("two PostgreSQL connections are saved for the copy", async () => {
    await savePostgresProfile(COPY_SOURCE, "e2e_src");
    await savePostgresProfile(COPY_TARGET, "e2e_dst");
    await click(await find('[data-testid="nav-execution"]'));
    await waitText('[data-testid="execution-heading"]', (t) => t.includes("Execution"), "Execution heading");
  });

  await test("a live Oracle connection and an Oracle script source are offered as copy sources; the live one, unreachable, fails naming it, never its password", async () => {
    const options = async (css) => Promise.all((await findAll("option", await waitEl(css))).map(async (o) => (await text(o)).trim()));
    const offered = (await options('[data-testid="copy-source"]')).find((t) => t.startsWith(`${ORACLE_LIVE} (Oracle`));
    if (!offered) throw new Error(`the sources offered are ${(await options('[data-testid="copy-source"]')).join(", ")}`);
    if ((await options('[data-testid="copy-target"]')).some((t) => t.startsWith(ORACLE_LIVE))) throw new Error("an Oracle connection is offered as a target");
    if (!(await options('[data-testid="copy-source"]')).includes(`${ORACLE_SCRIPTS} (Oracle script, DEV)`)) throw new Error("the script source is not offered as a copy source");
    if ((await options('[data-testid="copy-target"]')).some((t) => t.startsWith(ORACLE_SCRIPTS))) throw new Error("a script source is offered as a target");
    await chooseLabelled('[data-testid="copy-source"]', offered);
    await chooseLabelled('[data-testid="copy-target"]', `${COPY_TARGET} (TEST)`);
    await waitText('[data-testid="copy-oracle-hint"]', (t) => /lower-case name/.test(t), "the Oracle source's hint");
    await click(await find('[data-testid="start-copy"]'));
    const message = await waitText('[data-testid="copy-error"]', (t) => t.length > 0, "the Oracle copy's error", 30000);
    const named = `Cannot copy from the Oracle connection "${ORACLE_LIVE}" (hr@127.0.0.1:1521/FREEPDB1): `;
    if (!message.startsWith(named)) throw new Error(`the error does not start with ${JSON.stringify(named)}: "${message}"`);
    if (!/Instant Client|127\.0\.0\.1:1521/.test(message.slice(named.length))) throw new Error(`the error gives no cause: "${message}"`);
    if (message.includes(ORACLE_SECRET)) throw new Error("the error shows the Oracle password");
    if ((await findAll('[data-testid="run-item"]')).length) throw new Error("a run was started");
    console.log(`  ${message.slice(0, 160)}…`);
  });

  await test("a copy into the same database is refused, naming both connections", async () => {
    await chooseLabelled('[data-testid="copy-source"]', `${COPY_SOURCE} (TEST)`);
    await chooseLabelled('[data-testid="copy-target"]', `${COPY_SOURCE} (TEST)`);
    await click(await find('[data-testid="start-copy"]'));
    const message = await waitText('[data-testid="copy-error"]', (t) => t.length > 0, "the refusal");
    if (!message.includes(`"${COPY_SOURCE}"`) || !/same database/.test(message)) throw new Error(`the refusal says "${message}"`);
    if ((await findAll('[data-testid="run-item"]')).length) throw new Error("a run was started");
  });

  await test("0 parallel jobs or an invalid table pattern is refused, naming the setting", async () => {
    await chooseLabelled('[data-testid="copy-target"]', `${COPY_TARGET} (TEST)`);
    await type('[data-testid="copy-jobs"]', "0");
    await click(await find('[data-testid="start-copy"]'));
    await waitText('[data-testid="copy-error"]', (t) => /^Parallel jobs must be between 1 and \d+; got 0\.$/.test(t), "the jobs refusal");
    await type('[data-testid="copy-jobs"]', "1");
    await type('[data-testid="copy-include"]', "items[");
    await click(await find('[data-testid="start-copy"]'));
    await waitText('[data-testid="copy-error"]', (t) => t.startsWith('Tables: invalid name pattern "items["'), "the pattern refusal");
    // A blank field means all tables (WebDriver's clear alone sends no input event to the binding).
    await type('[data-testid="copy-include"]', " ");
    if ((await findAll('[data-testid="run-item"]')).length) throw new Error("a run was started");
  });

  let holder = null;
  let runId = null;
  let total = 0;
  let committed = 0;
  try {
    const started = await test("the copy starts and shows per-table progress with throughput and ETA", async () => {
      holder = holdRow(HELD_ID);
      await waitFor(
        "the test's transaction to hold row 15000",
        async () => {
          if (holder.stderr()) throw Object.assign(new Error(`psql: ${holder.stderr()}`), { fatal: true });
          return (
            sql(
              pg.database,
              "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'e2e-holder' AND state = 'idle in transaction' AND backend_xid IS NOT NULL",
            ) === "1"
          );
        },
        15000,
      );
      await type('[data-testid="copy-jobs"]', "1");
      await type('[data-testid="copy-chunk-pages"]', "1");
      await type('[data-testid="copy-schemas"]', "e2e_copy");
      await choose('[data-testid="copy-verify"]', "hash");
      await click(await find('[data-testid="start-copy"]'));
      const item = await waitEl('[data-testid="run-item"]', 20000);
      runId = await attr(item, "data-run-id");
      const shown = await text(await waitEl('[data-testid="run-id"]'));
      if (shown !== runId) throw new Error(`the detail shows run ${shown}, the list ${runId}`);
      const items = await waitFor("e2e_copy.items to commit chunks", async () => {
        const t = await tableChunks("e2e_copy.items");
        return t && t.done > 0 ? t : null;
      }, 30000);
      total = items.total;
      if (!(total > 10)) throw new Error(`e2e_copy.items has ${total} chunks; one-page chunks should make hundreds`);
      if (!(await tableChunks("e2e_copy.notes"))) throw new Error("e2e_copy.notes has no progress row");
      if ((await runState()) !== "running") throw new Error(`the run is ${await runState()}`);
      await waitText('[data-testid="total-rate"]', (t) => /^[\d,]+ rows\/s · \d+\.\d MB\/s$/.test(t), "the total throughput");
      await waitText('[data-testid="total-eta"]', (t) => /^ETA (\?|\d+s|\d+m\d\ds|\d+h\d\dm)$/.test(t), "the total ETA");
      const rate = await text(await find('[data-testid="table-rate"]', items.row));
      if (!/rows\/s/.test(rate)) throw new Error(`e2e_copy.items shows throughput "${rate}"`);
      console.log(`  run ${runId}: e2e_copy.items in ${total} chunks; ${rate}`);
    });
    if (!started) return;

    const cancelled = await test("Cancel lands midway: the committed chunks stay, the rest is left for Resume", async () => {
      await waitFor(
        "the copy to wait on the held row",
        async () => sql(pg.database, "SELECT count(*) FROM pg_stat_activity WHERE datname = 'e2e_dst' AND wait_event_type = 'Lock'") !== "0",
        30000,
      );
      committed = Number(sql("e2e_dst", "SELECT count(*) FROM godwit_copy.progress WHERE table_name = 'e2e_copy.items'"));
      if (!(committed > 0 && committed < total)) throw new Error(`${committed} of ${total} chunks committed before the held row`);
      await waitFor(`the UI to show ${committed} committed chunks`, async () => (await tableChunks("e2e_copy.items"))?.done === committed);
      await click(await find('[data-testid="cancel-run"]'));
      await waitFor("the run to be stopping", async () => (await runState()) === "stopping");
      await holder.release();
      await waitFor("the run to be interrupted", async () => (await runState()) === "interrupted", 30000);
      const after = await tableChunks("e2e_copy.items");
      if (after.done !== committed) throw new Error(`the UI shows ${after.done} chunks after cancel, ${committed} before`);
      const kept = sql("e2e_dst", "SELECT count(*) FROM godwit_copy.progress WHERE table_name = 'e2e_copy.items'");
      if (Number(kept) !== committed) throw new Error(`the target records ${kept} chunks after cancel, ${committed} before`);
      const rows = Number(sql("e2e_dst", "SELECT count(*) FROM e2e_copy.items"));
      if (!(rows > 0 && rows < 30000)) throw new Error(`the target holds ${rows} items after cancel`);
      const note = await text(await find('[data-testid="run-error"]'));
      if (!/Resume/.test(note)) throw new Error(`the run says "${note}"`);
      const item = await find(`[data-testid="run-item"][data-run-id="${runId}"]`);
      await waitFor("the run list to say interrupted", async () => (await attr(item, "data-state")) === "interrupted");
      console.log(`  cancelled with ${committed} of ${total} chunks (${rows} of 30,000 items) committed`);
    });
    if (!cancelled) return;
  } finally {
    await holder?.release();
  }

  const reopened = await test("after a restart, the run list shows the interrupted run with its committed chunks", async () => {
    await restartApp();
    await click(await find('[data-testid="nav-execution"]'));
    const item = await waitEl(`[data-testid="run-item"][data-run-id="${runId}"]`);
    if ((await attr(item, "data-state")) !== "interrupted") throw new Error(`the run is listed as ${await attr(item, "data-state")}`);
    await click(item);
    await waitFor("the run's detail", async () => (await text(await find('[data-testid="run-id"]'))) === runId);
    if ((await runState()) !== "interrupted") throw new Error(`the run is ${await runState()}`);
    const items = await waitFor("the committed chunks of e2e_copy.items", () => tableChunks("e2e_copy.items"));
    if (items.done !== committed) throw new Error(`the history shows ${items.done} chunks of e2e_copy.items, ${committed} committed`);
    const resume = await find('[data-testid="resume-run"]');
    if ((await wd("GET", s(`/element/${resume}/enabled`))) !== true) throw new Error("Resume is disabled");
  });
  if (!reopened) return;

  await test('Resume copies only the unfinished chunks and the verification says "0 rows lost"', async () => {
    await click(await find('[data-testid="resume-run"]'));
    await waitFor("the run to finish", async () => (await runState()) === "finished", 90000);
    if ((await text(await find('[data-testid="run-id"]'))) !== runId) throw new Error("the resumed run has another id");
    const lost = (await text(await find('[data-testid="rows-lost"]'))).trim();
    if (lost !== "0 rows lost") throw new Error(`the verification says "${lost}"`);
    const extra = (await text(await find('[data-testid="rows-extra"]'))).trim();
    if (extra !== "0 extra") throw new Error(`the verification says "${extra}"`);
    const method = await text(await find('[data-testid="verification-method"]'));
    if (!/hash/.test(method)) throw new Error(`verified by "${method}"`);
    const notesChunks = (await tableChunks("e2e_copy.notes")).total;
    const expected = `copied ${total + notesChunks - committed} of ${total + notesChunks} chunks`;
    if (!method.includes(expected)) throw new Error(`"${method}" does not say "${expected}"`);
    for (const [table, rows] of [["e2e_copy.items", "30,000"], ["e2e_copy.notes", "500"]]) {
      const row = await find(`[data-testid="check-row"][data-table="${table}"]`);
      const cell = async (id) => (await text(await find(`[data-testid="${id}"]`, row))).trim();
      const seen = [await cell("check-source-rows"), await cell("check-target-rows"), await cell("check-lost"), await cell("check-status")];
      if (seen.join("|") !== `${rows}|${rows}|0|match`) throw new Error(`${table} shows ${seen.join(", ")}`);
      const hash = await cell("check-hash");
      if (!/^equal \(/.test(hash)) throw new Error(`${table} hashes show "${hash}"`);
    }
    const target = sql("e2e_dst", "SELECT count(*) || ' ' || count(DISTINCT id) FROM e2e_copy.items");
    if (target !== "30000 30000") throw new Error(`the target's items: ${target} (rows, distinct ids)`);
    console.log(`  ${method}`);
  });

  await test("the run list keeps the finished run, resumable no more", async () => {
    const item = await find(`[data-testid="run-item"][data-run-id="${runId}"]`);
    await waitFor("the run list to say finished", async () => (await attr(item, "data-state")) === "finished");
    if ((await findAll('[data-testid="resume-run"]')).length) throw new Error("a finished run offers Resume");
    if ((await findAll('[data-testid="run-item"]')).length !== 1) throw new Error("more than one run is listed");
  });

  // A row the target refuses: a check on the target's notes (a second target database) refuses id 250.
  let refusedRun = null;
  const refused = await test("a row the target refuses stops the copy, naming the table and the row's key", async () => {
    sql(pg.database, "DROP DATABASE IF EXISTS e2e_dst2 WITH (FORCE)");
    sql(pg.database, "CREATE DATABASE e2e_dst2");
    sql("e2e_dst2", `-f ${COPY_FIXTURE}`, { with_data: 0 });
    sql("e2e_dst2", "ALTER TABLE e2e_copy.notes ADD CONSTRAINT notes_not_250 CHECK (id <> 250)");
    await savePostgresProfile(COPY_CHECKED, "e2e_dst2");
    await click(await find('[data-testid="nav-execution"]'));
    await chooseLabelled('[data-testid="copy-source"]', `${COPY_SOURCE} (TEST)`);
    await chooseLabelled('[data-testid="copy-target"]', `${COPY_CHECKED} (TEST)`);
    await type('[data-testid="copy-schemas"]', "e2e_copy");
    await type('[data-testid="copy-include"]', "notes");
    // A non-default verification: 100 rows of the table sampled and compared value by value.
    await choose('[data-testid="copy-verify"]', "sample");
    await type('[data-testid="copy-sample-rows"]', "100");
    await click(await find('[data-testid="start-copy"]'));
    refusedRun = await waitFor("the new run", async () => {
      const id = await text(await find('[data-testid="run-id"]'));
      return id && id !== runId ? id : null;
    });
    await waitFor("the run to fail", async () => (await runState()) === "failed", 30000);
    const message = await text(await find('[data-testid="run-error"]'));
    for (const part of ["e2e_copy.notes", "the target refused the row with key id=250", "notes_not_250", "setting refused rows aside"]) {
      if (!message.includes(part)) throw new Error(`the error does not say "${part}": "${message}"`);
    }
    if (pg.password && message.includes(pg.password)) throw new Error("the error shows the password");
    if ((await findAll(`[data-testid="run-item"][data-run-id="${refusedRun}"][data-state="failed"]`)).length !== 1) {
      throw new Error("the run list does not show the run as failed");
    }
    console.log(`  ${message}`);
  });

  if (refused) {
    await test('resuming it with refused rows set aside finishes with "0 rows lost" and 1 row set aside', async () => {
      await click(await find('[data-testid="resume-set-aside"]'));
      await waitFor("the run to finish", async () => (await runState()) === "finished", 60000);
      if ((await text(await find('[data-testid="run-id"]'))) !== refusedRun) throw new Error("the resumed run has another id");
      const lost = (await text(await find('[data-testid="rows-lost"]'))).trim();
      const aside = (await text(await find('[data-testid="rows-rejected"]'))).trim();
      if (lost !== "0 rows lost" || aside !== "1 set aside") throw new Error(`the verification says "${lost}", "${aside}"`);
      const row = await find('[data-testid="check-row"][data-table="e2e_copy.notes"]');
      const cells = await Promise.all((await findAll("td", row)).map(async (c) => (await text(c)).trim()));
      if (cells.slice(0, 6).join("|") !== "e2e_copy.notes|500|499|1|0|0") throw new Error(`e2e_copy.notes shows ${cells.join(", ")}`);
      if ((await attr(row, "data-matches")) !== "true") throw new Error("e2e_copy.notes does not match");
      const kept = sql("e2e_dst2", "SELECT string_agg(row_key, ',') FROM godwit_copy.rejects");
      if (kept !== "id=250") throw new Error(`godwit_copy.rejects holds "${kept}"`);
      // What the sample proved: rows compared value by value, besides the counts.
      const by = (await text(await find('[data-testid="check-by"]', row))).trim();
      const sampled = Number(/^counts, (\d+) sampled rows$/.exec(by)?.[1]);
      if (!(sampled > 0 && sampled <= 100)) throw new Error(`e2e_copy.notes was checked by "${by}"`);
      const evidence = await evidenceItems();
      if (!evidence.includes("Counted on both sides: 500 source rows = 499 target rows + 1 set aside.")) throw new Error(`the evidence says ${JSON.stringify(evidence)}`);
      if (!evidence.includes(`${sampled} sampled rows in 1 table compared value by value by primary key: all equal.`)) {
        throw new Error(`the evidence says ${JSON.stringify(evidence)}`);
      }
      if (evidence.some((e) => /hash/i.test(e))) throw new Error(`a sample run claims hashes: ${JSON.stringify(evidence)}`);
      console.log(`  ${evidence.join(" ")}`);
    });
  }

  await test("after a restart, finished runs keep their verification: \"0 rows lost\", per table, with its evidence", async () => {
    await restartApp();
    await click(await find('[data-testid="nav-execution"]'));
    const verdict = async (id) => (await text(await find('[data-testid="run-verdict"]', await waitEl(`[data-testid="run-item"][data-run-id="${id}"]`)))).trim();
    if ((await verdict(runId)) !== "0 rows lost · hashes") throw new Error(`the list says "${await verdict(runId)}" for the hashed run`);
    if (refused && (await verdict(refusedRun)) !== "0 rows lost · sample") throw new Error(`the list says "${await verdict(refusedRun)}" for the sampled run`);
    await click(await find(`[data-testid="run-item"][data-run-id="${runId}"]`));
    await waitFor("the run's detail", async () => (await text(await find('[data-testid="run-id"]'))) === runId);
    if ((await runState()) !== "finished") throw new Error(`the run is ${await runState()}`);
    const lost = (await waitText('[data-testid="rows-lost"]', (t) => t.length > 0, "the kept verdict")).trim();
    if (lost !== "0 rows lost") throw new Error(`the kept verification says "${lost}"`);
    for (const [table, rows] of [["e2e_copy.items", "30,000"], ["e2e_copy.notes", "500"]]) {
      const row = await find(`[data-testid="check-row"][data-table="${table}"]`);
      const cell = async (id) => (await text(await find(`[data-testid="${id}"]`, row))).trim();
      const seen = [await cell("check-source-rows"), await cell("check-target-rows"), await cell("check-lost"), await cell("check-status")];
      if (seen.join("|") !== `${rows}|${rows}|0|match`) throw new Error(`${table} shows ${seen.join(", ")}`);
      if (!/^equal \(/.test(await cell("check-hash"))) throw new Error(`${table} hashes show "${await cell("check-hash")}"`);
      if (!/^counts, row hashes/.test(await cell("check-by"))) throw new Error(`${table} was checked by "${await cell("check-by")}"`);
    }
    const evidence = await evidenceItems();
    if (!evidence.includes("Counted on both sides: 30500 source rows = 30500 target rows + 0 set aside.")) throw new Error(`the evidence says ${JSON.stringify(evidence)}`);
    if (!evidence.some((e) => /^Row hashes .* equal in 2 of 2 tables/.test(e))) throw new Error(`the evidence says ${JSON.stringify(evidence)}`);
    await waitEl('[data-testid="verification-kept"]');
    if (refused) {
      await click(await find(`[data-testid="run-item"][data-run-id="${refusedRun}"]`));
      await waitFor("the refused run's detail", async () => (await text(await find('[data-testid="run-id"]'))) === refusedRun);
      const aside = (await waitText('[data-testid="rows-rejected"]', (t) => t.length > 0, "the kept set-aside count")).trim();
      if (aside !== "1 set aside") throw new Error(`the kept verification says "${aside}"`);
      const by = (await text(await find('[data-testid="check-row"][data-table="e2e_copy.notes"] [data-testid="check-by"]'))).trim();
      if (!/^counts, \d+ sampled rows$/.test(by)) throw new Error(`e2e_copy.notes was checked by "${by}"`);
    }
  });

  await test('a copy with verification off says "Not verified" and claims no evidence', async () => {
    sql(pg.database, "DROP DATABASE IF EXISTS e2e_dst3 WITH (FORCE)");
    sql(pg.database, "CREATE DATABASE e2e_dst3");
    sql("e2e_dst3", `-f ${COPY_FIXTURE}`, { with_data: 0 });
    await savePostgresProfile(COPY_UNCHECKED, "e2e_dst3");
    await click(await find('[data-testid="nav-execution"]'));
    await chooseLabelled('[data-testid="copy-source"]', `${COPY_SOURCE} (TEST)`);
    await chooseLabelled('[data-testid="copy-target"]', `${COPY_UNCHECKED} (TEST)`);
    await type('[data-testid="copy-schemas"]', "e2e_copy");
    await type('[data-testid="copy-include"]', "notes");
    await choose('[data-testid="copy-verify"]', "off");
    await click(await find('[data-testid="start-copy"]'));
    const id = await waitFor("the new run", async () => {
      const shown = await text(await find('[data-testid="run-id"]'));
      return shown && shown !== runId && shown !== refusedRun ? shown : null;
    });
    await waitFor("the run to finish", async () => (await runState()) === "finished", 60000);
    const verdict = (await text(await find('[data-testid="rows-lost"]'))).trim();
    if (verdict !== "Not verified") throw new Error(`the verification says "${verdict}"`);
    const evidence = await evidenceItems();
    if (evidence.length !== 1 || !evidence[0].startsWith("None")) throw new Error(`the evidence says ${JSON.stringify(evidence)}`);
    const by = (await text(await find('[data-testid="check-row"][data-table="e2e_copy.notes"] [data-testid="check-by"]'))).trim();
    if (by !== "nothing") throw new Error(`e2e_copy.notes was checked by "${by}"`);
    const item = await waitEl(`[data-testid="run-item"][data-run-id="${id}"] [data-testid="run-verdict"]`);
    await waitFor("the run list to say not verified", async () => (await text(item)).trim() === "not verified");
    const rows = sql("e2e_dst3", "SELECT count(*) FROM e2e_copy.notes");
    if (rows !== "500") throw new Error(`the target holds ${rows} notes`);
  });

  await test('an Oracle script source (HR) is copied with its schema created: "0 rows lost", hashes equal', async () => {
    sql(pg.database, "DROP DATABASE IF EXISTS e2e_hr WITH (FORCE)");
    sql(pg.database, "CREATE DATABASE e2e_hr");
    await savePostgresProfile(HR_TARGET, "e2e_hr");
    await click(await find('[data-testid="new-connection"]'));
    await type('[data-testid="field-name"]', HR_SCRIPTS);
    await click(await find('[data-testid="engine-oracleScript"]'));
    await type('[data-testid="field-path"]', HR_FIXTURE);
    await click(await find('[data-testid="save-connection"]'));
    await waitFor(`card "${HR_SCRIPTS}"`, () => cardNamed(HR_SCRIPTS));
    await click(await find('[data-testid="nav-execution"]'));
    await choose('[data-testid="copy-verify"]', "hash");
    // A space, not an empty field: clearing a field sends no input event, so the form would keep the last test's values.
    await type('[data-testid="copy-schemas"]', " ");
    await type('[data-testid="copy-include"]', " ");
    await chooseLabelled('[data-testid="copy-source"]', `${HR_SCRIPTS} (Oracle script, DEV)`);
    await chooseLabelled('[data-testid="copy-target"]', `${HR_TARGET} (TEST)`);
    await waitText('[data-testid="copy-oracle-hint"]', (t) => /the script creates/.test(t), "the script source's hint");
    // Two sessions, chunks of about 40 rows: employees' 107 rows in three chunks, the six other tables in one each.
    await type('[data-testid="copy-jobs"]', "2");
    await type('[data-testid="copy-chunk-rows"]', "40");
    const schema = await find('[data-testid="copy-create-schema"]');
    if ((await attr(schema, "disabled")) !== null) throw new Error("the create-schema checkbox is disabled for an Oracle source");
    if (!(await wd("GET", s(`/element/${schema}/selected`)))) await click(schema);
    const before = new Set(await Promise.all((await findAll('[data-testid="run-item"]')).map((r) => attr(r, "data-run-id"))));
    await click(await find('[data-testid="start-copy"]'));
    await waitFor("the new run", async () => {
      const shown = await text(await find('[data-testid="run-id"]'));
      return shown && !before.has(shown) ? shown : null;
    });
    await waitFor("the run to finish", async () => {
      const state = await runState();
      if (state === "failed" || state === "interrupted") {
        const error = await findAll('[data-testid="run-error"]');
        throw Object.assign(new Error(`the run ended ${state}: ${error.length ? await text(error[0]) : ""}`), { fatal: true });
      }
      return state === "finished";
    }, 120000);
    const totals = await Promise.all((await findAll('[data-testid="table-progress"]')).map(async (r) => Number(await attr(r, "data-chunks-total"))));
    if (totals.reduce((a, b) => a + b, 0) !== 9 || Math.max(...totals) !== 3) {
      throw new Error(`chunks of 40 rows should make 9 chunks, 3 of them employees'; the tables show ${JSON.stringify(totals)}`);
    }
    await click(schema);
    const verdict = (await text(await find('[data-testid="rows-lost"]'))).trim();
    if (verdict !== "0 rows lost") throw new Error(`the verification says "${verdict}"`);
    const evidence = await evidenceItems();
    if (!evidence.some((e) => e.startsWith("Counted on both sides: 216 source rows = 216 target rows + 0 set aside."))) {
      throw new Error(`the evidence says ${JSON.stringify(evidence)}`);
    }
    if (!evidence.some((e) => /equal in 7 of 7 tables/.test(e))) throw new Error(`the evidence says ${JSON.stringify(evidence)}`);
    const rows = sql("e2e_hr", "SELECT (SELECT count(*) FROM employees) + (SELECT count(*) FROM departments) + (SELECT count(*) FROM jobs) + (SELECT count(*) FROM job_history) + (SELECT count(*) FROM locations) + (SELECT count(*) FROM countries) + (SELECT count(*) FROM regions)");
    if (rows !== "216") throw new Error(`the target holds ${rows} rows`);
    const keys = sql("e2e_hr", "SELECT count(*) FROM pg_constraint WHERE contype IN ('p', 'f') AND connamespace = 'public'::regnamespace");
    if (keys !== "17") throw new Error(`the target holds ${keys} primary and foreign keys`);
    console.log(`  ${verdict}: ${evidence.join(" ")}`);
  });

  if (pg.password && DATA_DIR) {
    await test("after the copy, no password is in the data dir", async () => {
      for (const f of filesUnder(DATA_DIR)) {
        if (readFileSync(f).includes(Buffer.from(pg.password))) throw new Error(`password found in ${f}`);
      }
    });
  }
}

try {
  await main();
} catch (e) {
  results.push(false);
  console.log(`not ok - session: ${e.message}`);
}
const passed = results.filter(Boolean).length;
const failed = results.length - passed;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
