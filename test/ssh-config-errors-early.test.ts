// Issue 15: mistakes in the options are reported before any network traffic: a malformed pinned
// fingerprint or an unknown algorithm name fails at once, without connecting (no listener needed:
// the port given would refuse, and the error must not be that refusal).
import { describe, expect, it } from "vitest";
import { SSHClient } from "../src/entries/ssh.js";

const base = { host: "127.0.0.1", port: 1, username: "u" };

describe("option errors come before the connection", () => {
  it("a malformed pinned fingerprint", async () => {
    const err = await SSHClient.connect({ ...base, hostKeyFingerprints: ["SHA256:tooshort"] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect((err as Error).message).toMatch(/is not a SHA256 fingerprint/);
  });

  it("an unknown algorithm, with the supported list", async () => {
    const err = await SSHClient.connect({ ...base, hostKeyFingerprints: ["SHA256:" + "A".repeat(43)], algorithms: { cipher: ["rot13"] } }).catch((e: unknown) => e);
    expect((err as Error).name).toBe("ConfigurationError");
    expect((err as Error).message).toMatch(/algorithms\.cipher: "rot13" is not supported \(supported: chacha20-poly1305@openssh\.com, aes128-ctr/);
  });
});
