/**
 * Key-exchange methods, in OpenSSH 10's client order (ssh_config(5) KexAlgorithms default) minus
 * what we do not implement: the post-quantum hybrids first, so that traffic recorded today cannot
 * be decrypted later by a quantum computer. Each row is a `KexMethod` (kex/kex-method.ts).
 */
import type { KexMethod } from "../kex/kex-method.js";
import { curve25519Sha256, curve25519Sha256Libssh } from "../kex/curve25519.js";
import { mlkem768x25519Sha256 } from "../kex/mlkem768x25519.js";
import { sntrup761x25519Sha512, sntrup761x25519Sha512OpenSSH } from "../kex/sntrup761x25519.js";
// The classic methods' rows load their implementations on first use (kex/classic.ts).
import {
  dhGexSha1,
  dhGexSha256,
  dhGroup14Sha1,
  dhGroup14Sha256,
  dhGroup16Sha512,
  dhGroup18Sha512,
  dhGroup1Sha1,
  ecdhSha2Nistp256,
  ecdhSha2Nistp384,
  ecdhSha2Nistp521,
} from "../kex/classic.js";
import { AlgorithmTable } from "./table.js";

export const kexMethods = new AlgorithmTable<KexMethod>("kex");
for (const m of [mlkem768x25519Sha256, sntrup761x25519Sha512, sntrup761x25519Sha512OpenSSH]) kexMethods.add(m.name, m);
for (const m of [curve25519Sha256, curve25519Sha256Libssh]) kexMethods.add(m.name, m);
for (const m of [ecdhSha2Nistp256, ecdhSha2Nistp384, ecdhSha2Nistp521]) kexMethods.add(m.name, m);
for (const m of [dhGexSha256, dhGroup16Sha512, dhGroup18Sha512, dhGroup14Sha256]) kexMethods.add(m.name, m);
// SHA-1 and the 1024-bit group: only when the caller names them (OpenSSH's client dropped them from its defaults).
for (const m of [dhGroup14Sha1, dhGroup1Sha1, dhGexSha1]) kexMethods.add(m.name, m, { byDefault: false });

/** The methods that resist a quantum adversary (the CLI warns when none was negotiable). */
export const POST_QUANTUM_KEX = new Set([mlkem768x25519Sha256.name, sntrup761x25519Sha512.name, sntrup761x25519Sha512OpenSSH.name]);

/**
 * Pseudo-algorithms in the kex list that signal extensions, never negotiated as methods
 * (RFC 8308 §2.1 ext-info-c/-s; OpenSSH PROTOCOL "kex-strict").
 */
export const KEX_MARKERS = new Set(["ext-info-c", "ext-info-s", "kex-strict-c-v00@openssh.com", "kex-strict-s-v00@openssh.com"]);
