import { defineConfig } from "tsup";
import { browserSubstitutes } from "./src/platform/browser-substitutes.mjs";

export default defineConfig([
  {
    entry: {
      index: "src/index.ts",
      ssh: "src/ssh-entry.ts",
      mcp: "src/mcp-entry.ts",
      keyserver: "src/keyserver-entry.ts",
      cli: "src/cli/main.ts",
    },
    format: ["esm"],
    dts: true,
    // dist/browser belongs to the browser build below; both builds run at once.
    clean: ["!browser/**"],
    target: "es2022",
    platform: "node",
    splitting: true,
    sourcemap: false,
  },
  {
    // Browsers: ESM with dependencies bundled in, no Node builtins (esbuild fails the build if one
    // is reachable). mcp-ssh-core = SSH only; mcp-ssh = SSH + MCP. Split: code both entries share
    // goes to chunk files they import, and each `import()` target (fallbacks a runtime rarely
    // needs, the key-server client) to a chunk loaded only when called, so a browser downloads
    // only what it runs. Whoever serves dist/browser must serve all its .js files (demo-files.ts).
    entry: {
      "mcp-ssh": "src/browser.ts",
      "mcp-ssh-core": "src/browser-ssh.ts",
    },
    outDir: "dist/browser",
    format: ["esm"],
    dts: true,
    clean: true,
    target: "es2022",
    platform: "browser",
    noExternal: [/.*/],
    esbuildPlugins: [browserSubstitutes()],
    splitting: true,
    minify: true,
    sourcemap: false,
  },
]);
