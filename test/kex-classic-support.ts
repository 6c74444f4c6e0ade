// Shared by the kex-classic tests: independent SSH encoders (RFC 4251 §5) on node's Buffer, for
// exchange hashes recomputed outside the code under test, and a kex context whose peer is a script.
import type { KexContext } from "../src/ssh/kex/kex-method.js";

export const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

export const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
export const sshString = (b: Uint8Array | string): Buffer => {
  const body = typeof b === "string" ? Buffer.from(b, "utf8") : Buffer.from(b);
  return Buffer.concat([u32(body.length), body]);
};
/** mpint of a non-negative value given as unsigned big-endian bytes. */
export const sshMpint = (unsigned: Uint8Array): Buffer => {
  let body = Buffer.from(unsigned);
  while (body.length > 0 && body[0] === 0) body = body.subarray(1);
  if (body.length > 0 && body[0]! & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
  return sshString(body);
};
export const message = (n: number, ...parts: Buffer[]): Uint8Array => Uint8Array.from(Buffer.concat([Buffer.from([n]), ...parts]));

export const VERSIONS = { clientVersion: "SSH-2.0-kat_client", serverVersion: "SSH-2.0-kat_server" };
export const I_C = Uint8Array.from([20, 1, 2, 3]);
export const I_S = Uint8Array.from([20, 4, 5, 6]);
export const HOST_BLOB = Uint8Array.from(Buffer.concat([sshString("ssh-ed25519"), sshString(new Uint8Array(32).fill(7))]));
export const SIG_BLOB = Uint8Array.from(Buffer.concat([sshString("ssh-ed25519"), sshString(new Uint8Array(64).fill(9))]));
/** The exchange-hash prefix every method shares: V_C, V_S, I_C, I_S, K_S. */
export const H_PREFIX = Buffer.concat([sshString(VERSIONS.clientVersion), sshString(VERSIONS.serverVersion), sshString(I_C), sshString(I_S), sshString(HOST_BLOB)]);

/** A context whose peer is a script: `replies` answer our messages in order (each sees our last message); `sent` records ours. */
export function scriptedContext(replies: Array<(sent: Uint8Array) => Uint8Array>): KexContext & { sent: Uint8Array[] } {
  const sent: Uint8Array[] = [];
  let next = 0;
  return {
    ...VERSIONS,
    clientKexInit: I_C,
    serverKexInit: I_S,
    sent,
    send(p) {
      sent.push(p.slice());
    },
    async receive() {
      const reply = replies[next++];
      if (!reply) throw new Error("script has no more messages");
      return reply(sent[sent.length - 1] ?? new Uint8Array());
    },
  };
}

/** Every classic (pre-quantum, non-curve25519) kex method the pair and sshd tests run. */
export const CLASSIC_KEX = [
  "ecdh-sha2-nistp256",
  "ecdh-sha2-nistp384",
  "ecdh-sha2-nistp521",
  "diffie-hellman-group-exchange-sha256",
  "diffie-hellman-group16-sha512",
  "diffie-hellman-group18-sha512",
  "diffie-hellman-group14-sha256",
  "diffie-hellman-group14-sha1",
  "diffie-hellman-group1-sha1",
  "diffie-hellman-group-exchange-sha1",
];
