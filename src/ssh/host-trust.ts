import type { Logger } from "./logger.js";
import type { ConnectOptions } from "./options.js";
import { expandPath, platform } from "./platform.js";
import { fromUtf8 } from "./wire/bytes.js";
import type { HostKeyCheck } from "./transport/key-exchange.js";
import { normalizePin, verifyHostKeyWithPolicy } from "./keys/host-key-policy.js";

/**
 * Build the host key check for one connection from the caller's trust sources: known_hosts text and
 * files, pinned fingerprints, a verifier callback, and the StrictHostKeyChecking-like policy.
 * Runs before any authentication data leaves the client.
 */
export async function hostKeyChecker(options: ConnectOptions, logger: Logger): Promise<HostKeyCheck> {
  // A malformed pin is the caller's mistake: say so before any network traffic, not after kex.
  for (const pin of options.hostKeyFingerprints ?? []) normalizePin(pin);
  const knownHosts: { text: string; source: string }[] = [];
  if (options.knownHosts !== undefined) knownHosts.push({ text: options.knownHosts, source: "knownHosts" });
  const path = options.knownHostsPath ? expandPath(options.knownHostsPath) : undefined;
  if (path) {
    if (!platform.readFile) throw new TypeError("knownHostsPath needs a filesystem; pass `knownHosts` text or `hostKeyFingerprints` instead");
    try {
      knownHosts.push({ text: fromUtf8(await platform.readFile(path)), source: path });
    } catch (e) {
      // A missing known_hosts is an empty one (as for OpenSSH); the host is then simply unknown.
      if ((e as { code?: string }).code !== "ENOENT") throw e;
      logger.debug(`known_hosts file ${path} does not exist`);
    }
  }
  const append = path && platform.appendKnownHostsLine ? (line: string) => platform.appendKnownHostsLine!(path, line) : undefined;
  const host = options.host ?? "stream";
  const port = options.port ?? 22;
  return (key) =>
    verifyHostKeyWithPolicy({
      host,
      port,
      key,
      knownHosts,
      fingerprints: options.hostKeyFingerprints,
      verifier: options.hostVerifier,
      policy: options.hostKeyPolicy ?? "yes",
      hashKnownHosts: options.hashKnownHosts,
      appendKnownHost: append,
      logger,
    });
}
