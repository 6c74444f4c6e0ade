// Which build of mcp-ssh the benchmarks load: the built library (dist/<entry>.js, `npx tsup`) by
// default; with `--src` or BENCH_FROM=src, or when the dist file is missing, its source entry bundled by
// esbuild (a devDependency) into one temporary ESM file. The resolved file is passed to the worker
// processes so that every client process runs the same code.
import { build } from "esbuild";
import { execFileSync, execSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const ENTRIES = {
  /** `mcp-ssh/ssh`: the SSH client alone (what an SSH-only program loads). */
  ssh: { dist: "dist/ssh.js", src: "src/ssh-entry.ts" },
  /** `mcp-ssh/mcp`: the MCP transport. */
  mcp: { dist: "dist/mcp.js", src: "src/mcp-entry.ts" },
};

/**
 * Returns `{ path, description, cleanup }` of an ESM file exporting the entry ("ssh": SSHClient
 * ...; "mcp": SSHClientTransport ...). `description` says where it came from and warns when dist
 * is older than src.
 */
export async function resolveLibrary(entry, argv = process.argv) {
  const { dist: distFile, src } = ENTRIES[entry];
  const dist = join(ROOT, distFile);
  const fromSrc = argv.includes("--src") || process.env.BENCH_FROM === "src" || !existsSync(dist);
  if (!fromSrc) {
    const stale = newestMtime(join(ROOT, "src")) > statSync(dist).mtimeMs;
    return {
      path: dist,
      description: `${distFile}${stale ? " (WARNING: older than src/; run `npx tsup` or pass --src)" : ""}`,
      cleanup() {},
    };
  }
  return bundle({ entryPoints: [join(ROOT, src)] }, `${src} bundled by esbuild`);
}

/**
 * A preview of the SSH client with the WebAssembly chacha20-poly1305 kernel (src/ssh/cipher/select.ts)
 * registered in place of the @noble one, for as long as the transport does not do that itself:
 * `ssh` entry + `prepareCiphers`, `registerCipher`, `chacha20Poly1305`, `cipherImplementation`.
 * Built from src/ as committed at HEAD (the working tree may hold a kernel half-way through an
 * edit). Null when HEAD has no selector.
 */
export async function resolveWasmPreview() {
  const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
  const tree = mkdtempSync(join(cacheDir(), "mcp-ssh-bench-head-"));
  process.once("exit", () => rmSync(tree, { recursive: true, force: true }));
  execSync(`git archive HEAD src | tar -x -C ${JSON.stringify(tree)}`, { cwd: ROOT });
  if (!existsSync(join(tree, "src/ssh/cipher/select.ts"))) return null;
  const contents = [
    `export * from "./src/ssh-entry.ts";`,
    `export { registerCipher } from "./src/ssh/kex/algorithms.ts";`,
    `export { prepareCiphers, cipherImplementation, chacha20Poly1305 } from "./src/ssh/cipher/select.ts";`,
  ].join("\n");
  const preview = await bundle(
    { stdin: { contents, resolveDir: tree, loader: "ts", sourcefile: "wasm-preview.ts" } },
    `src/ssh-entry.ts at ${commit} + WebAssembly kernel registered (preview, bundled by esbuild)`,
  );
  return { ...preview, cleanup: () => (preview.cleanup(), rmSync(tree, { recursive: true, force: true })) };
}

/** Inside node_modules so that bundles' bare imports resolve to the repository's packages. */
function cacheDir() {
  const cache = join(ROOT, "node_modules/.cache");
  mkdirSync(cache, { recursive: true });
  return cache;
}

async function bundle(input, description) {
  const result = await build({
    ...input,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "es2022",
    write: false,
    logLevel: "error",
    // Keep dependencies as the installed packages (resolved from the repository) so that the
    // bundle is only our code, as in dist.
    packages: "external",
  });
  const dir = mkdtempSync(join(cacheDir(), "mcp-ssh-bench-"));
  const file = join(dir, "index.mjs");
  writeFileSync(file, result.outputFiles[0].text);
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  process.once("exit", cleanup);
  return { path: file, description, cleanup };
}
