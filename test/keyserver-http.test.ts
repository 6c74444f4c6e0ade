// The key server handler served by the real Node server over HTTP: every endpoint, hostile input
// (the authorized_keys file must stay byte-for-byte unchanged and the status must be right), the
// body cap enforced while streaming, rate limiting by socket address, and 100 concurrent
// registrations with the file parsed by `ssh-keygen -l -f` all along.
import { execFile } from "node:child_process";
import { request as httpRequest } from "node:http";
import { link, mkdtemp, readFile, rm, stat, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ed25519 } from "@noble/curves/ed25519.js";
import { encodeEd25519PublicBlob, formatPublicKeyLine } from "../src/ssh/keys/public-key.js";
import { fromBase64, toBase64 } from "../src/ssh/wire/bytes.js";
import { createKeyServerHandler, serveKeyServer, type KeyServerHandlerOptions, type RunningKeyServer } from "../src/keyserver/index.js";
import { makeClientKey } from "./helpers/servers.js";
import { requireProgram } from "./helpers/tools.js";

const TOKEN = "correct-horse-battery-staple-0123456789";
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

interface Fixture {
  server: RunningKeyServer;
  file: string;
  dir: string;
  hostLine: string;
}

async function start(opts: Partial<KeyServerHandlerOptions> = {}): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), "mcp-ssh-keyserver-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const host = await makeClientKey({ dir, comment: "root@secret-hostname" });
  const file = join(dir, "authorized_keys");
  const handler = createKeyServerHandler({
    serverPublicKeyLine: `${host.publicKeyLine}\n`,
    authorizedKeysPath: file,
    token: TOKEN,
    rateLimitPerMinute: 0,
    ...opts,
  });
  const server = await serveKeyServer(handler, { host: "127.0.0.1", port: 0 });
  cleanups.push(() => server.close());
  return { server, file, dir, hostLine: host.publicKeyLine.split(" ").slice(0, 2).join(" ") };
}

function register(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/register`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}`, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

async function statusAndError(res: Response): Promise<[number, string]> {
  const body = (await res.json()) as { error?: string };
  return [res.status, body.error ?? ""];
}

async function readOr(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return null;
  }
}

/** `ssh-keygen -l -f` output lines (it silently skips lines it cannot parse). */
function fingerprints(path: string): Promise<string[]> {
  const file = requireProgram("ssh-keygen");
  return new Promise((resolve, reject) => {
    execFile(file, ["-l", "-E", "sha256", "-f", path], { encoding: "utf8" }, (error, stdout, stderr) => {
      if (error) reject(new Error(`ssh-keygen -l -f ${path}: ${stderr}`));
      else resolve(stdout.trim().split("\n").filter((l) => l !== "").map((l) => l.split(" ")[1]!));
    });
  });
}

function noblePublicLine(i: number): string {
  const pub = ed25519.getPublicKey(ed25519.utils.randomSecretKey());
  return formatPublicKeyLine({ type: "ssh-ed25519", blob: encodeEd25519PublicBlob(pub) }, `k${i}`);
}

