// A client Transport and a server Transport of our own code, joined in memory: the harness that
// shows both roles of the role-neutral layers against each other.
import { Transport } from "../../src/ssh/transport/transport.js";
import { CLIENT_ROLE, SERVER_ROLE } from "../../src/ssh/transport/role.js";
import { silentLogger } from "../../src/ssh/logger.js";
import { generateEd25519Key } from "../../src/ssh/keys/generate-key.js";
import type { KexAlgorithmLists } from "../../src/ssh/transport/key-exchange.js";
import type { ServerHostKey } from "../../src/ssh/kex/kex-method.js";
import { memoryPair } from "./memory-pair.js";
import type { ByteStream } from "../../src/ssh/io/byte-stream.js";

export interface TransportPair {
  client: Transport;
  server: Transport;
  hostKeyBlob: Uint8Array;
  /** Messages each side's services received, in order. */
  received: { client: Uint8Array[]; server: Uint8Array[] };
  /** Bytes each side has written so far. */
  written: { client: number; server: number };
  close(): Promise<void>;
}

/** Transport options both roles' test instances share: generous timeouts, no rekey on their own. */
const TEST_TRANSPORT = {
  logger: silentLogger,
  versionTimeoutMs: 5000,
  kexTimeoutMs: 5000,
  rekeyBytes: 2 ** 30,
  rekeyPackets: 2 ** 31,
  rekeyIntervalMs: 0,
};

/**
 * Our server transport on `stream` with a fresh ed25519 host key and the single suite
 * curve25519 / ed25519 / chacha20-poly1305: the scripted peer of tests that play the server.
 */
export async function testServerTransport(stream: ByteStream, version: string): Promise<{ server: Transport; fingerprint: string }> {
  const host = await generateEd25519Key();
  const server = new Transport({
    ...TEST_TRANSPORT,
    stream,
    role: SERVER_ROLE,
    version,
    algorithms: { kex: ["curve25519-sha256"], hostKey: ["ssh-ed25519"], cipher: ["chacha20-poly1305@openssh.com"], mac: [] },
    hostKeys: new Map([["ssh-ed25519", { blob: host.key.publicBlob, sign: (d: Uint8Array) => host.key.sign(d) }]]),
  });
  return { server, fingerprint: host.fingerprint };
}

export async function transportPair(
  opts: { client?: Partial<KexAlgorithmLists>; server?: Partial<KexAlgorithmLists>; rekeyBytes?: number } = {},
): Promise<TransportPair> {
  const { a, b, written } = memoryPair();
  const host = await generateEd25519Key();
  const hostKey: ServerHostKey = { blob: host.key.publicBlob, sign: (data) => host.key.sign(data) };
  const lists = (o?: Partial<KexAlgorithmLists>): KexAlgorithmLists => ({
    kex: o?.kex ?? ["curve25519-sha256"],
    hostKey: o?.hostKey ?? ["ssh-ed25519"],
    cipher: o?.cipher ?? ["chacha20-poly1305@openssh.com"],
    mac: o?.mac ?? [],
  });
  const common = { ...TEST_TRANSPORT, rekeyBytes: opts.rekeyBytes ?? TEST_TRANSPORT.rekeyBytes };
  const received = { client: [] as Uint8Array[], server: [] as Uint8Array[] };
  const client = new Transport({ ...common, stream: a, role: CLIENT_ROLE, version: "SSH-2.0-mcp_ssh_test_client", algorithms: lists(opts.client), checkHostKey: async () => {} });
  const server = new Transport({
    ...common,
    stream: b,
    role: SERVER_ROLE,
    version: "SSH-2.0-mcp_ssh_test_server",
    algorithms: lists(opts.server),
    hostKeys: new Map([["ssh-ed25519", hostKey]]),
    extInfo: new Map([["server-sig-algs", "ssh-ed25519"]]),
  });
  client.onMessage = (p) => void received.client.push(p.slice());
  server.onMessage = (p) => void received.server.push(p.slice());
  await Promise.all([client.start(), server.start()]);
  return {
    client,
    server,
    hostKeyBlob: host.key.publicBlob,
    received,
    written: {
      get client() {
        return written.a;
      },
      get server() {
        return written.b;
      },
    },
    async close() {
      await client.disconnect();
      await server.whenClosed;
    },
  };
}
