// The in-process SSH clients the end-to-end benchmark compares, behind one small interface:
//   connect() -> conn;  drain(conn, cmd) -> { bytes, code };  upload(conn, cmd, total, chunk) -> code;
//   close(conn);  describe() -> which implementation runs.
// Both force the same algorithms as the benchmark sshd (its `forced` ones, or the `algorithms`
// given: { kex, cipher, hostKey, mac }, one name each), verify the host key, and run with
// TCP_NODELAY on (ours always sets it; ssh2 is told to). `privateKey` replaces the server's ed25519
// user key (the RSA key of the key-exchange benchmark).
import { createHash } from "node:crypto";
import { once } from "node:events";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { FORCED } from "./sshd.mjs";

const require = createRequire(import.meta.url);

/** What to force: the `algorithms` given, else what the server forces. */
function forcedAlgorithms(server, algorithms) {
  return { ...(server.forced ?? FORCED), ...algorithms };
}

/**
 * mcp-ssh's SSHClient from the library file the orchestrator resolved. `noble`: pin
 * chacha20-poly1305@openssh.com to the @noble implementation (the fallback where WebAssembly is
 * unavailable) by registering it over the default factory.
 */
export async function oursClient(server, libraryPath, { noble = false, algorithms, privateKey = server.privateKey } = {}) {
  const lib = await import(pathToFileURL(libraryPath).href);
  const { SSHClient } = lib;
  if (noble) {
    const name = "chacha20-poly1305@openssh.com";
    if (lib.ciphers && lib.ChaCha20Poly1305) {
      lib.ciphers.add(name, { name, keyLength: 64, ivLength: 0, aead: true, create: (key) => new lib.ChaCha20Poly1305(key) });
    } else if (lib.registerCipher && lib.chacha20Poly1305Noble) {
      lib.registerCipher(lib.chacha20Poly1305Noble);
    } else {
      throw new Error("this build cannot pin the @noble cipher (needs a bundle from source)");
    }
    // ...and Ed25519/X25519 on @noble/curves instead of WebCrypto: an all-@noble client.
    if (typeof lib.prepareCurves === "function") await lib.prepareCurves({ webcrypto: false });
  }
  // Asked after connecting (the client loads the kernel then), when describe() is called.
  const cipher = () =>
    noble ? "noble (pinned)" : typeof lib.cipherImplementation === "function" ? lib.cipherImplementation() : "not reported by this build";
  const curves = () => (typeof lib.curveImplementation === "function" ? (lib.curveImplementation() ?? "not chosen yet") : "@noble (this build has no choice)");
  const f = forcedAlgorithms(server, algorithms);
  // Trees before the algorithm tables know no `mac` option; it is only passed when forced.
  const offer = { kex: [f.kex], cipher: [f.cipher], hostKey: [f.hostKey], ...(f.mac ? { mac: [f.mac] } : {}) };
  return {
    describe: () => `mcp-ssh ${lib.VERSION ?? ""}, cipher: ${cipher()}, curves: ${curves()}`,
    /** What the connection negotiated, where the build reports it (null otherwise). */
    negotiated: (conn) => conn.algorithms ?? null,
    connect: () =>
      SSHClient.connect({
        host: server.host,
        port: server.port,
        username: server.username,
        privateKey,
        hostKeyFingerprints: [server.fingerprint],
        algorithms: offer,
      }),
    async drain(conn, cmd) {
      const ch = await conn.exec(cmd);
      const count = async (stream) => {
        const reader = stream.getReader();
        let n = 0;
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return n;
          n += value.length;
        }
      };
      const [bytes] = await Promise.all([count(ch.stdout), count(ch.stderr)]);
      const { code } = await ch.exit;
      return { bytes, code };
    },
    async upload(conn, cmd, total, chunk) {
      const ch = await conn.exec(cmd);
      const drained = Promise.all([ch.stdout.pipeTo(new WritableStream()), ch.stderr.pipeTo(new WritableStream())]);
      const writer = ch.stdin.getWriter();
      let failure = null;
      for (let sent = 0; sent < total && !failure; sent += chunk.length) {
        // Keep one write in flight behind the one being sent, as a pipeTo() would.
        await writer.ready;
        const n = Math.min(chunk.length, total - sent);
        writer.write(n === chunk.length ? chunk : chunk.subarray(0, n)).catch((e) => (failure ??= e));
      }
      if (failure) throw failure;
      await writer.close();
      await drained;
      return (await ch.exit).code;
    },
    close: (conn) => conn.close(),
  };
}