describe("endpoints", () => {
  it("serves health and the host key (re-serialized, without its comment)", async () => {
    const { server, hostLine } = await start();
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "healthy" });
    const pub = await fetch(`${server.url}/server_pub_key`);
    expect(pub.status).toBe(200);
    expect(pub.headers.get("content-type")).toBe("application/json");
    expect(await pub.json()).toEqual({ server_pub_key: hostLine });
  });

  it("enrolls a key as one restrict line, mode 0600, and does not add it twice", async () => {
    const { server, file } = await start();
    const key = await makeClientKey({ comment: "alice@laptop" });
    // The reference client sends the .pub text with its trailing newline.
    const first = await register(server.url, { client_pub_key: `${key.publicKeyLine}\n` });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ status: "success" });
    expect(await readFile(file, "utf8")).toBe(`restrict ${key.publicKeyLine}\n`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const again = await register(server.url, { client_pub_key: key.publicKeyLine.replace("alice@laptop", "other") });
    expect(again.status).toBe(200);
    expect(await readFile(file, "utf8")).toBe(`restrict ${key.publicKeyLine}\n`);
    expect(await fingerprints(file)).toEqual([key.fingerprint]);
  });

  it("writes the forced command and keeps lines added by someone else", async () => {
    const { server, file } = await start({ forcedCommand: 'mcp-server --name "x"' });
    const admin = await makeClientKey({ comment: "admin" });
    const a = await makeClientKey({ comment: "a" });
    const b = await makeClientKey({ comment: "b" });
    expect((await register(server.url, { client_pub_key: a.publicKeyLine })).status).toBe(200);
    // An administrator edits the file between two registrations (no trailing newline, even).
    await writeFile(file, (await readFile(file, "utf8")) + admin.publicKeyLine);
    expect((await register(server.url, { client_pub_key: b.publicKeyLine })).status).toBe(200);
    const cmd = 'restrict,command="mcp-server --name \\"x\\""';
    expect(await readFile(file, "utf8")).toBe(`${cmd} ${a.publicKeyLine}\n${admin.publicKeyLine}\n${cmd} ${b.publicKeyLine}\n`);
    expect(await fingerprints(file)).toEqual([a.fingerprint, admin.fingerprint, b.fingerprint]);
    // The administrator's key counts as present even though it has no options.
    expect((await register(server.url, { client_pub_key: admin.publicKeyLine })).status).toBe(200);
    expect(await fingerprints(file)).toHaveLength(3);
  });

  it("refuses enrollment with 507 once the file holds maxKeys keys, the administrator's included", async () => {
    const { server, file } = await start({ maxKeys: 2 });
    const [admin, a, b] = await Promise.all(["admin", "a", "b"].map((comment) => makeClientKey({ comment })));
    await writeFile(file, `${admin!.publicKeyLine}\n`);
    expect((await register(server.url, { client_pub_key: a!.publicKeyLine })).status).toBe(200);
    const [status, error] = await statusAndError(await register(server.url, { client_pub_key: b!.publicKeyLine }));
    expect(status).toBe(507);
    expect(error).toMatch(/maximum of 2 keys; ask its administrator/);
    expect(await fingerprints(file)).toEqual([admin!.fingerprint, a!.fingerprint]);
    // A key already present still answers 200: enrolling again must not fail a working client.
    expect((await register(server.url, { client_pub_key: a!.publicKeyLine })).status).toBe(200);
    expect(() => createKeyServerHandler({ serverPublicKeyLine: admin!.publicKeyLine, authorizedKeysPath: file, token: TOKEN, maxKeys: -1 })).toThrow(/maxKeys/);
  });

  it("answers 404 and 405 for other paths and methods", async () => {
    const { server } = await start();
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    const getRegister = await fetch(`${server.url}/register`);
    expect(getRegister.status).toBe(405);
    expect(getRegister.headers.get("allow")).toBe("POST");
    expect((await fetch(`${server.url}/server_pub_key`, { method: "POST" })).status).toBe(405);
    expect((await fetch(`${server.url}/health`, { method: "DELETE" })).status).toBe(405);
  });
});

