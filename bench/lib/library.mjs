// Which build of mcp-ssh the benchmarks load: the built library (dist/<entry>.js, `npx tsup`) by
// default; with `--src` or BENCH_FROM=src, or when the dist file is missing, its source entry bundled by
// esbuild (a devDependency) into one temporary ESM file. The resolved file is passed to the worker
// processes so that every client process runs the same code.
import { build } from "esbuild";
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
  const result = await build({
    entryPoints: [join(ROOT, src)],
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
  // Inside node_modules so that the bundle's bare imports resolve to the repository's packages.
  const cache = join(ROOT, "node_modules/.cache");
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, "mcp-ssh-bench-"));
  const file = join(dir, "index.mjs");
  writeFileSync(file, result.outputFiles[0].text);
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  process.once("exit", cleanup);
  return { path: file, description: `${src} bundled by esbuild`, cleanup };
}
