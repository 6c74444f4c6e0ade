/**
 * The publickey method's pieces (RFC 4252 §7): the request, and which signature algorithm a key
 * signs with. A key type may have several (RFC 8332: an ssh-rsa key signs rsa-sha2-512 or
 * rsa-sha2-256); we take the first of the key's that our list allows and, when the server sent
 * server-sig-algs (RFC 8308 §3.1), that the server accepts. SHA-1 ssh-rsa only when named.
 */
import type { Signer } from "../keys/signature.js";
import { MSG } from "../messages.js";
import { SshWriter } from "../wire/writer.js";

export function publicKeyRequest(username: string, service: string, algorithm: string, blob: Uint8Array, signed = false): SshWriter {
  return new SshWriter(256 + blob.length)
    .byte(MSG.USERAUTH_REQUEST)
    .string(username)
    .string(service)
    .string("publickey")
    .boolean(signed)
    .string(algorithm)
    .string(blob);
}

export function signatureAlgorithmFor(signer: Signer, ours: readonly string[], serverSigAlgs: readonly string[] | undefined): string | { reason: string } {
  const own = signer.algorithms ?? [signer.type];
  const allowed = own.filter((a) => ours.includes(a));
  if (allowed.length === 0) return { reason: `its signature algorithms [${own.join(", ")}] are not in algorithms.publicKey` };
  if (!serverSigAlgs) return allowed[0]!;
  // Certificates are listed in server-sig-algs by their plain algorithm names (OpenSSH does so).
  const plain = (a: string) => a.replace(/-cert-v01@openssh\.com$/, "");
  const accepted = allowed.find((a) => serverSigAlgs.includes(a) || serverSigAlgs.includes(plain(a)));
  return accepted ?? { reason: `the server accepts none of its signature algorithms [${allowed.join(", ")}] (server-sig-algs: ${serverSigAlgs.join(", ")})` };
}
