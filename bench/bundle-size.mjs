#!/usr/bin/env node
// Size of the browser build, built the way tsup.config.ts builds dist/browser (esbuild, ESM,
// platform browser, minified, every dependency included, Node-only files swapped, split into
// chunks, one build per entry), each file gzipped (level 9) and brotli'd on its own, as a server
// sends it.
//
// Per entry, two numbers that mean different things:
// - initial load: the entry file and every chunk it imports statically, transitively. A browser
//   downloads all of it before the entry runs, i.e. before it can connect. The 40 KB target is
//   about this.
// - lazy chunks: what the entry can reach only through `import()` (fallbacks a runtime rarely
//   needs, features used only sometimes). Listed with their contents; a browser downloads one
//   only when that code path runs.
// - at connect: the initial load plus the lazy chunks that every connection of a current browser
//   (WebCrypto with Ed25519/X25519, WebAssembly SIMD) imports anyway; see LOADED_AT_CONNECT. This
//   is what a browser downloads to connect with curve25519-sha256, an ssh-ed25519 host key and user
//   key and chacha20-poly1305, and what the budget (bench/lib/bundle-budget.mjs) is checked against.
// - with ML-KEM: at connect plus the ML-KEM chunk, which a connection imports when
//   mlkem768x25519-sha256 is negotiated (our default and OpenSSH >= 9.9's first choice). Issue 17
//   asks for post-quantum code loaded only when negotiated, so the budget does not include it.
// Usage: node bench/bundle-size.mjs [--json]
import { build } from "esbuild";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { browserBuildOptions } from "../src/platform/browser-substitutes.mjs";

import { CLIENT_ONLY_BUDGET_GZIP, CORE_FILE_BUDGET_GZIP, LOADED_AT_CONNECT, LOADED_FOR_MLKEM } from "./lib/bundle-budget.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
// A chunk counts toward "at connect" when it holds one of LOADED_AT_CONNECT's sources (keep that
// list in step with the code: a wrong list makes the column wrong), toward "with ML-KEM" when it
// holds one of LOADED_FOR_MLKEM's.