/**
 * The `ssh2` package. `native: false` keeps its C++ add-on from loading (as where npm did not build
 * it): ChaCha20 then comes from node:crypto and Poly1305 from its WebAssembly build.
 */
export function ssh2Client(server, { native, algorithms, privateKey: keyText = server.privateKey }) {
  if (!native) {
    const Module = require("node:module");
    const load = Module._extensions[".node"];
    Module._extensions[".node"] = (module, filename) => {
      if (filename.includes("sshcrypto")) throw new Error("ssh2 add-on disabled by the benchmark");
      return load(module, filename);
    };
  }
  const { Client } = require("ssh2");
  const crypto = require("ssh2/lib/protocol/crypto.js");
  const version = require("ssh2/package.json").version;
  if (native && !crypto.bindingAvailable) throw new Error("ssh2's native add-on is not built (node_modules/ssh2/lib/protocol/crypto/build/Release/sshcrypto.node)");
  const pinned = server.fingerprint.replace(/^SHA256:/, "");
  const privateKey = Buffer.from(keyText);
  const f = forcedAlgorithms(server, algorithms);
  let negotiated = null;
  return {
    describe: () =>
      `ssh2 ${version}, ${crypto.bindingAvailable ? "native add-on (sshcrypto.node)" : f.cipher.startsWith("chacha20") ? "JS path: ChaCha20 from node:crypto, Poly1305 in WebAssembly" : "JS path: node:crypto"}`,
    /** ssh2's "handshake" event: { kex, serverHostKey, cs: { cipher, mac }, sc }. */
    negotiated: () => (negotiated ? { kex: negotiated.kex, cipher: negotiated.sc?.cipher, mac: negotiated.sc?.mac } : null),
    connect: () =>
      new Promise((resolve, reject) => {
        const conn = new Client();
        conn.once("handshake", (n) => (negotiated = n));
        conn.once("ready", () => resolve(conn));
        conn.once("error", reject);
        conn.connect({
          host: server.host,
          port: server.port,
          username: server.username,
          privateKey,
          readyTimeout: 30_000,
          hostVerifier: (key) => createHash("sha256").update(key).digest("base64").replace(/=+$/, "") === pinned,
          algorithms: { kex: [f.kex], cipher: [f.cipher], serverHostKey: [f.hostKey], ...(f.mac ? { hmac: [f.mac] } : {}), compress: ["none"] },
        });
        conn.setNoDelay(true);
      }),
    drain: (conn, cmd) =>
      new Promise((resolve, reject) => {
        conn.exec(cmd, (err, stream) => {
          if (err) return reject(err);
          let bytes = 0;
          let code = null;
          stream.on("data", (d) => (bytes += d.length));
          stream.stderr.resume();
          stream.on("exit", (c) => (code = c));
          stream.on("close", () => resolve({ bytes, code }));
        });
      }),
    upload: (conn, cmd, total, chunk) =>
      new Promise((resolve, reject) => {
        conn.exec(cmd, (err, stream) => {
          if (err) return reject(err);
          let code = null;
          stream.resume();
          stream.stderr.resume();
          stream.on("exit", (c) => (code = c));
          stream.on("close", () => resolve(code));
          (async () => {
            for (let sent = 0; sent < total; sent += chunk.length) {
              const n = Math.min(chunk.length, total - sent);
              if (!stream.write(n === chunk.length ? chunk : chunk.subarray(0, n))) await once(stream, "drain");
            }
            stream.end();
          })().catch(reject);
        });
      }),
    async close(conn) {
      const closed = once(conn, "close");
      conn.end();
      await closed;
    },
  };
}
