import { ProtocolError } from "../errors.js";
import type { Logger } from "../logger.js";
import { SshReader } from "../wire/reader.js";
import { AgentError, type AgentIdentity } from "./agent-protocol.js";
import { fingerprintSha256 } from "./fingerprint.js";
import { decodePublicBlob } from "./public-key.js";
import type { Signer } from "./signature.js";

/** How a Signer reaches the agent: one sign request for `publicBlob` over `data`. */
export type AgentSignFunction = (publicBlob: Uint8Array, data: Uint8Array) => Promise<Uint8Array>;

/** The signature blob must be "string ssh-ed25519, string sig(64)" (RFC 8709 §6) before it goes on the wire. */
function checkEd25519Signature(blob: Uint8Array): Uint8Array {
  try {
    const r = new SshReader(blob);
    const alg = r.text(64);
    const sig = r.string(128);
    r.end("signature");
    if (alg !== "ssh-ed25519" || sig.length !== 64) throw new ProtocolError(`got "${alg}" with ${sig.length} bytes`);
  } catch (e) {
    throw new AgentError(`ssh-agent returned an unusable ed25519 signature: ${(e as Error).message}`);
  }
  return blob;
}

/**
 * Signers for the agent's identities we can use (ssh-ed25519, well-formed); others are skipped with
 * a debug line, as they cannot sign for us anyway.
 */
export function agentSigners(identities: AgentIdentity[], sign: AgentSignFunction, logger?: Logger): Signer[] {
  const signers: Signer[] = [];
  for (const id of identities) {
    try {
      if (id.type !== "ssh-ed25519") throw new Error(`${id.type} keys are not supported`);
      decodePublicBlob(id.blob);
    } catch (e) {
      logger?.debug(`ssh-agent key "${id.comment}" skipped: ${(e as Error).message}`);
      continue;
    }
    const publicBlob = id.blob;
    signers.push({
      type: id.type,
      publicBlob,
      comment: id.comment,
      sign: async (data) => checkEd25519Signature(await sign(publicBlob, data)),
    });
    logger?.debug(`ssh-agent key "${id.comment}" (${fingerprintSha256(publicBlob)}) available`);
  }
  return signers;
}
