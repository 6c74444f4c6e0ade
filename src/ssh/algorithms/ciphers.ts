/** Packet ciphers, in OpenSSH 10's client order (`ssh -G` of 10.0: AES-GCM before AES-CTR; 9.x had CTR first) minus what we lack. */
import type { CipherFactory } from "../cipher/cipher.js";
import { chacha20Poly1305, chacha20Poly1305Ready } from "../cipher/select.js";
import { aes128Ctr, aes192Ctr, aes256Ctr } from "../cipher/aes-ctr.js";
import { aes128Gcm, aes256Gcm } from "../cipher/aes-gcm.js";
import { loadAesBackend } from "../cipher/aes-backend.js";
import { AlgorithmTable } from "./table.js";

export const ciphers = new AlgorithmTable<CipherFactory>("cipher");
ciphers.add(chacha20Poly1305.name, chacha20Poly1305, { load: chacha20Poly1305Ready });
// AES runs on a backend imported when an AES cipher is negotiated (cipher/aes-backend.ts).
for (const c of [aes128Gcm, aes256Gcm, aes128Ctr, aes192Ctr, aes256Ctr]) ciphers.add(c.name, c, { load: loadAesBackend });
