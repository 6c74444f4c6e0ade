// The client's key-server flow against the real key server on node:http / node:https: HTTPS with
// a private CA made here by openssl, the plain-HTTP fallback only for loopback (or when allowed),
// refused for another address of this machine, tokens, and what it does with a lying server.
import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Logger } from "../src/ssh/logger.js";
import {
  createKeyServerHandler,
  enrollWithKeyServer,
  KeyServerError,
  serveKeyServer,
  type KeyServerHandler,
  type RunningKeyServer,
} from "../src/keyserver/index.js";
import { fetchRequester, type HttpRequester } from "../src/keyserver/http-requester.js";
import { makeClientKey, type ClientKey } from "./helpers/servers.js";
import { run } from "./helpers/tools.js";

const TOKEN = "client-test-token-0123456789abcdef";
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function recordingLogger() {
  const lines: string[] = [];
  const logger: Logger = {
    debug: (m) => lines.push(`debug: ${m}`),
    info: (m) => lines.push(`info: ${m}`),
    warn: (m) => lines.push(`warn: ${m}`),
    error: (m) => lines.push(`error: ${m}`),
  };
  return { logger, warnings: () => lines.filter((l) => l.startsWith("warn: ")) };
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "mcp-ssh-keyserver-client-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

interface Fixture {
  server: RunningKeyServer;
  file: string;
  hostKey: ClientKey;
  port: number;
}

async function start(listen: { host?: string; tls?: { cert: string; key: string } } = {}, handler?: KeyServerHandler): Promise<Fixture> {
  const dir = await tempDir();
  const hostKey = await makeClientKey({ dir, comment: "host" });
  const file = join(dir, "authorized_keys");
  const server = await serveKeyServer(
    handler ?? createKeyServerHandler({ serverPublicKeyLine: hostKey.publicKeyLine, authorizedKeysPath: file, token: TOKEN, rateLimitPerMinute: 0 }),
    { port: 0, ...listen },
  );
  cleanups.push(() => server.close());
  return { server, file, hostKey, port: server.port };
}

const typeAndBlob = (line: string) => line.split(" ").slice(0, 2).join(" ");

async function enrolledFingerprints(file: string): Promise<string[]> {
  const { stdout } = await run("ssh-keygen", ["-l", "-E", "sha256", "-f", file]);
  return stdout.trim().split("\n").map((l) => l.split(" ")[1]!);
}

async function exists(path: string): Promise<boolean> {
  return readFile(path).then(
    () => true,
    () => false,
  );
}

function requireOpenssl(): string {
  for (const dir of ["/usr/bin", ...(process.env.PATH ?? "").split(delimiter)]) {
    try {
      accessSync(join(dir, "openssl"), constants.X_OK);
      return join(dir, "openssl");
    } catch {
      // keep looking
    }
  }
  throw new Error("openssl not found; install it: apt-get install openssl");
}

function openssl(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(requireOpenssl(), args, { cwd, timeout: 30_000 }, (error, _stdout, stderr) =>
      error ? reject(new Error(`openssl ${args.join(" ")}: ${stderr}`)) : resolve(),
    );
  });
}