const ENTRIES = [
  // The two files of dist/browser.
  { name: "SSH core (mcp-ssh-core.js)", out: "mcp-ssh-core", entry: "src/entries/browser-ssh.ts", targetGzip: CORE_FILE_BUDGET_GZIP },
  { name: "SSH core + MCP transport (mcp-ssh.js)", out: "mcp-ssh", entry: "src/entries/browser.ts" },
  // What an application's own bundler keeps when it imports only these (tree-shaken, also split).
  {
    name: "only SSHClient + connectWebSocket",
    targetGzip: CLIENT_ONLY_BUDGET_GZIP,
    source: 'export { SSHClient } from "./src/ssh/client.ts"; export { connectWebSocket } from "./src/ssh/io/websocket.ts";',
  },
  {
    name: "only SSHClientTransport + connectWebSocket",
    source: 'export { SSHClientTransport } from "./src/mcp/client/ssh-client-transport.ts"; export { connectWebSocket } from "./src/ssh/io/websocket.ts";',
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

/** Build one entry split into chunks; returns the metafile outputs and each file's bytes. */
async function splitBuild({ name, out = "app", entry, source }) {
  const id = `virtual:${name}`;
  const sources = new Map([[id, source]]);
  const result = await build({
    entryPoints: { [out]: entry ?? id },
    absWorkingDir: ROOT,
    outdir: "bench-out", // never written
    ...browserBuildOptions(),
    write: false,
    metafile: true,
    plugins: [virtualEntries(sources), ...browserBuildOptions().plugins],
    logLevel: "silent",
  });
  const bytes = new Map(result.outputFiles.map((f) => [f.path.slice(ROOT.length).replace(/^\//, ""), f.contents]));
  return { outputs: result.metafile.outputs, bytes, entryPoint: entry ?? `bench-virtual:${id}` };
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
    atConnect: Object.keys(outputs[path].inputs).some((input) => LOADED_AT_CONNECT.some((re) => re.test(input))),
    forMlkem: Object.keys(outputs[path].inputs).some((input) => LOADED_FOR_MLKEM.some((re) => re.test(input))),
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
  const connect = sum([...initialFiles, ...lazyFiles.filter((f) => f.atConnect)]);
  const mlkem = sum([...initialFiles, ...lazyFiles.filter((f) => f.atConnect || f.forMlkem)]);
  return { initial: sum(initialFiles), initialFiles, connect, mlkem, lazy: sum(lazyFiles), lazyFiles, total: sum(stats(everything)) };
}

const rows = [];
for (const e of ENTRIES) {
  const { outputs, bytes, entryPoint } = await splitBuild(e);
  rows.push({ ...e, ...describeEntry(entryPoint, outputs, bytes) });
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const packages = (byPackage) =>
  [...byPackage]
    .sort((a, b) => b[1] - a[1])
    .map(([pkg, n]) => `${pkg} ${kb(n)}`)
    .join(", ");

const filesText = (n) => `${n} file${n === 1 ? "" : "s"}`;

if (process.argv.includes("--json")) {
  const plain = ({ files, minified, gzip, brotli }) => ({ files, minified, gzip, brotli });
  console.log(
    JSON.stringify(
      rows.map((r) => ({
        name: r.name,
        targetGzip: r.targetGzip,
        initial: plain(r.initial),
        atConnect: plain(r.connect),
        withMlkem: plain(r.mlkem),
        lazy: {
          ...plain(r.lazy),
          chunks: r.lazyFiles.map((f) => ({ file: f.file, ...plain({ ...f, files: 1 }), atConnect: f.atConnect, forMlkem: f.forMlkem, byPackage: Object.fromEntries(f.byPackage) })),
        },
        total: plain(r.total),
      })),
      null,
      2,
    ),
  );
} else {
  const header = ["browser bundle", "initial load", "minified", "gzip -9", "brotli", "at connect (gzip)", "budget (gzip)", "with ML-KEM (gzip)", "lazy chunks (gzip)", "total (gzip)"];
  const table = rows.map((r) => [
    r.name,
    filesText(r.initial.files),
    kb(r.initial.minified),
    kb(r.initial.gzip),
    kb(r.initial.brotli),
    `${filesText(r.connect.files)}: ${kb(r.connect.gzip)}`,
    r.targetGzip === undefined ? "-" : `< ${kb(r.targetGzip)} ${r.connect.gzip < r.targetGzip ? "ok" : "OVER"}`,
    kb(r.mlkem.gzip),
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
    [
      "",
      "initial load: the entry and the chunks it imports statically, downloaded before it runs.",
      "at connect:   initial load + the lazy chunks every connection of a current browser imports (WebCrypto curves,",
      "              WebAssembly SIMD): what a browser downloads to connect with curve25519-sha256, ssh-ed25519 keys and",
      "              chacha20-poly1305. The budget (bench/lib/bundle-budget.mjs; issue 17 asked for 40 KB) applies to this.",
      "with ML-KEM:  at connect + the ML-KEM chunk, imported when mlkem768x25519-sha256 is negotiated (OpenSSH >= 9.9).",
      "lazy chunks:  reachable only through import() (fallbacks, rarely used features); downloaded when that path runs.",
      "total:        all of it, the most one page could load from this entry.",
    ].join("\n"),
  );
  for (const r of rows) {
    console.log(`\n${r.name}`);
    console.log(`  initial load, minified bytes by package: ${packages(r.initial.byPackage)}`);
    console.log(`  initial files (gzip): ${r.initialFiles.map((f) => `${f.file} ${kb(f.gzip)}`).join(", ")}`);
    for (const f of r.lazyFiles) {
      const when = f.atConnect ? "lazy, loaded at connect" : f.forMlkem ? "lazy, loaded for mlkem768x25519" : "lazy";
      console.log(`  ${when} ${f.file}: ${kb(f.minified)} minified, ${kb(f.gzip)} gzip; ${packages(f.byPackage)}`);
    }
  }
}
