// The browser build swaps these Node-only modules of ours for browser stand-ins, the way a
// package.json "browser" map would. Used by tsup.config.ts, the bundle tests and the size bench,
// so all three build the same thing. Keep the list short: each entry is a feature a browser lacks.
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Node-only source file -> browser stand-in (paths from the package root). */
export const BROWSER_SUBSTITUTES = {
  "src/keyserver/node-fetch.ts": "src/platform/browser/keyserver-node-fetch.ts",
};

/** esbuild plugin: resolve imports of a substituted file to its stand-in. */
export function browserSubstitutes() {
  const map = new Map(Object.entries(BROWSER_SUBSTITUTES).map(([from, to]) => [join(ROOT, from), join(ROOT, to)]));
  return {
    name: "mcp-ssh-browser-substitutes",
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        const target = resolve(args.resolveDir, args.path).replace(/\.js$/, ".ts");
        const substitute = map.get(target);
        return substitute === undefined ? undefined : { path: substitute };
      });
    },
  };
}

/**
 * esbuild options of one browser build as tsup.config.ts's browser builds make it: ESM, split into
 * lazily imported chunks, minified, dependencies bundled, Node-only files swapped. The size bench
 * and the browser tests build with these, so they measure and run what dist/browser holds.
 */
export function browserBuildOptions() {
  return {
    bundle: true,
    splitting: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    minify: true,
    plugins: [browserSubstitutes()],
  };
}
