// How tests log in to a test server: the options every login repeats live here, so a test spells
// out only what it does differently (passed as `extra`, which wins over the defaults).
import { SSHClient, type ConnectOptions } from "../../src/entries/ssh.js";
import type { ClientKey, TestServer } from "./servers.js";

/** Log in as the server's user with `key` (null: no explicit key), trusting the server's known_hosts line. */
export function loginOptions(server: TestServer, key: ClientKey | null, extra: Partial<ConnectOptions> = {}): ConnectOptions {
  return {
    host: server.host,
    port: server.port,
    username: server.username,
    ...(key ? { privateKey: key.privateKey } : {}),
    knownHosts: server.knownHostsLine,
    ...extra,
  };
}

/**
 * Log in with `key`, trusting the server's host key by its fingerprint. For connections that reach
 * the server through something in front of it (a proxy: `extra.port`), whose address a known_hosts
 * line, which names the server's own port, would not match.
 */
export function pinnedOptions(server: TestServer, key: ClientKey, extra: Partial<ConnectOptions> = {}): ConnectOptions {
  return {
    host: server.host,
    port: server.port,
    username: server.username,
    privateKey: key.privateKey,
    hostKeyFingerprints: [server.hostKeyFingerprint],
    ...extra,
  };
}

/** SSHClient.connect with loginOptions(). */
export function connectTo(server: TestServer, key: ClientKey | null, extra: Partial<ConnectOptions> = {}): Promise<SSHClient> {
  return SSHClient.connect(loginOptions(server, key, extra));
}

/** Options for a fake server on 127.0.0.1:`port` that never gets as far as checking a host key or a login. */
export function fakeServerOptions(port: number, extra: Partial<ConnectOptions> = {}): ConnectOptions {
  return { host: "127.0.0.1", port, username: "nobody", hostKeyFingerprints: ["SHA256:unused"], ...extra };
}

/** What a connect that should fail ended with: its error, or (the client closed again) an Error saying it succeeded. */
export async function connectError(options: ConnectOptions): Promise<unknown> {
  return SSHClient.connect(options).then(
    async (client) => {
      await client.close();
      return new Error("connect succeeded");
    },
    (e: unknown) => e,
  );
}
