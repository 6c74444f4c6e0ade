import { defineConfig } from "tsup";
import { rmSync } from "node:fs";
import { browserSubstitutes } from "./src/platform/browser-substitutes.mjs";

// The three builds below run at once and share dist/ (two of them dist/browser), so none may clean
// it: tsup's clean, .d.ts files included, would delete files another build has just written.
// Stale files of an earlier build (chunk names change with their content) go here, once, first.
rmSync("dist", { recursive: true, force: true });

export default defineConfig([
  {
    entry: {
      index: "src/entries/index.ts",
      ssh: "src/entries/ssh.ts",
      mcp: "src/entries/mcp.ts",
      keyserver: "src/entries/keyserver.ts",
      cli: "src/cli/main.ts",
    },
    format: ["esm"],
    dts: false,
    clean: false,
    target: "es2022",
    platform: "node",
    splitting: true,
    sourcemap: false,
  },
  // Browsers: ESM with dependencies bundled in, no Node builtins (esbuild fails the build if one
  // is reachable). mcp-ssh-core = SSH only; mcp-ssh = SSH + MCP. Split: each `import()` target
  // (fallbacks a runtime rarely needs, the key-server client) becomes a chunk loaded only when
  // called, so a browser downloads only what it runs. Whoever serves dist/browser must serve all
  // its .js files (src/relay/demo-files.ts does).
  //
  // One build per entry: built together, esbuild would also cut the core into the pieces it
  // shares with mcp-ssh.js and with mcp-ssh.js's lazy chunks (7 files instead of 3), and each
  // piece is compressed on its own, which costs the core ~2 KB gzipped. Both write into
  // dist/browser; a chunk both need (same content) has the same hashed name in each.
  ...[
    { "mcp-ssh": "src/entries/browser.ts" },
    { "mcp-ssh-core": "src/entries/browser-ssh.ts" },
  ].map((entry) => ({
    entry,
    outDir: "dist/browser",
    format: ["esm" as const],
    dts: false,
    clean: false,
    target: "es2022",
    platform: "browser" as const,
    noExternal: [/.*/],
    esbuildPlugins: [browserSubstitutes()],
    splitting: true,
    minify: true,
    sourcemap: false,
  })),
]);
