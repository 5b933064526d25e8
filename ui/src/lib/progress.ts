// Display helpers for copy progress: counts, throughput, durations and hashes.

import type { ProgressDto } from "../bindings";

/** A count with thousands separators; unknown (null) as "?". */
export function formatCount(n: number | null): string {
  return n === null ? "?" : Math.round(n).toLocaleString("en-US");
}

/** Seconds as "42s", "3m05s" or "2h07m"; unknown (null) as "?". */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** "12,345 rows/s · 3.2 MB/s". */
export function formatRate(p: ProgressDto): string {
  return `${formatCount(p.rowsPerSecond ?? 0)} rows/s · ${(p.mbPerSecond ?? 0).toFixed(1)} MB/s`;
}

/** The first 12 characters of a hash. */
export function shortHash(hash: string): string {
  return hash.length > 12 ? `${hash.slice(0, 12)}…` : hash;
}
