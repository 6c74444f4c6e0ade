// The browser build exactly as tsup's browser build makes it (see tsup.config.ts): both entries,
// split into shared and lazily imported chunks, in one flat directory. Built fresh for a test so
// it never runs a stale dist/.
import { build } from "esbuild";
import { join } from "node:path";
import { browserSubstitutes } from "../../src/platform/browser-substitutes.mjs";

const ROOT = join(import.meta.dirname, "..", "..");

export interface BrowserBuild {
  /** Every .js file written (entries and chunks), by file name. */
  files: string[];
  /** Chunks that no entry imports statically, even transitively: only `import()` loads them. */
  lazyChunks: string[];
}

export async function buildBrowserBundle(outDir: string): Promise<BrowserBuild> {
  const entries = ["src/browser.ts", "src/browser-ssh.ts"];
  const result = await build({
    entryPoints: { "mcp-ssh": entries[0]!, "mcp-ssh-core": entries[1]! },
    absWorkingDir: ROOT,
    outdir: outDir,
    bundle: true,
    splitting: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    minify: true,
    keepNames: true,
    metafile: true,
    plugins: [browserSubstitutes()],
    logLevel: "silent",
  });
  const outputs = result.metafile.outputs;
  const name = (path: string) => path.slice(path.lastIndexOf("/") + 1);
  const eager = new Set<string>();
  const visit = (path: string) => {
    if (eager.has(path)) return;
    eager.add(path);
    for (const i of outputs[path]!.imports) if (i.kind === "import-statement") visit(i.path);
  };
  // esbuild marks the target of each import() an entryPoint too; only ours are loaded up front.
  for (const [path, out] of Object.entries(outputs)) if (out.entryPoint && entries.includes(out.entryPoint)) visit(path);
  const files = Object.keys(outputs).map(name);
  return { files, lazyChunks: Object.keys(outputs).filter((p) => !eager.has(p)).map(name) };
}
