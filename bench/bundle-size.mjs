#!/usr/bin/env node
// Size of the browser build, built the way tsup.config.ts builds dist/browser (esbuild, ESM,
// platform browser, minified, every dependency included, Node-only files swapped, split into
// chunks), each file gzipped (level 9) and brotli'd on its own, as a server sends it.
//
// Per entry, two numbers that mean different things:
// - initial load: the entry file and every chunk it imports statically, transitively. A browser
//   downloads all of it before the entry runs, i.e. before it can connect. The 40 KB target is
//   about this.
// - lazy chunks: what the entry can reach only through `import()` (fallbacks a runtime rarely
//   needs, features used only sometimes). Listed with their contents; a browser downloads one
//   only when that code path runs.
// Usage: node bench/bundle-size.mjs [--json]
import { build } from "esbuild";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { browserSubstitutes } from "../src/platform/browser-substitutes.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TARGET_CORE_GZIP = 40 * 1024;

// The two files of dist/browser, built together as tsup builds them (they share chunks).
const DIST_ENTRIES = [
  { name: "SSH core (mcp-ssh-core.js)", out: "mcp-ssh-core", entry: "src/browser-ssh.ts", targetGzip: TARGET_CORE_GZIP },
  { name: "SSH core + MCP transport (mcp-ssh.js)", out: "mcp-ssh", entry: "src/browser.ts" },
];
// What an application's own bundler keeps when it imports only these (tree-shaken, also split).
const APP_ENTRIES = [
  {
    name: "only SSHClient + connectWebSocket",
    source: 'export { SSHClient } from "./src/ssh/client.ts"; export { connectWebSocket } from "./src/ssh/io/websocket.ts";',
  },
  {
    name: "only SSHClientTransport + connectWebSocket",
    source: 'export { SSHClientTransport } from "./src/mcp/ssh-client-transport.ts"; export { connectWebSocket } from "./src/ssh/io/websocket.ts";',
  },
];

/** An entry given as source text, for a build that needs real entry points (splitting does). */
function virtualEntries(sources) {
  return {
    name: "bench-virtual-entries",
    setup(b) {
      b.onResolve({ filter: /^virtual:/ }, (args) => ({ path: args.path, namespace: "bench-virtual" }));
      b.onLoad({ filter: /.*/, namespace: "bench-virtual" }, (args) => ({ contents: sources.get(args.path), loader: "ts", resolveDir: ROOT }));
    },
  };
}

