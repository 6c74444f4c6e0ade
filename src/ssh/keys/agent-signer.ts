import { safePeerText } from "../wire/peer-text.js";
import type { Logger } from "../logger.js";
import { AgentError, type AgentIdentity } from "./agent-protocol.js";
import { fingerprintSha256 } from "./fingerprint.js";
import { algorithmsOfKeyType, plainAlgorithm } from "./key-types.js";
import { decodePublicBlob } from "./public-key.js";
import { decodeSignatureBlob, type Signer } from "./signature.js";

/**
 * How a Signer reaches the agent: one sign request for `publicBlob` over `data`, with the
 * SSH_AGENT_RSA_SHA2_256 (2) / _512 (4) flag that picks an RSA signature algorithm.
 */
export type AgentSignFunction = (publicBlob: Uint8Array, data: Uint8Array, flags?: number) => Promise<Uint8Array>;

/** The agent's signature blob must name the algorithm asked for, before it goes on the wire. */
function checkSignature(blob: Uint8Array, expected: string, expectedLength: number | null): Uint8Array {
  let algorithm: string;
  let signature: Uint8Array;
  try {
    ({ algorithm, signature } = decodeSignatureBlob(blob));
  } catch (e) {
    throw new AgentError(`ssh-agent returned a malformed signature: ${(e as Error).message}`);
  }
  if (algorithm !== expected) {
    throw new AgentError(`ssh-agent signed with "${algorithm}" where "${expected}" was asked for (an old agent without RSA SHA-2 support?)`);
  }
  if (expectedLength !== null && signature.length !== expectedLength) {
    throw new AgentError(`ssh-agent returned an unusable ${expected} signature of ${signature.length} bytes`);
  }
  return blob;
}

/**
 * Signers for the agent's identities we can use: every key type of the key-type table, and
 * certificates (the Signer's publicBlob is then the certificate). Others are skipped with a debug
 * line, as they cannot sign for us anyway.
 */
export function agentSigners(identities: AgentIdentity[], sign: AgentSignFunction, logger?: Logger, skipped?: string[]): Signer[] {
  const signers: Signer[] = [];
  for (const id of identities) {
    let decoded;
    try {
      decoded = decodePublicBlob(id.blob);
    } catch (e) {
      logger?.debug(`ssh-agent key "${id.comment}" skipped: ${(e as Error).message}`);
      // Also in AuthenticationError's list, so that an agent holding only keys we cannot use
      // (FIDO sk-* keys) does not read as "tried [nothing]".
      skipped?.push(`publickey (ssh-agent key ${safePeerText(id.comment) || "(no comment)"}): ${(e as Error).message}`);
      continue;
    }
    const publicBlob = id.blob;
    const keyType = decoded.keyType;
    const algorithms = algorithmsOfKeyType(decoded.type);
    signers.push({
      type: decoded.type,
      publicBlob,
      comment: id.comment,
      algorithms,
      async sign(data, algorithm) {
        const plain = plainAlgorithm(algorithm ?? algorithms[0]!);
        const row = keyType.algorithms.find((a) => a.name === plain);
        if (!row) throw new AgentError(`a ${decoded.type} key cannot sign with "${algorithm}" (it can: ${algorithms.join(", ")})`);
        return checkSignature(await sign(publicBlob, data, row.agentFlag ?? 0), plain, keyType.name === "ssh-ed25519" ? 64 : null);
      },
    });
    logger?.debug(`ssh-agent key "${id.comment}" (${decoded.type} ${fingerprintSha256(publicBlob)}) available`);
  }
  return signers;
}
