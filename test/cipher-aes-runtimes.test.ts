// The node:crypto AES backend (src/platform/node/aes-node.ts) serves Bun and Deno too: run
// test/runtimes/aes-check.ts under each and compare with the published known answers.
import { describe, expect, it } from "vitest";
import { parseResult, runScript, type ForeignRuntime } from "./runtimes/run-runtime.js";

const EXPECTED = {
  // GCM spec test case 4: ciphertext || tag
  gcm:
    "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091" +
    "5bc94fbc3221a5db94fae95ae7121a47",
  // NIST SP 800-38A F.5.1, blocks 1-2
  ctr: "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff",
  // RFC 4231 test case 2, HMAC-SHA-256
  hmac: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
  gcmPacket: true,
  "ctrPacket-hmac-sha2-256-etm@openssh.com": true,
  "ctrPacket-hmac-sha2-512": true,
};

describe("AES node:crypto backend on other runtimes", () => {
  for (const runtime of ["bun", "deno"] as ForeignRuntime[]) {
    it(`gives the known answers on ${runtime}`, async () => {
      const run = await runScript(runtime, "test/runtimes/aes-check.ts", []);
      expect(parseResult(run, `${runtime} aes-check`)).toEqual(EXPECTED);
    });
  }
});
