// chacha20-poly1305@openssh.com assembled from libsodium's WebAssembly build (libsodium-sumo, the
// only build that exports crypto_stream_chacha20_xor_ic and crypto_onetimeauth_poly1305), driven
// through its heap the way our kernel is: copy the packet in, four calls, copy it out. That is
// libsodium's best case; libsodium-wrappers' convenience API allocates and copies on every call.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export async function loadSodium() {
  const sodium = require("libsodium-sumo");
  await sodium.ready;
  return sodium;
}

/** A PacketCipher-shaped pair of functions over libsodium, for one 64-byte key. */
export function makeSodiumCipher(S, key, maxPacket) {
  const keys = S._malloc(64);
  const nonce = S._malloc(8);
  const polyKey = S._malloc(32);
  const buf = S._malloc(maxPacket);
  S.HEAPU8.set(key, keys); // K_2 at keys, K_1 at keys + 32
  const setNonce = (seq) => {
    const h = S.HEAPU8;
    h.fill(0, nonce, nonce + 4);
    h[nonce + 4] = seq >>> 24;
    h[nonce + 5] = seq >>> 16;
    h[nonce + 6] = seq >>> 8;
    h[nonce + 7] = seq;
  };
  // Every length and counter argument is a uint64 split into (low, high) by emscripten.
  const xorLength = () => S._crypto_stream_chacha20_xor_ic(buf, buf, 4, 0, nonce, 0, 0, keys + 32);
  const xorBody = (len) => S._crypto_stream_chacha20_xor_ic(buf + 4, buf + 4, len - 20, 0, nonce, 1, 0, keys);
  const makePolyKey = () => S._crypto_stream_chacha20(polyKey, 32, 0, nonce, keys);
  return {
    seal(seq, packet) {
      const len = packet.length;
      S.HEAPU8.set(packet, buf);
      setNonce(seq);
      xorLength();
      xorBody(len);
      makePolyKey();
      S._crypto_onetimeauth_poly1305(buf + len - 16, buf, len - 16, 0, polyKey);
      packet.set(S.HEAPU8.subarray(buf, buf + len));
    },
    open(seq, packet) {
      const len = packet.length;
      S.HEAPU8.set(packet, buf);
      setNonce(seq);
      makePolyKey();
      if (S._crypto_onetimeauth_poly1305_verify(buf + len - 16, buf, len - 16, 0, polyKey) !== 0) {
        throw new Error("libsodium: message authentication failed");
      }
      xorLength();
      xorBody(len);
      packet.set(S.HEAPU8.subarray(buf, buf + len - 16));
    },
  };
}
