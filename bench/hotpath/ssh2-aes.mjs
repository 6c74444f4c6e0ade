// Drives ssh2's own AES-GCM and AES-CTR + HMAC cipher/decipher (lib/protocol/crypto.js) the way its
// Protocol does, with our keys. `native: false` selects its JavaScript path (node:crypto per packet:
// createCipheriv for GCM, one long-lived CTR cipher and createHmac per packet), which is what ssh2
// runs where its C++ add-on is not built; `native: true` the add-on, if present.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const ssh2crypto = require("ssh2/lib/protocol/crypto.js");

export const ssh2AesAddonAvailable = ssh2crypto.bindingAvailable;

/**
 * One sender and one receiver for `cipherName` (+ `macName` unless AEAD) starting at sequence
 * number `seq`. `seal(packet)` returns the wire bytes (packet without tag space in, with tag out);
 * `roundTrip(packet)` seals and opens and returns the payload ssh2 decrypted.
 */
export async function makeSsh2AesPair({ cipherName, macName, key, iv, macKey, seq, native }) {
  await ssh2crypto.init;
  const written = [];
  let payload = null;
  const macInfo = macName ? ssh2crypto.MAC_INFO[macName] : undefined;
  const cipher = ssh2crypto.createCipher({
    outbound: {
      onWrite: (chunk) => written.push(chunk),
      cipherInfo: ssh2crypto.CIPHER_INFO[cipherName],
      cipherKey: Buffer.from(key),
      cipherIV: Buffer.from(iv),
      macInfo,
      macKey: macName ? Buffer.from(macKey) : undefined,
      seqno: seq,
      forceNative: !native,
    },
  });
  const decipher = ssh2crypto.createDecipher({
    inbound: {
      onPayload: (p) => {
        payload = p;
      },
      decipherInfo: ssh2crypto.CIPHER_INFO[cipherName],
      decipherKey: Buffer.from(key),
      decipherIV: Buffer.from(iv),
      macInfo,
      macKey: macName ? Buffer.from(macKey) : undefined,
      seqno: seq,
      forceNative: !native,
    },
  });
  return {
    seal(packet) {
      written.length = 0;
      cipher.encrypt(native ? Buffer.from(packet) : Buffer.from(packet.buffer, packet.byteOffset, packet.length));
      return Buffer.concat(written);
    },
    /** The add-on encrypts in place, so with it `plain` is copied back first (counted against it). */
    roundTrip(packet, plain) {
      written.length = 0;
      if (native) packet.set(plain);
      cipher.encrypt(packet);
      for (let i = 0; i < written.length; i++) decipher.decrypt(written[i], 0, written[i].length);
      return payload;
    },
  };
}
