// The core must run in a browser: bundling the browser entries for `platform: "browser"` fails
// (esbuild cannot resolve node: builtins there) if anything Node-only is reachable, and a scan of
// the sources catches what a bundler would let through (the Buffer and process globals).
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import { build, type Metafile, type Plugin } from "esbuild";
import { describe, expect, it } from "vitest";
import { BROWSER_SUBSTITUTES, browserBuildOptions, browserSubstitutes } from "../src/platform/browser-substitutes.mjs";
import {
  CLIENT_ONLY_ALSO_LAZY,
  CLIENT_ONLY_BUDGET_GZIP,
  CORE_FILE_BUDGET_GZIP,
  LOADED_AT_CONNECT,
  LOADED_ONLY_WHEN_USED,
} from "../bench/lib/bundle-budget.mjs";

const ROOT = join(import.meta.dirname, "..");

/** Files allowed to use Node, Deno or Bun directly; the core must not import them. */
const RUNTIME_ADAPTERS = [
  /^src\/ssh\/io\/(node|deno|bun)-tcp\.ts$/,
  /^src\/ssh\/keys\/node\//,
];
const NODE_ONLY_INPUTS = [
  /^src\/platform\/(?!browser\/)/,
  /^src\/relay\//,
  /^src\/cli\//,
  /^src\/keyserver\/(node-.*|cli|authorized-keys-file)\.ts$/,
  /^src\/ssh\/io\/node-tcp\.ts$/,
  /^src\/ssh\/keys\/node\//,
  ...Object.keys(BROWSER_SUBSTITUTES).map((path) => new RegExp(`^${path.replace(/[.]/g, "\\.")}$`)),
];

async function bundleForBrowser(entry: string): Promise<{ metafile: Metafile; warnings: string[] }> {
  const result = await build({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    write: false,
    metafile: true,
    // The same swaps as the real browser build (tsup.config.ts); anything else Node-only fails.
    plugins: [browserSubstitutes()],
    logLevel: "silent",
    absWorkingDir: ROOT,
  });
  return { metafile: result.metafile, warnings: result.warnings.map((w) => w.text) };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs)$/.test(name) ? [path] : [];
  });
}

