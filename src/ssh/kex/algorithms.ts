import type { CipherFactory } from "../cipher/cipher.js";
import { chacha20Poly1305 } from "../cipher/select.js";
import { CURVE25519_KEX } from "./curve25519.js";

/** What we implement, in our order of preference. */
export const SUPPORTED = {
  kex: [...CURVE25519_KEX],
  hostKey: ["ssh-ed25519"],
  cipher: ["chacha20-poly1305@openssh.com"],
} as const;

// The WebAssembly kernel once prepareCiphers() has loaded it, @noble/ciphers otherwise.
const ciphers = new Map<string, CipherFactory>([[chacha20Poly1305.name, chacha20Poly1305]]);

/** Faster implementations (e.g. WebAssembly) replace the default for the same algorithm name. */
export function registerCipher(factory: CipherFactory): void {
  ciphers.set(factory.name, factory);
}

export function cipherFactory(name: string): CipherFactory | undefined {
  return ciphers.get(name);
}

/**
 * The lists we offer: the caller's choice (validated against what we implement; an unknown name is a
 * configuration error, not something to drop silently) or our defaults.
 */
export function offeredAlgorithms(requested?: { kex?: string[]; cipher?: string[]; hostKey?: string[] }): {
  kex: string[];
  hostKey: string[];
  cipher: string[];
} {
  const choose = (category: keyof typeof SUPPORTED, list?: string[]): string[] => {
    if (!list) return [...SUPPORTED[category]];
    if (list.length === 0) throw new Error(`algorithms.${category} must not be empty`);
    for (const a of list) {
      if (!(SUPPORTED[category] as readonly string[]).includes(a)) {
        throw new Error(`algorithms.${category}: "${a}" is not supported (supported: ${SUPPORTED[category].join(", ")})`);
      }
    }
    return [...list];
  };
  return { kex: choose("kex", requested?.kex), hostKey: choose("hostKey", requested?.hostKey), cipher: choose("cipher", requested?.cipher) };
}
