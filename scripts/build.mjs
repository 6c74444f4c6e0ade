#!/usr/bin/env node
// Builds dist/: the JavaScript (tsup: the Node entries and the two browser bundles, ~3 s) and,
// with --types, the type declarations (one `tsc --emitDeclarationOnly` pass over the public entry
// points, ~8 s, instead of tsup's three parallel dts passes of ~12 s each).
//
//   node scripts/build.mjs                    JavaScript only (what `npm install` runs: `prepare`)
//   node scripts/build.mjs --types            JavaScript and declarations (`npm run build`, `prepack`)
//   ... --if-stale                            skip each part whose output is newer than its inputs
//
// Nobody who installs from a clone needs the declarations (tests and tools read src/), so
// `prepare` builds only the JavaScript; `npm pack` / `npm publish` (and npm's install of a git
// dependency, which packs it) run `prepack` first, which adds them. npm then runs `prepare` too,
// which finds dist/ fresh and does nothing: no work is done twice. `npm run demo:browser` uses
// --if-stale as well, so it starts at once after `npm install`.
//
// The WebAssembly kernel's generated sources are committed (scripts/build-wasm.mjs), so only a full
// `npm run build` reassembles them.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const wantTypes = args.includes("--types");
const ifStale = args.includes("--if-stale");
const wasm = args.includes("--wasm");

/** Marker files: their mtime is when that part of dist/ was last built from the sources. */
export const JS_STAMP = join(root, "dist", ".built-js");
export const TYPES_STAMP = join(root, "dist", "types", ".built-types");

/** Public declaration files -> the module in dist/types they re-export (names as in package.json). */
const DECLARATION_STUBS = {
  "dist/index.d.ts": "./types/entries/index.js",
  "dist/ssh.d.ts": "./types/entries/ssh.js",
  "dist/mcp.d.ts": "./types/entries/mcp.js",
  "dist/keyserver.d.ts": "./types/entries/keyserver.js",
  "dist/browser/mcp-ssh.d.ts": "../types/entries/browser.js",
  "dist/browser/mcp-ssh-core.d.ts": "../types/entries/browser-ssh.js",
};

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** The inputs of the build: sources, the build configuration and the manifest. */
function inputsMtime() {
  return Math.max(
    ...["src", "tsup.config.ts", "tsconfig.json", "package.json", "scripts/build.mjs", "scripts/tsconfig.types.json"].map((p) =>
      newestMtime(join(root, p)),
    ),
  );
}

/** Whether the part stamped by `stamp` was built after every input last changed. */
export function isFresh(stamp) {
  return existsSync(stamp) && statSync(stamp).mtimeMs > inputsMtime();
}

function run(label, bin, binArgs) {
  const started = performance.now();
  const result = spawnSync(process.execPath, [bin, ...binArgs], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  if (result.status !== 0) {
    process.stdout.write(result.stdout ?? "");
    console.error(`build: ${label} failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
  console.log(`build: ${label} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

function binOf(pkg, name) {
  const manifest = require.resolve(`${pkg}/package.json`);
  const bin = require(manifest).bin;
  return join(dirname(manifest), typeof bin === "string" ? bin : bin[name]);
}

if (wasm) run("wasm kernel", join(root, "scripts", "build-wasm.mjs"), []);

if (ifStale && isFresh(JS_STAMP)) {
  console.log("build: dist/ JavaScript is newer than the sources; not rebuilt");
} else {
  // tsup.config.ts empties dist/ first (declarations included: they would be stale too).
  run("JavaScript (tsup)", binOf("tsup", "tsup"), ["--silent"]);
  writeFileSync(JS_STAMP, `${new Date().toISOString()}\n`);
}

if (wantTypes) {
  if (ifStale && isFresh(TYPES_STAMP) && Object.keys(DECLARATION_STUBS).every((f) => existsSync(join(root, f)))) {
    console.log("build: dist/ declarations are newer than the sources; not rebuilt");
  } else {
    run("declarations (tsc --emitDeclarationOnly)", binOf("typescript", "tsc"), ["-p", join(root, "scripts", "tsconfig.types.json")]);
    for (const [file, target] of Object.entries(DECLARATION_STUBS)) {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), `export * from "${target}";\n`);
    }
    writeFileSync(TYPES_STAMP, `${new Date().toISOString()}\n`);
  }
}
