// Small display helpers shared by the screens.

import type { EngineDto, EnvironmentDto, ObjectKindDto, ProfileDto } from "../bindings";

/** Human size: 8192 → "8.0 KB". */
export function formatBytes(bytes: number | null): string {
  if (bytes === null || bytes < 0) return "size unknown";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Row estimate as the planner sees it: "~1,234 rows". */
export function formatRows(rows: number | null): string {
  if (rows === null || rows < 0) return "rows unknown";
  return `~${Math.round(rows).toLocaleString("en-US")} rows`;
}

const KIND_LABELS: Record<ObjectKindDto, [string, string]> = {
  schema: ["Schema", "Schemas"],
  table: ["Table", "Tables"],
  view: ["View", "Views"],
  materializedView: ["Materialized view", "Materialized views"],
  sequence: ["Sequence", "Sequences"],
  routine: ["Routine", "Routines"],
  type: ["Type", "Types"],
  index: ["Index", "Indexes"],
  trigger: ["Trigger", "Triggers"],
  constraint: ["Constraint", "Constraints"],
};

/** Label of an object kind, singular or plural. */
export function kindLabel(kind: ObjectKindDto, plural = false): string {
  return KIND_LABELS[kind][plural ? 1 : 0];
}

/** Environment label shown on badges. */
export function environmentLabel(env: EnvironmentDto): string {
  return { dev: "DEV", test: "TEST", prod: "PROD" }[env];
}

/** Message of an unexpected rejection (framework errors arrive as strings). */
export function errorMessage(e: unknown): string {
  if (typeof e === "string") return e;
  if (e instanceof Error) return e.message;
  if (e && typeof e === "object" && "message" in e && typeof e.message === "string") return e.message;
  return "Unexpected error.";
}

/** Label of what a profile points at. */
export function engineLabel(engine: EngineDto): string {
  return { postgres: "PostgreSQL", oracle: "Oracle", oracleScript: "Oracle script" }[engine];
}

/** Where a profile points, without its password: user@host:port/database, user@ALIAS, or a path. */
export function profileTarget(p: ProfileDto): string {
  if (p.engine === "oracleScript") return p.path;
  if (p.tnsAlias) return `${p.username}@${p.tnsAlias} (TNS alias)`;
  return `${p.username}@${p.host}:${p.port}/${p.database}`;
}

/** "1 file", "3 files". */
export function plural(n: number, noun: string): string {
  return `${n.toLocaleString("en-US")} ${noun}${n === 1 ? "" : "s"}`;
}
