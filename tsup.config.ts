import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    ssh: "src/ssh-entry.ts",
    mcp: "src/mcp-entry.ts",
    keyserver: "src/keyserver-entry.ts",
    cli: "src/cli/main.ts",
  },
  format: ["esm"],
  dts: true,
  clean: true,
  target: "es2022",
  platform: "node",
  splitting: true,
  sourcemap: false,
});
