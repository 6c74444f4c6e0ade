/**
 * MACs for non-AEAD ciphers, in OpenSSH 10's client order (ssh_config(5) MACs default) minus the
 * UMACs we lack. HMAC-SHA1 only when the caller names it (issue 16; OpenSSH still offers it, but
 * nothing mainstream needs it any more).
 */
import type { MacAlgorithm } from "../cipher/cipher.js";
import { hmacSha1, hmacSha1Etm, hmacSha256, hmacSha256Etm, hmacSha512, hmacSha512Etm } from "../mac/hmac.js";
import { AlgorithmTable } from "./table.js";

export const macs = new AlgorithmTable<MacAlgorithm>("mac");
for (const m of [hmacSha256Etm, hmacSha512Etm, hmacSha256, hmacSha512]) macs.add(m.name, m);
for (const m of [hmacSha1Etm, hmacSha1]) macs.add(m.name, m, { byDefault: false });
