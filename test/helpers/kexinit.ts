// A server's KEXINIT for tests that play the server's part of the key exchange.
import type { KexInit } from "../../src/ssh/kex/kexinit.js";

/**
 * A KEXINIT (RFC 4253 section 7.1) offering `kex`, `hostKey` and `cipher` in both directions, no
 * MAC (chacha20-poly1305@openssh.com carries its own), no compression, no languages, no guess.
 */
export function serverKexInit(kex: string[], hostKey: string[] = ["ssh-ed25519"], cipher: string[] = ["chacha20-poly1305@openssh.com"]): KexInit {
  return {
    cookie: new Uint8Array(16),
    kex,
    hostKey,
    cipherC2S: cipher,
    cipherS2C: cipher,
    macC2S: [],
    macS2C: [],
    compC2S: ["none"],
    compS2C: ["none"],
    langC2S: [],
    langS2C: [],
    firstKexFollows: false,
  };
}
