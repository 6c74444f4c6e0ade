import { HostKeyMismatchError, HostKeyUnknownError } from "../errors.js";
import { silentLogger, type Logger } from "../logger.js";
import { fingerprintSha256 } from "./fingerprint.js";
import { hostLookupName } from "./host-patterns.js";
import { certificateAuthoritiesFor, checkHostKey, formatKnownHostsLine, parseKnownHosts, type KnownHostsEntry } from "./known-hosts.js";
import { decodePublicBlob } from "./public-key.js";
import type { Certificate } from "./certificate.js";
import { safePeerText } from "../wire/peer-text.js";

/** Checking a host certificate's signature and fields: imported only when a server sends one. */
const certificateVerify = () => import("./certificate-verify.js");

/**
 * Deciding whether to trust a server's host key, before any authentication data is sent.
 *
 * Precedence, when several trust sources are given:
 * 1. @revoked: a known_hosts @revoked line for this host holding this key refuses it, always, under
 *    every policy and whatever the pins or the verifier say (as OpenSSH, even with
 *    StrictHostKeyChecking=no).
 * 2. Pinned fingerprints and/or a verifier callback, when given, decide alone: the key is trusted
 *    when its fingerprint is one of the pins, else when the verifier returns true; otherwise it is
 *    refused. known_hosts and the policy are then not consulted (an explicit pin is stronger than
 *    trust on first use, and "no" must not weaken a pin).
 * 3. Otherwise known_hosts and the policy (like OpenSSH's StrictHostKeyChecking):
 *    match -> trusted; changed key -> refused under "yes" and "accept-new" (accepted with a loud
 *    warning under "no"); unknown host -> refused with the line to add under "yes", recorded
 *    through `appendKnownHost` under "accept-new", accepted with a loud warning under "no".
 */

/** What a host verifier callback receives. */
export interface HostKeyInfo {
  type: string;
  fingerprint: string;
  blob: Uint8Array;
}

/** Like OpenSSH's StrictHostKeyChecking; "no" must be asked for and warns loudly. */
export type HostKeyPolicy = "yes" | "accept-new" | "no";

export interface KnownHostsText {
  text: string;
  /** File name for messages ("~/.ssh/known_hosts:12"). */
  source: string;
}

export interface VerifyHostKeyOptions {
  host: string;
  port: number;
  key: { type: string; blob: Uint8Array };
  /** known_hosts contents, one item per file; a bare string is labelled "known_hosts". */
  knownHosts?: (KnownHostsText | string)[];
  /** Pinned "SHA256:..." fingerprints (unpadded base64, as ssh-keygen -lf prints them). */
  fingerprints?: string[];
  verifier?: (key: HostKeyInfo) => boolean | Promise<boolean>;
  /** Default "yes". */
  policy?: HostKeyPolicy;
  /** Write accept-new entries hashed (`|1|...`), like HashKnownHosts yes. */
  hashKnownHosts?: boolean;
  /** Where accept-new records a new host (e.g. appendKnownHostsLine on the user's file). */
  appendKnownHost?: (line: string) => Promise<void>;
  logger?: Logger;
}

const FINGERPRINT = /^SHA256:([A-Za-z0-9+/]{43})=?$/;

/** A pinned fingerprint in its canonical form; throws TypeError for a malformed one. */
export function normalizePin(pin: string): string {
  const m = FINGERPRINT.exec(pin.trim());
  if (!m) {
    throw new TypeError(
      `pinned host key fingerprint ${JSON.stringify(pin)} is not a SHA256 fingerprint; ` +
        "use the form ssh-keygen -lf prints (SHA256: followed by 43 base64 characters)",
    );
  }
  return `SHA256:${m[1]}`;
}

function entriesOf(sources: (KnownHostsText | string)[], logger: Logger): KnownHostsEntry[] {
  const skipped = (where: string, reason: string) => logger.debug(`known_hosts ${where} skipped: ${reason}`);
  return sources.flatMap((s) => (typeof s === "string" ? parseKnownHosts(s, "known_hosts", skipped) : parseKnownHosts(s.text, s.source, skipped)));
}

/**
 * A host certificate (PROTOCOL.certkeys): trusted when an @cert-authority line for this host names
 * its CA and the certificate checks out (host type, the host name among its principals, validity
 * window, CA signature, no unknown critical option). With no such line, or when the certificate
 * fails those checks, the certificate's plain key goes through the ordinary checks, as OpenSSH falls
 * back to it. A revoked plain key is refused either way.
 */