/** A private CA and a server certificate it signed for 127.0.0.1 and localhost. */
async function makeCertificates(): Promise<{ caPath: string; cert: string; key: string; otherCaPath: string }> {
  const dir = await tempDir();
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await openssl(["req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=mcp-ssh test CA"], dir);
  await openssl(["req", "-x509", ...ec, "-keyout", "other.key", "-out", "other.pem", "-days", "2", "-subj", "/CN=another CA"], dir);
  await openssl(["req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"], dir);
  await writeFile(join(dir, "ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
  await openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf"], dir);
  return {
    caPath: join(dir, "ca.pem"),
    otherCaPath: join(dir, "other.pem"),
    cert: await readFile(join(dir, "server.pem"), "utf8"),
    key: await readFile(join(dir, "server.key"), "utf8"),
  };
}

/**
 * The downgrade rule end to end without sending anything beyond loopback: the client is told a
 * non-loopback host name (".test" is reserved, RFC 2606), and its requests are delivered to the
 * key server on 127.0.0.1. Every URL the client asked for is recorded.
 */
const FAR_HOST = "keys.mcp-ssh.test";
function loopbackRequester(): { requester: HttpRequester; urls: string[] } {
  const urls: string[] = [];
  const requester: HttpRequester = (req) => {
    urls.push(req.url);
    const url = new URL(req.url);
    url.hostname = "127.0.0.1";
    return fetchRequester({ ...req, url: url.toString() });
  };
  return { requester, urls };
}

describe("over HTTPS", () => {
  it("fetches the host key and enrolls through a private CA, without a word about HTTP", async () => {
    const certs = await makeCertificates();
    const { file, hostKey, port } = await start({ tls: { cert: certs.cert, key: certs.key } });
    const a = await makeClientKey();
    const b = await makeClientKey();
    const { logger, warnings } = recordingLogger();
    // No --key-server-url: found at https://127.0.0.1:<key-server-port> after https://127.0.0.1 fails.
    const result = await enrollWithKeyServer({
      host: "127.0.0.1",
      keyServerPort: port,
      token: TOKEN,
      caPath: certs.caPath,
      clientPublicKeyLines: [a.publicKeyLine, `${b.publicKeyLine}\n`],
      logger,
    });
    expect(result).toEqual({ hostKeyLine: typeAndBlob(hostKey.publicKeyLine) });
    expect(warnings()).toEqual([]);
    expect(await enrolledFingerprints(file)).toEqual([a.fingerprint, b.fingerprint]);
  });

  it("uses --key-server-url as given", async () => {
    const certs = await makeCertificates();
    const { file, hostKey, port } = await start({ tls: { cert: certs.cert, key: certs.key } });
    const a = await makeClientKey();
    const result = await enrollWithKeyServer({
      host: "ssh.example.invalid",
      keyServerPort: 1,
      keyServerUrl: `https://localhost:${port}/`,
      token: TOKEN,
      caPath: certs.caPath,
      clientPublicKeyLines: [a.publicKeyLine],
      logger: recordingLogger().logger,
    });
    expect(result.hostKeyLine).toBe(typeAndBlob(hostKey.publicKeyLine));
    expect(await enrolledFingerprints(file)).toEqual([a.fingerprint]);
  });

  it("does not trust a certificate from another CA, and does not fall back to HTTP for an https URL", async () => {
    const certs = await makeCertificates();
    const { file, port } = await start({ tls: { cert: certs.cert, key: certs.key } });
    const a = await makeClientKey();
    for (const caPath of [certs.otherCaPath, undefined]) {
      const error = await enrollWithKeyServer({
        host: "127.0.0.1",
        keyServerPort: port,
        keyServerUrl: `https://127.0.0.1:${port}`,
        token: TOKEN,
        caPath,
        clientPublicKeyLines: [a.publicKeyLine],
        logger: recordingLogger().logger,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KeyServerError);
      expect((error as Error).message).toMatch(/certificate|self.signed|issuer/i);
    }
    expect(await exists(file)).toBe(false);
  });
});

describe("plain HTTP", () => {
  it("falls back to HTTP for a loopback host and says so", async () => {
    const { file, hostKey, port } = await start();
    const a = await makeClientKey();
    for (const host of ["127.0.0.1", "localhost"]) {
      const { logger, warnings } = recordingLogger();
      const result = await enrollWithKeyServer({ host, keyServerPort: port, token: TOKEN, clientPublicKeyLines: [a.publicKeyLine], logger });
      expect(result.hostKeyLine).toBe(typeAndBlob(hostKey.publicKeyLine));
      expect(warnings()).toHaveLength(1);
      expect(warnings()[0]).toMatch(new RegExp(`plain HTTP http://${host}:${port}.*loopback`));
    }
    expect(await enrolledFingerprints(file)).toEqual([a.fingerprint]);
  });

  it("refuses HTTP to a non-loopback host unless allowHttp, explaining the risk", async () => {
    const { file, hostKey, port } = await start();
    const a = await makeClientKey();
    const refusedRoute = loopbackRequester();
    const refused = await enrollWithKeyServer({
      host: FAR_HOST,
      keyServerPort: port,
      token: TOKEN,
      clientPublicKeyLines: [a.publicKeyLine],
      logger: recordingLogger().logger,
      requester: refusedRoute.requester,
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(KeyServerError);
    expect((refused as Error).message).toMatch(/will not fall back to plain HTTP/);
    expect((refused as Error).message).toMatch(/fake host key/);
    expect((refused as Error).message).toMatch(/--allow-http-key-server/);
    // HTTPS was tried; plain HTTP never was.
    expect(refusedRoute.urls.length).toBeGreaterThan(0);
    expect(refusedRoute.urls.every((u) => u.startsWith("https://"))).toBe(true);
    const viaUrl = await enrollWithKeyServer({
      host: FAR_HOST,
      keyServerPort: port,
      keyServerUrl: `http://${FAR_HOST}:${port}`,
      token: TOKEN,
      clientPublicKeyLines: [a.publicKeyLine],
      logger: recordingLogger().logger,
      requester: loopbackRequester().requester,
    }).catch((e: unknown) => e);
    expect(viaUrl).toBeInstanceOf(KeyServerError);
    expect((viaUrl as Error).message).toMatch(/fake host key/);
    expect(await exists(file)).toBe(false);

    const { logger, warnings } = recordingLogger();
    const allowedRoute = loopbackRequester();
    const allowed = await enrollWithKeyServer({
      host: FAR_HOST,
      keyServerPort: port,
      token: TOKEN,
      allowHttp: true,
      clientPublicKeyLines: [a.publicKeyLine],
      logger,
      requester: allowedRoute.requester,
    });
    expect(allowed.hostKeyLine).toBe(typeAndBlob(hostKey.publicKeyLine));
    expect(allowedRoute.urls.some((u) => u.startsWith(`http://${FAR_HOST}:${port}`))).toBe(true);
    expect(warnings().join("\n")).toMatch(/--allow-http-key-server: a MITM could substitute the host key/);
    expect(warnings().join("\n")).toMatch(/token over plain HTTP/);
    expect(await enrolledFingerprints(file)).toEqual([a.fingerprint]);
  });
});

describe("what is sent, and in which order", () => {
  function recordingRequester(): { requester: HttpRequester; requests: { url: string; body?: string }[] } {
    const requests: { url: string; body?: string }[] = [];
    return { requests, requester: (req) => (requests.push({ url: req.url, body: req.body }), fetchRequester(req)) };
  }

  it("enrolls \"type base64\" only: the key's comment is not sent (the key file keeps it)", async () => {
    const { file, port } = await start();
    const a = await makeClientKey({ comment: "root@laptop" });
    const { requester, requests } = recordingRequester();
    await enrollWithKeyServer({
      host: "127.0.0.1",
      keyServerPort: port,
      token: TOKEN,
      clientPublicKeyLines: [a.publicKeyLine],
      logger: recordingLogger().logger,
      requester,
    });
    const register = requests.filter((r) => r.url.endsWith("/register"));
    expect(register).toHaveLength(1);
    expect(JSON.parse(register[0]!.body!)).toEqual({ client_pub_key: typeAndBlob(a.publicKeyLine) });
    expect(await readFile(file, "utf8")).not.toContain("root@laptop");
    expect(await readFile(`${a.path}.pub`, "utf8")).toContain("root@laptop");
  });

  it("on loopback, asks a plain-HTTP key server over plain HTTP before any TLS handshake on its port", async () => {
    const { port } = await start();
    const a = await makeClientKey();
    const { requester, requests } = recordingRequester();
    await enrollWithKeyServer({
      host: "127.0.0.1",
      keyServerPort: port,
      token: TOKEN,
      clientPublicKeyLines: [a.publicKeyLine],
      logger: recordingLogger().logger,
      requester,
    });
    // https://HOST (port 443, the reference's) first, then plain HTTP on the key-server port:
    // nothing ever sends a TLS ClientHello to the plain-HTTP port (which it would log as a 400).
    expect(requests.map((r) => r.url)).toEqual([
      "https://127.0.0.1/server_pub_key",
      `http://127.0.0.1:${port}/server_pub_key`,
      `http://127.0.0.1:${port}/register`,
    ]);
  });

  it("on loopback, still finds an HTTPS key server on the key-server port", async () => {
    const certs = await makeCertificates();
    const { hostKey, port } = await start({ tls: { cert: certs.cert, key: certs.key } });
    const a = await makeClientKey();
    const { logger, warnings } = recordingLogger();
    const result = await enrollWithKeyServer({
      host: "127.0.0.1",
      keyServerPort: port,
      token: TOKEN,
      caPath: certs.caPath,
      clientPublicKeyLines: [a.publicKeyLine],
      logger,
    });
    expect(result.hostKeyLine).toBe(typeAndBlob(hostKey.publicKeyLine));
    expect(warnings()).toEqual([]);
  });
});

describe("errors", () => {
  it("says what to do about a missing or wrong token", async () => {
    const { port, file } = await start();
    const a = await makeClientKey();
    const base = { host: "127.0.0.1", keyServerPort: port, clientPublicKeyLines: [a.publicKeyLine], logger: recordingLogger().logger };
    const missing = await enrollWithKeyServer(base).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(KeyServerError);
    expect(missing).toMatchObject({ status: 401 });
    expect((missing as Error).message).toMatch(/--key-server-token or set MCP_SSH_KEY_SERVER_TOKEN/);
    const wrong = await enrollWithKeyServer({ ...base, token: "nope" }).catch((e: unknown) => e);
    expect((wrong as Error).message).toMatch(/token is wrong/);
    expect(await exists(file)).toBe(false);
  });

  it("rejects a served host key that does not parse, and a redirect", async () => {
    const a = await makeClientKey();
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
    const lying = await start({}, async () => json(200, { server_pub_key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA== x\nssh-ed25519 AAAA" }));
    const bad = await enrollWithKeyServer({ host: "127.0.0.1", keyServerPort: lying.port, clientPublicKeyLines: [a.publicKeyLine], logger: recordingLogger().logger }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(KeyServerError);
    expect((bad as Error).message).toMatch(/not a usable host key/);
    const website = await start({}, async () => new Response("<html>hello</html>", { status: 200, headers: { "content-type": "text/html" } }));
    const notKeyServer = await enrollWithKeyServer({ host: "127.0.0.1", keyServerPort: website.port, clientPublicKeyLines: [a.publicKeyLine], logger: recordingLogger().logger }).catch((e: unknown) => e);
    expect(notKeyServer).toBeInstanceOf(KeyServerError);
    expect((notKeyServer as Error).message).toMatch(/the answer has no "server_pub_key" string/);
    const redirecting = await start({}, async () => json(302, {}, { location: "http://elsewhere.mcp-ssh.test/server_pub_key" }));
    const redirected = await enrollWithKeyServer({ host: "127.0.0.1", keyServerPort: redirecting.port, clientPublicKeyLines: [a.publicKeyLine], logger: recordingLogger().logger }).catch((e: unknown) => e);
    expect(redirected).toBeInstanceOf(KeyServerError);
    expect((redirected as Error).message).toMatch(/redirect/);
  });

  it("gives up on a key server that never answers", async () => {
    const a = await makeClientKey();
    const silent = await start({}, () => new Promise<Response>(() => {}));
    const error = await enrollWithKeyServer({
      host: "127.0.0.1",
      keyServerPort: silent.port,
      clientPublicKeyLines: [a.publicKeyLine],
      logger: recordingLogger().logger,
      timeoutMs: 300,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyServerError);
    expect((error as Error).message).toMatch(/no answer within 300 ms/);
  });

  it("refuses to send a client key line that is not one valid key", async () => {
    const a = await makeClientKey();
    await expect(
      enrollWithKeyServer({ host: "127.0.0.1", keyServerPort: 1, clientPublicKeyLines: [`${a.publicKeyLine}\n${a.publicKeyLine}`], logger: recordingLogger().logger }),
    ).rejects.toThrow(/client public key 1 cannot be enrolled/);
  });
});

