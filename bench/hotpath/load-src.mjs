// Bundles TypeScript modules of src/ with esbuild (a devDependency) into one temporary ESM file and
// imports it, so benchmarks time the same code a bundler ships, with no TS loader in the process.
import { build } from "esbuild";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");

/** `exportsSource` is an ESM module body in terms of paths relative to the repository root. */
export async function importSrc(exportsSource) {
  const result = await build({
    stdin: { contents: exportsSource, resolveDir: root, loader: "ts", sourcefile: "bench-entry.ts" },
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    write: false,
    logLevel: "error",
  });
  const dir = await mkdtemp(join(tmpdir(), "mcp-ssh-bench-"));
  const file = join(dir, "entry.mjs");
  try {
    await writeFile(file, result.outputFiles[0].text);
    return await import(pathToFileURL(file).href);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