describe("hostile input leaves the file unchanged", () => {
  it("answers each with the right status and error", async () => {
    const { server, file } = await start();
    const a = await makeClientKey({ comment: "a" });
    const b = await makeClientKey({ comment: "b" });
    expect((await register(server.url, { client_pub_key: a.publicKeyLine })).status).toBe(200);
    const before = await readFile(file, "utf8");
    const [type, b64] = b.publicKeyLine.split(" ") as [string, string];
    const blob = fromBase64(b64)!;
    const cases: [string, () => Promise<Response>, number, RegExp][] = [
      ["key, newline, key", () => register(server.url, { client_pub_key: `${b.publicKeyLine}\n${a.publicKeyLine}` }), 400, /line break/],
      ["key, newline, forced key", () => register(server.url, { client_pub_key: `${b.publicKeyLine}\nssh-ed25519 ${b64}` }), 400, /line break/],
      ["options", () => register(server.url, { client_pub_key: `command="/bin/sh" ${b.publicKeyLine}` }), 400, /options/],
      ["control characters", () => register(server.url, { client_pub_key: `${type} ${b64} \x1b]0;pwned\x07` }), 400, /control/],
      ["unknown key type", () => register(server.url, { client_pub_key: `ssh-dss ${b64}` }), 400, /unsupported key type/],
      ["truncated blob", () => register(server.url, { client_pub_key: `${type} ${toBase64(blob.subarray(0, 40))}` }), 400, /malformed|truncated/],
      ["padded blob", () => register(server.url, { client_pub_key: `${type} ${toBase64(new Uint8Array([...blob, 1]))}` }), 400, /malformed|trailing|bytes/],
      ["non-JSON", () => register(server.url, "client_pub_key=ssh-ed25519"), 400, /not valid JSON/],
      ["JSON but not an object", () => register(server.url, JSON.stringify(b.publicKeyLine)), 400, /missing field/],
      ["missing field", () => register(server.url, { key: b.publicKeyLine }), 400, /missing field "client_pub_key"/],
      ["field not a string", () => register(server.url, { client_pub_key: [b.publicKeyLine] }), 400, /must be a string/],
      ["invalid UTF-8", () => fetch(`${server.url}/register`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` }, body: new Uint8Array([0x7b, 0xff, 0x7d]) }), 400, /UTF-8/],
      ["text/plain", () => register(server.url, { client_pub_key: b.publicKeyLine }, { "content-type": "text/plain" }), 415, /application\/json/],
      ["form content type", () => register(server.url, { client_pub_key: b.publicKeyLine }, { "content-type": "application/x-www-form-urlencoded" }), 415, /application\/json/],
      ["wrong token", () => register(server.url, { client_pub_key: b.publicKeyLine }, { authorization: `Bearer ${TOKEN}x` }), 401, /token/],
      ["token prefix", () => register(server.url, { client_pub_key: b.publicKeyLine }, { authorization: `Bearer ${TOKEN.slice(0, -1)}` }), 401, /token/],
      ["missing token", () => fetch(`${server.url}/register`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ client_pub_key: b.publicKeyLine }) }), 401, /token/],
      ["Basic scheme", () => register(server.url, { client_pub_key: b.publicKeyLine }, { authorization: `Basic ${TOKEN}` }), 401, /token/],
      ["body over the cap", () => register(server.url, { client_pub_key: b.publicKeyLine, pad: "x".repeat(20_000) }), 413, /over 8192 bytes/],
    ];
    for (const [name, send, status, error] of cases) {
      const res = await send();
      const [got, message] = await statusAndError(res);
      expect(got, name).toBe(status);
      expect(message, name).toMatch(error);
      if (status === 401) expect(res.headers.get("www-authenticate"), name).toBe("Bearer");
      expect(await readFile(file, "utf8"), name).toBe(before);
    }
  });

  it("answers 413 to a declared 10 MiB body after reading only a little of it", async () => {
    const { server, file } = await start();
    const port = new URL(server.url).port;
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest({
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/register",
        headers: { "content-type": "application/json", "content-length": String(10 * 1024 * 1024), authorization: `Bearer ${TOKEN}` },
      });
      req.on("response", (r) => {
        let body = "";
        r.setEncoding("utf8");
        r.on("data", (c: string) => (body += c));
        r.on("end", () => {
          resolve({ status: r.statusCode ?? 0, body });
          req.destroy();
        });
      });
      req.on("error", reject);
      // 64 KiB of the promised 10 MiB, and never the rest: a server that waited for it would hang.
      req.write(Buffer.alloc(64 * 1024, 0x20));
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual({ error: "request body is over 8192 bytes" });
    expect(await readOr(file)).toBeNull();
  });

  it("answers 413 to a chunked body as soon as it passes the cap", async () => {
    const { server, file } = await start();
    const port = new URL(server.url).port;
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/register",
        headers: { "content-type": "application/json", "transfer-encoding": "chunked", authorization: `Bearer ${TOKEN}` },
      });
      req.on("response", (r) => {
        r.resume();
        resolve(r.statusCode ?? 0);
        req.destroy();
      });
      req.on("error", reject);
      req.write(`{"client_pub_key": "${"A".repeat(16 * 1024)}`);
    });
    expect(status).toBe(413);
    expect(await readOr(file)).toBeNull();
  });

  it("pulls only a bounded part of a 10 MiB body through the handler", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mcp-ssh-keyserver-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const host = await makeClientKey({ dir });
    const handler = createKeyServerHandler({ serverPublicKeyLine: host.publicKeyLine, authorizedKeysPath: join(dir, "ak"), token: TOKEN });
    let pulled = 0;
    const total = 10 * 1024 * 1024;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled >= total) return controller.close();
        pulled += 16 * 1024;
        controller.enqueue(new Uint8Array(16 * 1024).fill(0x20));
      },
    });
    const res = await handler(
      new Request("http://x/register", { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` }, body, duplex: "half" } as RequestInit),
      { clientAddress: "127.0.0.1" },
    );
    expect(res.status).toBe(413);
    expect(pulled).toBeLessThanOrEqual(64 * 1024);
  });

  it("rate-limits per socket address, whatever X-Forwarded-For says, and not /health", async () => {
    const { server, file } = await start({ rateLimitPerMinute: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${server.url}/server_pub_key`, { headers: { "x-forwarded-for": `10.0.0.${i}`, "x-real-ip": `10.0.1.${i}` } });
      statuses.push(res.status);
      if (res.status === 429) {
        expect(res.headers.get("retry-after")).toBe("60");
        expect(await res.json()).toEqual({ error: "too many requests; retry later" });
      } else await res.body?.cancel();
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const key = await makeClientKey();
    expect((await register(server.url, { client_pub_key: key.publicKeyLine })).status).toBe(429);
    expect(await readOr(file)).toBeNull();
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});

describe("concurrency", () => {
  it("100 concurrent registrations give exactly 100 lines, and ssh-keygen never sees a torn file", async () => {
    const { server, file, dir } = await start();
    const lines = Array.from({ length: 100 }, (_, i) => noblePublicLine(i));
    // What ssh-keygen makes of the submitted keys, independently of the key server.
    const submitted = join(dir, "submitted.pub");
    await writeFile(submitted, lines.join("\n") + "\n");
    const expected = await fingerprints(submitted);
    expect(new Set(expected).size).toBe(100);

    let done = false;
    let snapshots = 0;
    let sawEntries = 0;
    const watcher = (async () => {
      for (let n = 0; !done; n++) {
        // A hard link pins the inode the name points at right now: what sshd would open.
        const snap = join(dir, `snap-${n}`);
        try {
          await link(file, snap);
        } catch {
          await new Promise((r) => setTimeout(r, 5));
          continue; // not created yet
        }
        const text = await readFile(snap, "utf8");
        const prints = await fingerprints(snap);
        // Nothing wrote into the inode while ssh-keygen read it (writes go to new files).
        expect(await readFile(snap, "utf8")).toBe(text);
        await unlink(snap);
        expect(text.endsWith("\n")).toBe(true);
        const count = text.split("\n").length - 1;
        expect(prints).toHaveLength(count);
        expect(count).toBeGreaterThanOrEqual(sawEntries); // never loses a key
        sawEntries = count;
        snapshots++;
      }
    })();
    const results = await Promise.all(lines.map((line) => register(server.url, { client_pub_key: line })));
    done = true;
    await watcher;
    expect(results.map((r) => r.status)).toEqual(Array(100).fill(200));
    const final = await fingerprints(file);
    expect(final).toHaveLength(100);
    expect(new Set(final)).toEqual(new Set(expected));
    expect((await readFile(file, "utf8")).split("\n")).toHaveLength(101);
    expect(snapshots).toBeGreaterThan(0);
    // No temporary file is left behind.
    const leftovers = (await import("node:fs")).readdirSync(dir).filter((n) => n.endsWith(".tmp"));
    expect(leftovers).toEqual([]);
  });
});
