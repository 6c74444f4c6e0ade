#!/usr/bin/env node
// What a newcomer waits for: `npm install` of a fresh clone, the build (`prepare`) included.
// Clones this repository (its committed HEAD, with `git clone` of the local repository) into a
// temporary directory, then runs `npm install` there three times with the npm cache warm (a first,
// unmeasured run fills it), deleting node_modules and dist/ between runs, and prints the median and
// how much of it the build is (npm runs `prepare` last; its time is what scripts/build.mjs takes).
// Target (issue 20): under 30 s on a quiet 2-core machine.
//
// Usage: node bench/install-time.mjs [--quick] [--runs N] [--offline]
//   --quick    one measured run instead of three
//   --offline  pass --offline to npm (the cache must hold every package already)
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes("--quick") || process.env.BENCH_QUICK === "1";
const runsArg = args.indexOf("--runs");
const runs = runsArg >= 0 ? Number(args[runsArg + 1]) : quick ? 1 : 3;
const npmFlags = ["--no-audit", "--no-fund", ...(args.includes("--offline") ? ["--offline"] : ["--prefer-offline"])];
const TARGET_S = 30;

const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/**
 * CPU seconds (user + system) of this process's finished children, from /proc (Linux): npm and
 * everything it ran. Unlike wall time, it hardly grows when other processes share the cores.
 */
function childCpuSeconds() {
  try {
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
    // Fields 16 and 17 of stat(5) (cutime, cstime), counted from field 3 here; clock ticks of 1/100 s.
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return NaN;
  }
}

/** Run `npm install` in `dir`; resolves with the wall time and the build's own report. */
function npmInstall(dir) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const cpuBefore = childCpuSeconds();
    const child = spawn(npm, ["install", ...npmFlags, "--foreground-scripts"], {
      cwd: dir,
      // No CI=true-style variables from the caller change what npm does.
      env: { ...process.env, npm_config_loglevel: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) return reject(new Error(`npm install exited ${code}:\n${out.slice(-4000)}`));
      // scripts/build.mjs prints "build: <part> in N s" for each part it builds.
      const build = [...out.matchAll(/^build: .* in ([\d.]+) s$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
      resolve({ seconds, build, out, cpu: childCpuSeconds() - cpuBefore });
    });
  });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const work = mkdtempSync(join(tmpdir(), "mcp-over-ssh-install-"));
const clone = join(work, "clone");
try {
  const head = execFileSync("git", ["-C", ROOT, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  execFileSync("git", ["clone", "--quiet", "--no-hardlinks", ROOT, clone], { stdio: "inherit" });
  console.log(`npm install of a fresh clone of ${head} (${runs} measured run${runs > 1 ? "s" : ""}, warm npm cache)\n`);
  // Fill the cache (and npm's own caches) first; not measured.
  await npmInstall(clone);
  const results = [];
  for (let i = 0; i < runs; i++) {
    rmSync(join(clone, "node_modules"), { recursive: true, force: true });
    rmSync(join(clone, "dist"), { recursive: true, force: true });
    const r = await npmInstall(clone);
    results.push(r);
    console.log(
      `  run ${i + 1}: ${r.seconds.toFixed(1)} s (build ${r.build.toFixed(1)} s; CPU ${r.cpu.toFixed(1)} s; load average ${loadavg()[0].toFixed(1)})`,
    );
  }
  const total = median(results.map((r) => r.seconds));
  const build = median(results.map((r) => r.build));
  console.log("");
  console.log("| step | median | share |");
  console.log("|---|---|---|");
  console.log(`| npm install (fresh clone, warm cache) | ${total.toFixed(1)} s | 100% |`);
  console.log(`| of which the build (prepare) | ${build.toFixed(1)} s | ${((100 * build) / total).toFixed(0)}% |`);
  console.log(`| of which dependencies (fetch, link, their install scripts) | ${(total - build).toFixed(1)} s | ${((100 * (total - build)) / total).toFixed(0)}% |`);
  const cpu = median(results.map((r) => r.cpu));
  console.log(`| CPU time of npm and its children (user + system) | ${cpu.toFixed(1)} s | |`);
  console.log(`\ntarget: under ${TARGET_S} s on a quiet 2-core machine: ${total < TARGET_S ? "met" : "MISSED"}`);
  console.log(`load average now: ${loadavg().map((l) => l.toFixed(1)).join(" ")} (on 2 cores, more than ~1 means the figures are inflated)`);
  const warning = /install scripts not yet covered by allowScripts/.test(results.at(-1).out);
  console.log(`npm's allowScripts advisory printed: ${warning ? "yes" : "no"}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