/** Build `entryPoints` (out name -> path) split into chunks; returns the metafile and each file's bytes. */
async function splitBuild(entryPoints, sources = new Map()) {
  const result = await build({
    entryPoints,
    absWorkingDir: ROOT,
    outdir: "bench-out", // never written
    bundle: true,
    splitting: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    minify: true,
    write: false,
    metafile: true,
    plugins: [virtualEntries(sources), browserSubstitutes()],
    logLevel: "silent",
  });
  const bytes = new Map(result.outputFiles.map((f) => [f.path.slice(ROOT.length).replace(/^\//, ""), f.contents]));
  return { outputs: result.metafile.outputs, bytes };
}

const packageOf = (input) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? "mcp-ssh (src)";

function fileStats(path, outputs, bytes) {
  const code = bytes.get(path);
  if (!code) throw new Error(`esbuild output ${path} not found among the files it produced`);
  const byPackage = new Map();
  for (const [input, { bytesInOutput }] of Object.entries(outputs[path].inputs)) {
    if (bytesInOutput > 0) byPackage.set(packageOf(input), (byPackage.get(packageOf(input)) ?? 0) + bytesInOutput);
  }
  return {
    file: path.slice(path.lastIndexOf("/") + 1),
    minified: code.byteLength,
    gzip: gzipSync(code, { level: 9 }).byteLength,
    brotli: brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).byteLength,
    byPackage,
  };
}

/** Files reachable from `start` through imports of the given kinds. */
function closure(start, outputs, kinds) {
  const seen = new Set();
  const visit = (path) => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const i of outputs[path].imports) if (kinds.includes(i.kind)) visit(i.path);
  };
  visit(start);
  return seen;
}

function sum(files) {
  const total = { files: files.length, minified: 0, gzip: 0, brotli: 0, byPackage: new Map() };
  for (const f of files) {
    total.minified += f.minified;
    total.gzip += f.gzip;
    total.brotli += f.brotli;
    for (const [pkg, n] of f.byPackage) total.byPackage.set(pkg, (total.byPackage.get(pkg) ?? 0) + n);
  }
  return total;
}

/** Initial load and lazy chunks of the output whose entry point is `entryPath`. */
function describeEntry(entryPath, outputs, bytes) {
  const out = Object.keys(outputs).find((p) => outputs[p].entryPoint === entryPath);
  if (!out) throw new Error(`no output for entry ${entryPath}`);
  const initial = closure(out, outputs, ["import-statement"]);
  const everything = closure(out, outputs, ["import-statement", "dynamic-import"]);
  const stats = (paths) => [...paths].map((p) => fileStats(p, outputs, bytes));
  const lazyFiles = stats([...everything].filter((p) => !initial.has(p))).sort((a, b) => b.gzip - a.gzip);
  const initialFiles = stats(initial);
  return { initial: sum(initialFiles), initialFiles, lazy: sum(lazyFiles), lazyFiles, total: sum(stats(everything)) };
}

const rows = [];
{
  const { outputs, bytes } = await splitBuild(Object.fromEntries(DIST_ENTRIES.map((e) => [e.out, e.entry])));
  for (const e of DIST_ENTRIES) rows.push({ ...e, ...describeEntry(e.entry, outputs, bytes) });
}
for (const e of APP_ENTRIES) {
  const id = `virtual:${e.name}`;
  const { outputs, bytes } = await splitBuild({ app: id }, new Map([[id, e.source]]));
  rows.push({ ...e, ...describeEntry(`bench-virtual:${id}`, outputs, bytes) });
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const packages = (byPackage) =>
  [...byPackage]
    .sort((a, b) => b[1] - a[1])
    .map(([pkg, n]) => `${pkg} ${kb(n)}`)
    .join(", ");

if (process.argv.includes("--json")) {
  const plain = ({ files, minified, gzip, brotli }) => ({ files, minified, gzip, brotli });
  console.log(
    JSON.stringify(
      rows.map((r) => ({
        name: r.name,
        targetGzip: r.targetGzip,
        initial: plain(r.initial),
        lazy: { ...plain(r.lazy), chunks: r.lazyFiles.map((f) => ({ ...plain({ ...f, files: 1 }), file: f.file, byPackage: Object.fromEntries(f.byPackage) })) },
        total: plain(r.total),
      })),
      null,
      2,
    ),
  );
} else {
  const header = ["browser bundle", "initial load", "minified", "gzip -9", "brotli", "target (gzip)", "lazy chunks (gzip)", "total (gzip)"];
  const table = rows.map((r) => [
    r.name,
    `${r.initial.files} file${r.initial.files === 1 ? "" : "s"}`,
    kb(r.initial.minified),
    kb(r.initial.gzip),
    kb(r.initial.brotli),
    r.targetGzip === undefined ? "-" : `< ${kb(r.targetGzip)} ${r.initial.gzip < r.targetGzip ? "ok" : "OVER"}`,
    r.lazy.files === 0 ? "none" : `${r.lazy.files}: ${kb(r.lazy.gzip)}`,
    kb(r.total.gzip),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
  console.log("\nBrowser bundle size (esbuild --minify --splitting, platform browser, dependencies included; each file compressed on its own)\n");
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? ":" : "-") + "-".repeat(w) + (i === 0 ? "-" : ":")).join("|")}|`);
  for (const row of table) console.log(line(row));
  console.log(
    "\ninitial load = the entry and the chunks it imports statically: what a browser downloads before it can connect\n" +
      "(the target applies to this). lazy chunks = reachable only through import(): downloaded when that path runs.\n" +
      "total = both, i.e. the most one page could ever load from this entry.",
  );
  for (const r of rows) {
    console.log(`\n${r.name}`);
    console.log(`  initial load, minified bytes by package: ${packages(r.initial.byPackage)}`);
    console.log(`  initial files (gzip): ${r.initialFiles.map((f) => `${f.file} ${kb(f.gzip)}`).join(", ")}`);
    for (const f of r.lazyFiles) {
      console.log(`  lazy ${f.file}: ${kb(f.minified)} minified, ${kb(f.gzip)} gzip; ${packages(f.byPackage)}`);
    }
  }
}
