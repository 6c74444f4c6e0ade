#!/usr/bin/env node
// Size of the browser build: each entry bundled the way dist/browser is built (esbuild, ESM,
// platform browser, minified, every dependency included, Node-only files swapped as in tsup.config.ts), then gzipped (level 9) and brotli'd.
// Usage: node bench/bundle-size.mjs [--json]
import { build } from "esbuild";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { browserSubstitutes } from "../src/platform/browser-substitutes.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TARGET_CORE_GZIP = 40 * 1024;

const ENTRIES = [
  { name: "SSH core (mcp-ssh-core.js)", entry: "src/browser-ssh.ts", targetGzip: TARGET_CORE_GZIP },
  { name: "SSH core + MCP transport (mcp-ssh.js)", entry: "src/browser.ts" },
  // What an application's own bundler keeps when it imports only these (tree-shaken).
  {
    name: "only SSHClient + connectWebSocket",
    source: 'export { SSHClient } from "./src/ssh/client.ts"; export { connectWebSocket } from "./src/ssh/io/websocket.ts";',
  },
  {
    name: "only SSHClientTransport + connectWebSocket",
    source: 'export { SSHClientTransport } from "./src/mcp/ssh-client-transport.ts"; export { connectWebSocket } from "./src/ssh/io/websocket.ts";',
  },
];

async function measure({ entry, source }) {
  const result = await build({
    ...(entry ? { entryPoints: [entry] } : { stdin: { contents: source, resolveDir: ROOT, loader: "ts", sourcefile: "app.ts" } }),
    absWorkingDir: ROOT,
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    minify: true,
    write: false,
    metafile: true,
    plugins: [browserSubstitutes()],
    logLevel: "silent",
  });
  const code = result.outputFiles[0].contents;
  const inputs = Object.values(result.metafile.outputs)[0].inputs;
  const byPackage = new Map();
  for (const [path, { bytesInOutput }] of Object.entries(inputs)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? "mcp-ssh (src)";
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + bytesInOutput);
  }
  return {
    minified: code.byteLength,
    gzip: gzipSync(code, { level: 9 }).byteLength,
    brotli: brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).byteLength,
    byPackage: [...byPackage].sort((a, b) => b[1] - a[1]),
  };
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

const rows = [];
for (const e of ENTRIES) rows.push({ ...e, ...(await measure(e)) });

if (process.argv.includes("--json")) {
  console.log(JSON.stringify(rows.map(({ name, minified, gzip, brotli, targetGzip }) => ({ name, minified, gzip, brotli, targetGzip })), null, 2));
} else {
  const header = ["browser bundle", "minified", "gzip -9", "brotli", "target (gzip)"];
  const table = rows.map((r) => [
    r.name,
    kb(r.minified),
    kb(r.gzip),
    kb(r.brotli),
    r.targetGzip === undefined ? "-" : `< ${kb(r.targetGzip)} ${r.gzip < r.targetGzip ? "ok" : "OVER"}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
  console.log("\nBrowser bundle size (esbuild --minify, platform browser, dependencies included)\n");
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? ":" : "-") + "-".repeat(w) + (i === 0 ? "-" : ":")).join("|")}|`);
  for (const row of table) console.log(line(row));
  for (const r of rows) {
    console.log(`\n${r.name}, minified bytes by package:`);
    for (const [pkg, bytes] of r.byPackage) console.log(`  ${pkg.padEnd(28)} ${kb(bytes).padStart(9)}`);
  }
}
