// The core must run in a browser: bundling the browser entries for `platform: "browser"` fails
// (esbuild cannot resolve node: builtins there) if anything Node-only is reachable, and a scan of
// the sources catches what a bundler would let through (the Buffer and process globals).
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { build, type Metafile } from "esbuild";
import { describe, expect, it } from "vitest";
import { BROWSER_SUBSTITUTES, browserSubstitutes } from "../src/platform/browser-substitutes.mjs";

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
