// Small statistics and table helpers shared by the end-to-end benchmarks.
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";

/** Nearest-rank percentile (p in 0..100) of a list of numbers. */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export const median = (values) => percentile(values, 50);

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/** MB/s in decimal megabytes, the unit the peer numbers use. */
export const mbPerSec = (bytes, seconds) => bytes / 1e6 / seconds;

/** Format a number with a fixed number of decimals, or "-" when missing. */
export function fmt(value, decimals = 1) {
  return value === undefined || value === null || Number.isNaN(value) ? "-" : value.toFixed(decimals);
}

/** "1.23x" ratio of ours to a peer, "-" when either is missing. */
export function ratio(ours, peer) {
  if (!Number.isFinite(ours) || !Number.isFinite(peer) || peer === 0) return "-";
  return `${(ours / peer).toFixed(2)}x`;
}

/** A Markdown table (readable as plain text too) from a header row and data rows. */
export function table(header, rows) {
  const all = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [line(all[0]), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...all.slice(1).map(line)].join("\n");
}

/** The machine, for the header of every benchmark's output. */
export function machine() {
  const model = cpus()[0]?.model ?? "unknown";
  let mem = "";
  try {
    const kb = Number(/MemTotal:\s+(\d+)/.exec(readFileSync("/proc/meminfo", "utf8"))?.[1]);
    mem = `, ${(kb / 1024 / 1024).toFixed(1)} GiB RAM`;
  } catch {
    /* not Linux */
  }
  return `${cpus().length} CPUs (${model})${mem}, Node ${process.version}, ${process.platform}/${process.arch}`;
}

/** Whether the benchmark runs in its quick (smoke) mode: `--quick` or BENCH_QUICK=1. */
export function quickMode(argv = process.argv) {
  return argv.includes("--quick") || process.env.BENCH_QUICK === "1";
}

/**
 * CPU seconds (user + system) of this process's children that have been waited for, from
 * /proc/self/stat (cutime + cstime). The kernel accumulates these in nanoseconds and reports them
 * in clock ticks, so a delta over several children is precise to one tick (10 ms) overall.
 */
export function reapedChildrenCpuSeconds() {
  const stat = readFileSync("/proc/self/stat", "utf8");
  // Fields after the command name (which may contain spaces) start at field 3 (state).
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const cutime = Number(fields[13]);
  const cstime = Number(fields[14]);
  return (cutime + cstime) / 100;
}

/** The 1, 5 and 15 minute load averages: the machine is shared, so every output says how busy it was. */
export function load() {
  return loadavg().map((x) => x.toFixed(2)).join(" ");
}
