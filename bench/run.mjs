#!/usr/bin/env node
// `npm run bench`: runs every benchmark in bench/ one after the other, each in its own Node
// process (so one's JIT state, heap and sockets cannot skew the next), and prints their tables.
// A benchmark is any bench/*.mjs file other than this one; helpers live in subfolders. Today:
// bundle-size, e2e-ciphers (AES-GCM and AES-CTR+HMAC downloads), e2e-http (MCP to a Streamable
// HTTP server by plain HTTP, `mcp-ssh --http-url` and sshFetch, against the stdio path), e2e-mcp,
// e2e-ssh, hotpath, hotpath-aes, kex-handshake (one handshake per kex method, OpenSSH 10.0's
// sshd), and install-time (a fresh clone's `npm install`, the build included: what a newcomer
// waits for; it needs the npm cache warm, and takes minutes). `--baseline=REV` is passed on like any flag: e2e-ssh, e2e-mcp
// and kex-handshake then also measure src/ at REV and print new / baseline.
//
// Usage: npm run bench [-- [NAME ...] [--quick] [--list] [other flags passed to every benchmark]]
//   NAME       run only the benchmarks whose file name contains NAME (e.g. `hotpath`, `e2e`)
//   --quick    passed on: each benchmark's short smoke mode (also BENCH_QUICK=1)
//   --list     print the benchmarks that would run, and exit
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const self = basename(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const filters = args.filter((a) => !a.startsWith("--"));
const passOn = args.filter((a) => a.startsWith("--") && a !== "--list");

const benchmarks = readdirSync(here)
  .filter((f) => f.endsWith(".mjs") && f !== self)
  .filter((f) => filters.length === 0 || filters.some((name) => f.includes(name)))
  .sort();

if (args.includes("--list")) {
  for (const b of benchmarks) console.log(b);
  process.exit(0);
}
if (benchmarks.length === 0) {
  console.error(`no benchmark in bench/ matches ${filters.join(", ")}; \`npm run bench -- --list\` shows them`);
  process.exit(1);
}

function runOne(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(here, file), ...passOn], { stdio: "inherit" });
    child.on("error", (err) => resolve({ code: 1, signal: null, err }));
    child.on("exit", (code, signal) => resolve({ code, signal }));
  });
}

const failed = [];
for (const file of benchmarks) {
  const started = performance.now();
  console.log(`\n=== ${file} ${"=".repeat(Math.max(3, 72 - file.length))}\n`);
  const { code, signal, err } = await runOne(file);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (code === 0) {
    console.log(`\n--- ${file}: done in ${seconds} s`);
  } else {
    failed.push(file);
    console.log(`\n--- ${file}: FAILED (${err ? err.message : signal ? `signal ${signal}` : `exit code ${code}`}) after ${seconds} s`);
  }
}
console.log(`\n${benchmarks.length - failed.length} of ${benchmarks.length} benchmarks completed` + (failed.length ? `; failed: ${failed.join(", ")}` : ""));
process.exit(failed.length ? 1 : 0);
