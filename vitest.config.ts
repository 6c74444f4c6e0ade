import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Interop tests start real sshd/Dropbear processes; two cores do not gain from more workers.
    maxWorkers: 2,
    // Any unhandled rejection fails the run (vitest's default), kept explicit.
    dangerouslyIgnoreUnhandledErrors: false,
    // ...and fails the test that leaked it, including rejections shortly after a file's last test.
    setupFiles: ["test/setup/unhandled.ts"],
  },
});
