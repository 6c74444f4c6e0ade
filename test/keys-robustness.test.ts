// Damaged blobs and key files fail with our typed errors only (KeyFormatError, ProtocolError,
// KeyDecryptionError), never with a RangeError or TypeError from deep inside: the transport and
// userauth code branch on these classes.
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KeyDecryptionError, KeyFormatError, ProtocolError } from "../src/ssh/errors.js";
import { parsePrivateKey } from "../src/ssh/keys/openssh-private-key.js";
import { readArmor, writeArmor } from "../src/ssh/keys/pem-armor.js";
import { decodePublicBlob, parsePublicKeyLine } from "../src/ssh/keys/public-key.js";
import { verifySignature } from "../src/ssh/keys/signature.js";
import { utf8 } from "../src/ssh/wire/bytes.js";
import { mustRun, tempDir } from "./keys-support.js";

const typed = (e: unknown) => e instanceof KeyFormatError || e instanceof ProtocolError || e instanceof KeyDecryptionError;

async function keygen(args: string[]): Promise<{ path: string; text: string; blob: Uint8Array }> {
  const path = join(tempDir(), "key");
  await mustRun("ssh-keygen", ["-q", "-N", "", "-f", path, ...args]);
  return { path, text: readFileSync(path, "utf8"), blob: parsePublicKeyLine(readFileSync(`${path}.pub`, "utf8").trim()).blob };
}

const mutation = fc.record({ at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }), cut: fc.option(fc.nat(), { nil: undefined }) });
function mutate(bytes: Uint8Array, m: { at: number; xor: number; cut: number | undefined }): Uint8Array {
  const out = bytes.slice(0, m.cut === undefined ? bytes.length : m.cut % (bytes.length + 1));
  if (out.length > 0) out[m.at % out.length] ^= m.xor;
  return out;
}

describe("damaged input gives typed errors", () => {
  it("public key and certificate blobs, signatures", async () => {
    const rsa = await keygen(["-t", "rsa", "-b", "2048"]);
    const ec = await keygen(["-t", "ecdsa", "-b", "521"]);
    const ca = await keygen(["-t", "ed25519"]);
    await mustRun("ssh-keygen", ["-q", "-s", ca.path, "-I", "id", "-n", "a,b", "-O", "force-command=x", `${ec.path}.pub`]);
    const cert = parsePublicKeyLine(readFileSync(`${ec.path}-cert.pub`, "utf8").trim()).blob;
    const signature = new Uint8Array([...new Uint8Array([0, 0, 0, 12]), ...utf8("rsa-sha2-512"), 0, 0, 1, 0, ...new Uint8Array(256).fill(7)]);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(rsa.blob, ec.blob, cert), mutation, async (blob, m) => {
        const damaged = mutate(blob, m);
        try {
          decodePublicBlob(damaged);
        } catch (e) {
          expect(typed(e), String(e)).toBe(true);
        }
        try {
          await verifySignature(damaged, mutate(signature, m), utf8("data"), ["rsa-sha2-512"]);
        } catch (e) {
          expect(typed(e), String(e)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("private key files in OpenSSH, PEM and PKCS#8 formats", async () => {
    const files = [
      (await keygen(["-t", "rsa", "-b", "2048", "-m", "PEM"])).text,
      (await keygen(["-t", "ecdsa", "-m", "PEM"])).text,
      (await keygen(["-t", "ecdsa", "-b", "384", "-m", "PKCS8"])).text,
      (await keygen(["-t", "ecdsa"])).text,
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...files), mutation, async (text, m) => {
        const armor = readArmor(text)!;
        const damaged = writeArmor(armor.label, mutate(armor.body!, m));
        try {
          await parsePrivateKey(damaged);
        } catch (e) {
          expect(typed(e), String(e)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});
