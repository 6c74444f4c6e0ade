// SSH through the relay from Node (the `ws` package standing in for a browser WebSocket): the
// session works end to end, and what crosses the relay is ciphertext. A recording TCP tap sits
// between the relay and sshd and sees every byte the relay forwards.
import { randomBytes } from "node:crypto";
import { connect, createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { SSHClient } from "../src/entries/ssh.js";
import { connectWebSocket, type WebSocketConstructor } from "../src/ssh/io/websocket.js";
import { startRelay, type Relay } from "../src/relay/relay-server.js";
import { makeClientKey, startSshd, type ClientKey, type TestServer } from "./helpers/servers.js";

let sshd: TestServer;
let key: ClientKey;
let tap: { server: Server; port: number; toServer: Buffer[]; toClient: Buffer[]; sockets: Socket[] };
let relay: Relay;

beforeAll(async () => {
  key = await makeClientKey();
  sshd = await startSshd({ authorizedKeys: [key.publicKeyLine] });
  const toServer: Buffer[] = [];
  const toClient: Buffer[] = [];
  const sockets: Socket[] = [];
  const server = createServer((inbound) => {
    const outbound = connect({ host: sshd.host, port: sshd.port });
    sockets.push(inbound, outbound);
    inbound.on("data", (d: Buffer) => toServer.push(d));
    outbound.on("data", (d: Buffer) => toClient.push(d));
    inbound.pipe(outbound).pipe(inbound);
    inbound.on("error", () => outbound.destroy());
    outbound.on("error", () => inbound.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  tap = { server, port: (server.address() as { port: number }).port, toServer, toClient, sockets };
  relay = await startRelay({ listenHost: "127.0.0.1", listenPort: 0, targetHost: "127.0.0.1", targetPort: tap.port });
});

afterAll(async () => {
  await relay?.close();
  tap?.sockets.forEach((s) => s.destroy());
  await new Promise<void>((resolve) => (tap ? tap.server.close(() => resolve()) : resolve()));
  await sshd?.stop();
});

describe("SSH through mcp-ssh relay", () => {
  it("runs a command end to end while the relay carries only ciphertext", async () => {
    const marker = `relay-marker-${randomBytes(12).toString("hex")}`;
    const stream = await connectWebSocket(relay.url, { WebSocket: WebSocket as unknown as WebSocketConstructor });
    const client = await SSHClient.connect({
      stream,
      username: sshd.username,
      privateKey: key.privateKey,
      hostKeyFingerprints: [sshd.hostKeyFingerprint],
    });
    let output: string;
    try {
      const channel = await client.exec(`echo ${marker}`);
      output = await new Response(channel.stdout).text();
      expect((await channel.exit).code).toBe(0);
    } finally {
      await client.close();
    }
    expect(output.trim()).toBe(marker);

    const sent = Buffer.concat(tap.toServer);
    const received = Buffer.concat(tap.toClient);
    // RFC 4253 §4.2: only the version lines are plain text.
    expect(sent.subarray(0, 8).toString("latin1")).toBe("SSH-2.0-");
    expect(received.subarray(0, 8).toString("latin1")).toBe("SSH-2.0-");
    expect(sent.byteLength).toBeGreaterThan(marker.length);
    expect(received.byteLength).toBeGreaterThan(marker.length);
    expect(sent.includes(marker)).toBe(false);
    expect(received.includes(marker)).toBe(false);
    // The client key goes to the server inside the encrypted userauth request (RFC 4252 §7).
    expect(sent.includes(Buffer.from(key.publicKeyLine.split(" ")[1] as string, "base64"))).toBe(false);
  });
});
