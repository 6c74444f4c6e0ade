// The browser build exactly as tsup's browser builds make it (see tsup.config.ts): each entry
// built on its own, split into lazily imported chunks, all in one flat directory. Built fresh for
// a test so it never runs a stale dist/.
import { build, type Metafile } from "esbuild";
import { join } from "node:path";
import { browserBuildOptions } from "../../src/platform/browser-substitutes.mjs";

const ROOT = join(import.meta.dirname, "..", "..");
const ENTRIES = { "mcp-ssh": "src/entries/browser.ts", "mcp-ssh-core": "src/entries/browser-ssh.ts" };

export interface BrowserBuild {
  /** Every .js file written (entries and chunks), by file name. */
  files: string[];
  /** Chunks that no entry imports statically, even transitively: only `import()` loads them. */
  lazyChunks: string[];
}

const fileName = (path: string) => path.slice(path.lastIndexOf("/") + 1);

export async function buildBrowserBundle(outDir: string): Promise<BrowserBuild> {
  const files = new Set<string>();
  const eager = new Set<string>();
  for (const [out, entry] of Object.entries(ENTRIES)) {
    const { metafile } = await build({
      entryPoints: { [out]: entry },
      absWorkingDir: ROOT,
      outdir: outDir,
      ...browserBuildOptions(),
      metafile: true,
      logLevel: "silent",
    });
    const outputs: Metafile["outputs"] = metafile.outputs;
    const visit = (path: string) => {
      if (eager.has(fileName(path))) return;
      eager.add(fileName(path));
      for (const i of outputs[path]!.imports) if (i.kind === "import-statement") visit(i.path);
    };
    // esbuild marks the target of each import() an entryPoint too; only ours is loaded up front.
    for (const [path, o] of Object.entries(outputs)) if (o.entryPoint === entry) visit(path);
    for (const path of Object.keys(outputs)) files.add(fileName(path));
  }
  return { files: [...files], lazyChunks: [...files].filter((name) => !eager.has(name)) };
}