/** Source without comments and string contents, so prose like "no Buffer here" is not a hit. */
function codeOnly(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/(^|[^:\\])\/\/.*$/gm, "$1")
    .replace(/`(?:\\.|[^`\\])*`/g, "``");
}

describe.each(["src/entries/browser-ssh.ts", "src/entries/browser.ts"])("browser bundle of %s", (entry) => {
  it("bundles for platform browser with no Node builtin and no Node-only module of ours", async () => {
    const { metafile, warnings } = await bundleForBrowser(entry);
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.length).toBeGreaterThan(5);
    expect(inputs.filter((path) => path.startsWith("node:") || NODE_ONLY_INPUTS.some((re) => re.test(path)))).toEqual([]);
    expect(warnings).toEqual([]);
  });
});

it("uses every browser substitute (a stale entry would hide nothing, but should go)", async () => {
  const { metafile } = await bundleForBrowser("src/entries/browser.ts");
  for (const standIn of Object.values(BROWSER_SUBSTITUTES)) expect(Object.keys(metafile.inputs)).toContain(standIn);
});

describe("core sources", () => {
  const core = [...sourceFiles("src/ssh"), ...sourceFiles("src/mcp")].map((p) => relative(ROOT, join(ROOT, p)));
  const checked = core.filter((path) => !RUNTIME_ADAPTERS.some((re) => re.test(path)));

  it("finds the core to check", () => {
    expect(checked.length).toBeGreaterThan(10);
    expect(checked).toContain("src/ssh/io/websocket.ts");
  });

  it("import no node: module, no Buffer, no process global", () => {
    const hits: string[] = [];
    for (const path of checked) {
      const code = codeOnly(readFileSync(join(ROOT, path), "utf8"));
      code.split("\n").forEach((line, i) => {
        if (/\bfrom\s+["']node:|\bimport\s*\(\s*["']node:|\brequire\s*\(/.test(line)) hits.push(`${path}:${i + 1}: Node import: ${line.trim()}`);
        if (/(?<![.\w])Buffer\b/.test(line)) hits.push(`${path}:${i + 1}: Buffer: ${line.trim()}`);
        if (/(?<![.\w])process\s*\./.test(line)) hits.push(`${path}:${i + 1}: process global: ${line.trim()}`);
      });
    }
    expect(hits).toEqual([]);
  });

  it("never import a runtime adapter (entries under src/platform choose them)", () => {
    const hits = checked.filter((path) =>
      /from\s+["'][^"']*\/(node|deno|bun)-tcp\.js["']|from\s+["'][^"']*\/keys\/node\//.test(codeOnly(readFileSync(join(ROOT, path), "utf8"))),
    );
    expect(hits).toEqual([]);
  });
});

/**
 * The browser build as tsup.config.ts makes it (split into chunks, minified): what the entry loads
 * before it runs (its file and every chunk it imports statically) plus the lazy chunks every
 * connection imports, as bench/bundle-size.mjs counts "at connect"; each file gzipped on its own.
 */
async function atConnect(entry: { file: string } | { source: string }): Promise<{ gzip: number; inputs: string[] }> {
  const virtual: Plugin = {
    name: "virtual-entry",
    setup(b) {
      b.onResolve({ filter: /^virtual:entry$/ }, () => ({ path: "entry", namespace: "virtual" }));
      b.onLoad({ filter: /.*/, namespace: "virtual" }, () => ({ contents: "source" in entry ? entry.source : "", loader: "ts", resolveDir: ROOT }));
    },
  };
  const options = browserBuildOptions();
  const result = await build({
    ...options,
    entryPoints: { app: "file" in entry ? entry.file : "virtual:entry" },
    absWorkingDir: ROOT,
    outdir: "out", // never written
    write: false,
    metafile: true,
    plugins: [virtual, ...options.plugins],
    logLevel: "silent",
  });
  const outputs = result.metafile.outputs;
  const bytes = new Map(result.outputFiles.map((f) => [relative(ROOT, f.path), f.contents]));
  // Every import() target is an entry point of the build too; the one asked for is named so.
  const entryPoint = "file" in entry ? entry.file : "virtual:entry";
  const main = Object.keys(outputs).find((p) => outputs[p]!.entryPoint === entryPoint)!;
  const loaded = new Set<string>();
  const visit = (path: string, kinds: string[]) => {
    if (loaded.has(path)) return;
    loaded.add(path);
    for (const i of outputs[path]!.imports) if (kinds.includes(i.kind)) visit(i.path, kinds);
  };
  visit(main, ["import-statement"]);
  const reachable = new Set<string>();
  const all = (path: string) => {
    if (reachable.has(path)) return;
    reachable.add(path);
    for (const i of outputs[path]!.imports) if (i.kind === "import-statement" || i.kind === "dynamic-import") all(i.path);
  };
  all(main);
  for (const path of reachable) {
    if (Object.keys(outputs[path]!.inputs).some((input) => LOADED_AT_CONNECT.some((re) => re.test(input)))) visit(path, ["import-statement"]);
  }
  let gzip = 0;
  const inputs: string[] = [];
  for (const path of loaded) {
    gzip += gzipSync(bytes.get(path)!, { level: 9 }).byteLength;
    for (const [input, { bytesInOutput }] of Object.entries(outputs[path]!.inputs)) if (bytesInOutput > 0) inputs.push(input);
  }
  return { gzip, inputs };
}

const lazyHits = (inputs: string[], patterns: readonly RegExp[]) => inputs.filter((input) => patterns.some((re) => re.test(input)));

// Issue 17: what a page downloads to connect (curve25519, ssh-ed25519, chacha20-poly1305) has a
// budget, and what only some connections run (AES, RSA/ECDSA, classic and post-quantum kex, key
// file formats, ssh_config, jump hosts, @noble fallbacks) stays out of it until it is used.
describe("what a browser downloads to connect", () => {
  it("the core file (mcp-ssh-core.js) stays within its budget and leaves the lazily loaded code out", async () => {
    const { gzip, inputs } = await atConnect({ file: "src/entries/browser-ssh.ts" });
    // What every connection runs is there (so the checks below look at the right thing).
    expect(inputs).toContain("src/ssh/transport/transport.ts");
    expect(inputs).toContain("src/ssh/cipher/wasm/kernel-simd.generated.ts");
    expect(lazyHits(inputs, LOADED_ONLY_WHEN_USED)).toEqual([]);
    expect(gzip).toBeLessThan(CORE_FILE_BUDGET_GZIP);
  });

  it("an application importing only SSHClient and connectWebSocket: within its budget, no ssh_config resolver", async () => {
    const { gzip, inputs } = await atConnect({
      source: 'export { SSHClient } from "./src/ssh/client.ts"; export { connectWebSocket } from "./src/ssh/io/websocket.ts";',
    });
    expect(inputs).toContain("src/ssh/transport/transport.ts");
    expect(lazyHits(inputs, [...LOADED_ONLY_WHEN_USED, ...CLIENT_ONLY_ALSO_LAZY])).toEqual([]);
    expect(gzip).toBeLessThan(CLIENT_ONLY_BUDGET_GZIP);
  });
});