async function verifyHostCertificate(options: VerifyHostKeyOptions, entries: KnownHostsEntry[], certificate: Certificate, logger: Logger): Promise<void> {
  const { host, port } = options;
  const name = hostLookupName(host, port);
  const plain = { type: certificate.keyType.name, blob: certificate.publicBlob };
  const fingerprint = fingerprintSha256(plain.blob);
  if (checkHostKey(entries, host, port, plain).status === "revoked") {
    throw new HostKeyMismatchError(name, plain.type, fingerprint, "@revoked: the key of this host certificate must never be accepted");
  }
  const authorities = certificateAuthoritiesFor(entries, host, port);
  if (authorities.length === 0) {
    logger.debug(`no @cert-authority line for ${name}: checking the host certificate's plain key`);
    return verifyHostKeyWithPolicy({ ...options, key: plain });
  }
  const { CertificateError, verifyCertificate } = await certificateVerify();
  try {
    await verifyCertificate(certificate, { type: "host", caKeys: authorities.map((a) => a.blob), principal: host.toLowerCase() });
  } catch (e) {
    if (!(e instanceof CertificateError)) throw e;
    // As OpenSSH's check_host_key: a certificate that fails (unknown CA, another name, outside its
    // validity) is not trusted, and its plain key then goes through the ordinary checks, so a host
    // also listed by its plain key still connects and one that is not is unknown.
    logger.warn(`host certificate of ${name} refused: ${e.message}; checking its plain key instead`);
    try {
      return await verifyHostKeyWithPolicy({ ...options, key: plain });
    } catch (unknown) {
      // Unknown by its plain key too: the error says why the certificate did not do.
      if (!(unknown instanceof HostKeyUnknownError)) throw unknown;
      throw new HostKeyUnknownError(unknown.host, unknown.keyType, unknown.fingerprint, unknown.knownHostsLine, e.message);
    }
  }
  logger.debug(`host certificate "${safePeerText(certificate.keyId)}" of ${name} signed by a trusted @cert-authority`);
}

/** Resolves when the key is trusted; throws HostKeyMismatchError or HostKeyUnknownError otherwise. */
export async function verifyHostKeyWithPolicy(options: VerifyHostKeyOptions): Promise<void> {
  const { host, port, key } = options;
  const logger = options.logger ?? silentLogger;
  const policy = options.policy ?? "yes";
  const name = hostLookupName(host, port);
  const fingerprint = fingerprintSha256(key.blob);
  const describe = `${name} (${key.type} ${fingerprint})`;
  const entries = entriesOf(options.knownHosts ?? [], logger);
  const certificate = decodePublicBlob(key.blob).certificate;
  if (certificate) return verifyHostCertificate(options, entries, certificate, logger);
  const known = checkHostKey(entries, host, port, key);

  if (known.status === "revoked") {
    throw new HostKeyMismatchError(name, key.type, fingerprint, `@revoked at ${known.where}: this key must never be accepted`);
  }

  if (options.fingerprints?.length || options.verifier) {
    const pins = (options.fingerprints ?? []).map(normalizePin);
    if (pins.includes(fingerprint)) {
      logger.debug(`host key of ${describe} matches a pinned fingerprint`);
      return;
    }
    if (options.verifier && (await options.verifier({ type: key.type, fingerprint, blob: key.blob })) === true) {
      logger.debug(`host key of ${describe} accepted by the host verifier`);
      return;
    }
    throw new HostKeyMismatchError(name, key.type, fingerprint, options.verifier ? (pins.length ? "pinned fingerprints and host verifier" : "host verifier") : "pinned fingerprints");
  }

  // Only for the branches that show or record it: with hashKnownHosts it costs a salt and an HMAC.
  const line = () => formatKnownHostsLine(host, port, key, { hash: options.hashKnownHosts });
  switch (known.status) {
    case "match":
      logger.debug(`host key of ${describe} found in ${known.where}`);
      return;
    case "mismatch":
      if (policy === "no") {
        logger.warn(
          `WARNING: HOST KEY FOR ${name} HAS CHANGED (now ${key.type} ${fingerprint}, ${known.where} says otherwise); ` +
            `connecting anyway because host key checking is off (policy "no"). Someone could be intercepting this connection.`,
        );
        return;
      }
      throw new HostKeyMismatchError(name, key.type, fingerprint, `known_hosts ${known.where}`, line());
    case "unknown":
      if (policy === "yes") throw new HostKeyUnknownError(name, key.type, fingerprint, line());
      if (policy === "no") {
        logger.warn(`WARNING: host key checking is off (policy "no"): accepting unverified host key of ${describe}`);
        return;
      }
      if (!options.appendKnownHost) {
        logger.warn(`accept-new: trusting ${describe} for this connection only: there is no known_hosts file to record it in`);
        return;
      }
      try {
        await options.appendKnownHost(line());
        logger.info(`permanently added ${describe} to the list of known hosts`);
      } catch (e) {
        // As ssh: failing to record the key does not make it less trusted for this first use.
        logger.warn(`accept-new: could not record ${describe} in known_hosts: ${(e as Error).message}`);
      }
      return;
  }
}
