/**
 * MACs for non-AEAD ciphers, in OpenSSH 10's client order (ssh_config(5) MACs default) minus the
 * UMACs we lack. HMAC-SHA1 only when the caller names it (issue 16; OpenSSH still offers it, but
 * nothing mainstream needs it any more).
 */
import type { MacAlgorithm } from "../cipher/cipher.js";
import { hmacSha1, hmacSha1Etm, hmacSha256, hmacSha256Etm, hmacSha512, hmacSha512Etm } from "../mac/hmac.js";
import { loadAesBackend } from "../cipher/aes-backend.js";
import { AlgorithmTable } from "./table.js";

// HMAC runs on the AES backend (cipher/aes-backend.ts), imported when a MAC is negotiated.
export const macs = new AlgorithmTable<MacAlgorithm>("mac");
for (const m of [hmacSha256Etm, hmacSha512Etm, hmacSha256, hmacSha512]) macs.add(m.name, m, { load: loadAesBackend });
for (const m of [hmacSha1Etm, hmacSha1]) macs.add(m.name, m, { byDefault: false, load: loadAesBackend });
