// Run under Bun or Deno (test/cipher-aes-runtimes.test.ts): the node:crypto AES backend must give
// the known answers there too (both runtimes implement node:crypto; KeyObject support included),
// and a packet sealed on it must open on the @noble backend. Prints one `RESULT {json}` line.
import { nobleAesBackend } from "../../src/ssh/cipher/aes-noble.js";
import { AesCtrCipher } from "../../src/ssh/cipher/aes-ctr.js";
import { AesGcmCipher } from "../../src/ssh/cipher/aes-gcm.js";
import { hmacSha256Etm, hmacSha512 } from "../../src/ssh/mac/hmac.js";
import { nodeAesBackend } from "../../src/platform/node/aes-node.js";

const hex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));
const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

const out: Record<string, string | boolean> = {};
// GCM spec test case 4 (AES-128, AAD, 60-byte plaintext)
{
  const data = hex(
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
  );
  const tag = new Uint8Array(16);
  nodeAesBackend.gcm(hex("feffe9928665731c6d6a8f9467308308")).seal(hex("cafebabefacedbaddecaf888"), hex("feedfacedeadbeeffeedfacedeadbeefabaddad2"), data, tag);
  out.gcm = toHex(data) + toHex(tag);
}
// SP 800-38A F.5.1, first two blocks, in two calls
{
  const data = hex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51");
  const s = nodeAesBackend.ctr(hex("2b7e151628aed2a6abf7158809cf4f3c"), hex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"));
  s.update(data.subarray(0, 16));
  s.update(data.subarray(16));
  out.ctr = toHex(data);
}
// RFC 4231 test case 2, HMAC-SHA-256 ("what" is the sequence number)
{
  const mac = new Uint8Array(32);
  const msg = new TextEncoder().encode(" do ya want for nothing?");
  nodeAesBackend.hmac("sha256", new TextEncoder().encode("Jefe")).mac(0x77686174, msg, null, mac);
  out.hmac = toHex(mac);
}
// Packets: sealed on node:crypto, opened on @noble (and the reverse for CTR + plain MAC)
{
  const key = hex("000102030405060708090a0b0c0d0e0f");
  const buf = new Uint8Array(4 + 48 + 16);
  new DataView(buf.buffer).setUint32(0, 48);
  buf[4] = 10;
  buf.fill(0x61, 5, 4 + 48);
  const plain = buf.slice();
  new AesGcmCipher("aes128-gcm@openssh.com", key, key.subarray(0, 12), nodeAesBackend).seal(0, buf);
  new AesGcmCipher("aes128-gcm@openssh.com", key, key.subarray(0, 12), nobleAesBackend).open(0, buf);
  out.gcmPacket = toHex(buf.subarray(0, 52)) === toHex(plain.subarray(0, 52));
  const mk = new Uint8Array(64).fill(3);
  for (const [mac, from, to] of [
    [hmacSha256Etm, nodeAesBackend, nobleAesBackend],
    [hmacSha512, nobleAesBackend, nodeAesBackend],
  ] as const) {
    // -etm aligns packet_length alone to 16; a plain MAC aligns the length field with it
    const len = mac.etm ? 48 : 44;
    const b = new Uint8Array(4 + len + mac.tagLength);
    new DataView(b.buffer).setUint32(0, len);
    b[4] = 6;
    const p = b.slice();
    const k = mk.subarray(0, mac.keyLength);
    new AesCtrCipher("aes128-ctr", key, new Uint8Array(16), mac, k, from).seal(7, b);
    const r = new AesCtrCipher("aes128-ctr", key, new Uint8Array(16), mac, k, to);
    r.decryptLength(7, b.subarray(0, r.headLength));
    r.open(7, b);
    out[`ctrPacket-${mac.name}`] = toHex(b.subarray(0, b.length - mac.tagLength)) === toHex(p.subarray(0, p.length - mac.tagLength));
  }
}
console.log(`RESULT ${JSON.stringify(out)}`);
