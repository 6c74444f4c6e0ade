// The browser bundle exactly as tsup's browser build makes it (see tsup.config.ts), built fresh
// for a test so it never runs a stale dist/.
import { join } from "node:path";
import { build } from "esbuild";
import { browserSubstitutes } from "../../src/platform/browser-substitutes.mjs";

const ROOT = join(import.meta.dirname, "..", "..");

export async function buildBrowserBundle(outFile: string, entry = "src/browser.ts"): Promise<void> {
  await build({
    entryPoints: [join(ROOT, entry)],
    outfile: outFile,
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    minify: true,
    keepNames: true,
    plugins: [browserSubstitutes()],
    logLevel: "silent",
  });
}
