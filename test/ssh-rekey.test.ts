// Issue 8: rekeying under load, started by the server (sshd RekeyLimit) and by the client.
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SSHClient } from "../src/entries/ssh.js";
import { makeClientKey, startDropbear, startSshd, type ClientKey, type TestServer } from "./helpers/servers.js";
import { connectTo } from "./helpers/connect.js";

const MiB = 1024 * 1024;
const TOTAL = 256 * MiB;

/** Download TOTAL bytes of a deterministic stream and compare its sha256 with the server's. */
async function downAndUp(client: SSHClient): Promise<void> {
  // Down: the server generates pseudo-random bytes and prints their hash on stderr.
  // fd 3 is the channel's stdout; tee copies the bytes there and into sha256sum.
  const down = await client.exec(`{ head -c ${TOTAL} /dev/urandom | tee /dev/fd/3 | sha256sum >&2; } 3>&1`);
  const h = createHash("sha256");
  let bytes = 0;
  const errText = new Response(down.stderr).text();
  for await (const chunk of down.stdout) {
    h.update(chunk);
    bytes += chunk.length;
  }
  expect(bytes).toBe(TOTAL);
  expect((await errText).split(" ")[0]).toBe(h.digest("hex"));
  // The exit status comes once the server has reaped the command, so no child of this
  // connection exits while the next channel opens (see "Dropbear closing a fresh session channel").
  expect((await down.exit).code).toBe(0);

  // Up: we send random bytes and the server hashes them.
  const up = await client.exec("sha256sum");
  const out = new Response(up.stdout).text();
  const w = up.stdin.getWriter();
  const hu = createHash("sha256");
  const block = randomBytes(MiB);
  for (let i = 0; i < TOTAL / MiB; i++) {
    const b = Buffer.from(block);
    b.writeUInt32BE(i, 0);
    hu.update(b);
    await w.write(new Uint8Array(b));
  }
  await w.close();
  expect((await out).split(" ")[0]).toBe(hu.digest("hex"));
}

describe("rekeying", () => {
  let key: ClientKey;
  let sshd: TestServer;
  let dropbear: TestServer;
  beforeAll(async () => {
    key = await makeClientKey();
    sshd = await startSshd({ authorizedKeys: [key.publicKeyLine], config: ["RekeyLimit 1M"] });
    dropbear = await startDropbear({ authorizedKeys: [key.publicKeyLine] });
  });
  afterAll(async () => {
    await sshd?.stop();
    await dropbear?.stop();
  });

  const connect = (s: TestServer, rekeyBytes?: number) => connectTo(s, key, { rekeyBytes });

  it("server-initiated (sshd RekeyLimit 1M): 256 MiB down and up intact, at least 200 rekeys", async () => {
    const client = await connect(sshd);
    await downAndUp(client);
    expect(client.kexCount).toBeGreaterThanOrEqual(200);
    await client.close();
  });

  it("client-initiated (rekeyBytes 1 MiB) against sshd", async () => {
    const client = await connect(sshd, MiB);
    await downAndUp(client);
    expect(client.kexCount).toBeGreaterThanOrEqual(200);
    await client.close();
  });

  it("client-initiated (rekeyBytes 1 MiB) against Dropbear", async () => {
    const client = await connect(dropbear, MiB);
    await downAndUp(client);
    expect(client.kexCount).toBeGreaterThanOrEqual(200);
    await client.close();
  });

  it("client.rekey() on demand keeps the session working", async () => {
    const client = await connect(dropbear);
    const before = client.kexCount;
    await client.rekey();
    await client.rekey();
    expect(client.kexCount).toBe(before + 2);
    const ch = await client.exec("echo still-here");
    expect(await new Response(ch.stdout).text()).toBe("still-here\n");
    await client.close();
  });
});
