// Code a browser's core bundle leaves out until it is needed (bench/bundle-size.mjs,
// test/bundle-browser.test.ts checks it stays out) must still be loaded the moment it is: each
// test here starts with the piece not loaded and uses it against a real sshd.
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { SSHClient } from "../src/entries/ssh.js";
import { aesBackend, registerAesBackend } from "../src/ssh/cipher/aes-backend.js";
import { installNodeAes } from "../src/platform/node/aes-node.js";
import { makeClientKey, startSshd, type ClientKey, type TestServer } from "./helpers/servers.js";
import { connectTo, loginOptions } from "./helpers/connect.js";

let key: ClientKey;
const servers: TestServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.stop())));

async function server(config: string[]): Promise<TestServer> {
  key ??= await makeClientKey();
  const s = await startSshd({ authorizedKeys: [key.publicKeyLine], config });
  servers.push(s);
  return s;
}

async function echo(client: SSHClient, text: string): Promise<string> {
  const ch = await client.exec(`echo ${text}`);
  const out = await new Response(ch.stdout).text();
  expect((await ch.exit).code).toBe(0);
  return out;
}

describe("AES and HMAC without a platform backend (a browser)", () => {
  it("imports the @noble backend when the key exchange negotiates AES-GCM, then AES-CTR with an HMAC", async () => {
    registerAesBackend(null);
    try {
      // Nothing has loaded it yet: a cipher created now would have no backend.
      expect(() => aesBackend()).toThrow(/no AES backend loaded/);
      const gcm = await server(["Ciphers aes128-gcm@openssh.com"]);
      const a = await connectTo(gcm, key);
      expect(a.algorithms.cipher.clientToServer).toBe("aes128-gcm@openssh.com");
      expect(await echo(a, "gcm-ok")).toBe("gcm-ok\n");
      await a.close();
      expect(aesBackend().name).toBe("noble");
      const ctr = await server(["Ciphers aes256-ctr", "MACs hmac-sha2-512"]);
      const b = await connectTo(ctr, key);
      expect(b.algorithms.mac.clientToServer).toBe("hmac-sha2-512");
      expect(await echo(b, "ctr-ok")).toBe("ctr-ok\n");
      await b.close();
    } finally {
      installNodeAes();
    }
  });
});

describe("chacha20-poly1305 where WebAssembly is missing", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  it("imports @noble's ChaCha20-Poly1305 and logs in with it", async () => {
    const s = await server(["Ciphers chacha20-poly1305@openssh.com"]);
    vi.resetModules();
    vi.stubGlobal("WebAssembly", undefined);
    // Fresh modules: no kernel compiled, nothing of @noble's ChaCha20 imported yet.
    const fresh = await import("../src/entries/ssh.js");
    const client = await fresh.SSHClient.connect(loginOptions(s, key));
    expect(fresh.cipherImplementation()).toBe("noble");
    expect(client.algorithms.cipher.serverToClient).toBe("chacha20-poly1305@openssh.com");
    const ch = await client.exec("echo noble-ok");
    expect(await new Response(ch.stdout).text()).toBe("noble-ok\n");
    await client.close();
  });
});
