// Drives ssh2's own chacha20-poly1305@openssh.com cipher/decipher (lib/protocol/crypto.js), the way
// its Protocol does, with our keys and sequence numbers. `native: false` selects its JavaScript path
// (`forceNative` in ssh2's terms: ChaCha20 from node:crypto, Poly1305 compiled to WebAssembly),
// which is what ssh2 runs where its C++ add-on is not built; `native: true` the add-on, if present.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const ssh2crypto = require("ssh2/lib/protocol/crypto.js");
const INFO = ssh2crypto.CIPHER_INFO["chacha20-poly1305@openssh.com"];

export const ssh2AddonAvailable = ssh2crypto.bindingAvailable;

/**
 * One sender and one receiver with the same 64-byte key, starting at sequence number `seq`.
 * `seal(packet)` returns the wire bytes (length || body || tag) as ssh2 writes them;
 * `roundTrip(packet)` seals and opens, and returns the decrypted payload.
 */
export async function makeSsh2Pair(key, seq, { native }) {
  await ssh2crypto.init;
  const written = [];
  let payload = null;
  const cipher = ssh2crypto.createCipher({
    outbound: {
      onWrite: (chunk) => written.push(chunk),
      cipherInfo: INFO,
      cipherKey: Buffer.from(key),
      seqno: seq,
      forceNative: !native,
    },
  });
  const decipher = ssh2crypto.createDecipher({
    inbound: {
      onPayload: (p) => {
        payload = p;
      },
      decipherInfo: INFO,
      decipherKey: Buffer.from(key),
      seqno: seq,
      forceNative: !native,
    },
  });
  return {
    /** A plaintext packet for `payloadLength` bytes in ssh2's own layout (tag space only with the add-on). */
    allocPacket: (payloadLength) => cipher.allocPacket(payloadLength),
    /** Wire bytes of `packet` (left as it was: the add-on encrypts in place, so it gets a copy). */
    seal(packet) {
      written.length = 0;
      cipher.encrypt(native ? Buffer.from(packet) : packet);
      return Buffer.concat(written);
    },
    /**
     * The JS path leaves `packet` alone; the add-on encrypts it in place and its decipher does not
     * restore it, so with the add-on `plain` is copied back first (a memcpy, counted against it).
     */
    roundTrip(packet, plain) {
      written.length = 0;
      if (native) packet.set(plain);
      cipher.encrypt(packet);
      // The JS path writes length, body and tag as three chunks; the receiver takes them as a
      // socket would deliver them, each chunk whole.
      for (let i = 0; i < written.length; i++) decipher.decrypt(written[i], 0, written[i].length);
      return payload;
    },
  };
}
