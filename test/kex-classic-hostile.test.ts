// Hostile servers, end to end through our client transport: a server half that sends an invalid
// ECDH point, an out-of-range DH value, or a 1024-bit group-exchange group makes the client's
// handshake fail with a ProtocolError that says what was wrong. The server halves here are
// scripts; the client half is the real method from the table.
import { afterEach, describe, expect, it } from "vitest";
import { kexMethods } from "../src/ssh/algorithms/kex.js";
import { ProtocolError } from "../src/ssh/errors.js";
import { OAKLEY2, MODP14, bigintToBytes } from "../src/ssh/kex/dh-groups.js";
import type { KexContext, KexMethod, KexResult, ServerHostKey } from "../src/ssh/kex/kex-method.js";
import { transportPair } from "./helpers/transport-pair.js";
import { message, sshMpint, sshString } from "./kex-classic-support.js";

const restore: Array<() => void> = [];
afterEach(() => {
  for (const r of restore.splice(0)) r();
});

/** Replace `name`'s server half for this test (both transports share the table; the client half stays real). */
function hostileServer(name: string, server: (ctx: KexContext, hostKey: ServerHostKey) => Promise<KexResult>): void {
  const real = kexMethods.get(name)!;
  const hostile: KexMethod = { name, hash: real.hash, client: (ctx) => real.client(ctx), server };
  kexMethods.add(name, hostile);
  restore.push(() => kexMethods.add(name, real));
}

async function clientError(name: string): Promise<unknown> {
  return transportPair({ client: { kex: [name] }, server: { kex: [name] } }).then(
    async (p) => (await p.close(), new Error("handshake succeeded")),
    (e: unknown) => e,
  );
}

const mp = (v: bigint): Buffer => sshMpint(bigintToBytes(v));
const never = (): Promise<KexResult> => new Promise(() => {});

describe("hostile servers end to end", () => {
  it("ecdh-sha2-nistp256: an off-curve Q_S fails the client's handshake with a ProtocolError", async () => {
    hostileServer("ecdh-sha2-nistp256", async (ctx, hostKey) => {
      await ctx.receive();
      const q = new Uint8Array(65);
      q[0] = 4;
      q[64] = 1;
      ctx.send(message(31, sshString(hostKey.blob), sshString(q), sshString(new Uint8Array(8))));
      return never();
    });
    const err = await clientError("ecdh-sha2-nistp256");
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as Error).message).toMatch(/server's nistp256 ECDH public key is not a valid point on the curve/);
  });

  it("ecdh-sha2-nistp384: a P-256-sized point is refused by its length", async () => {
    hostileServer("ecdh-sha2-nistp384", async (ctx, hostKey) => {
      await ctx.receive();
      ctx.send(message(31, sshString(hostKey.blob), sshString(new Uint8Array(65).fill(4)), sshString(new Uint8Array(8))));
      return never();
    });
    const err = await clientError("ecdh-sha2-nistp384");
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as Error).message).toMatch(/65 bytes, not 97/);
  });

  it("diffie-hellman-group14-sha256: f = p-1 fails the handshake", async () => {
    hostileServer("diffie-hellman-group14-sha256", async (ctx, hostKey) => {
      await ctx.receive();
      ctx.send(message(31, sshString(hostKey.blob), mp(MODP14.p - 1n), sshString(new Uint8Array(8))));
      return never();
    });
    const err = await clientError("diffie-hellman-group14-sha256");
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as Error).message).toMatch(/f is out of range/);
  });

  it("diffie-hellman-group-exchange-sha256: a server offering a 1024-bit group is refused", async () => {
    hostileServer("diffie-hellman-group-exchange-sha256", async (ctx) => {
      await ctx.receive();
      ctx.send(message(31, mp(OAKLEY2.p), mp(2n)));
      return never();
    });
    const err = await clientError("diffie-hellman-group-exchange-sha256");
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as Error).message).toMatch(/1024-bit group; groups under 2048 bits are refused as too weak/);
  });
});
