// The key server handler is a plain Fetch-API function: Deno.serve and Bun.serve serve it as it
// is, the authorized_keys file store included. Each runtime serves it on 127.0.0.1, enrolls a key
// made by ssh-keygen and answers hostile requests; the file is then checked with ssh-keygen.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { makeClientKey } from "./helpers/servers.js";
import { run } from "./helpers/tools.js";
import { runtimeBinary, type ForeignRuntime } from "./runtimes/run-runtime.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const HANDLER = fileURLToPath(new URL("../src/keyserver/handler.ts", import.meta.url));

const SCRIPT = `
import { createKeyServerHandler } from ${JSON.stringify(HANDLER)};
import { readFile } from "node:fs/promises";
const [dir, hostPub, clientPub] = (globalThis.Deno ? Deno.args : process.argv.slice(2));
const token = "runtime-token-0123456789abcdef";
const handler = createKeyServerHandler({
  serverPublicKeyLine: await readFile(hostPub, "utf8"),
  authorizedKeysPath: dir + "/authorized_keys",
  token,
  forcedCommand: "mcp-server",
});
let url, stop;
if (globalThis.Deno) {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req, info) => handler(req, { clientAddress: info.remoteAddr.hostname }));
  url = "http://127.0.0.1:" + server.addr.port;
  stop = () => server.shutdown();
} else {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req, s) => handler(req, { clientAddress: s.requestIP(req)?.address }) });
  url = "http://127.0.0.1:" + server.port;
  stop = () => server.stop(true);
}
const key = await readFile(clientPub, "utf8");
const post = (body, auth = "Bearer " + token) =>
  fetch(url + "/register", { method: "POST", headers: { "content-type": "application/json", authorization: auth }, body }).then(async (r) => [r.status, await r.json()]);
const result = {
  hostKey: await fetch(url + "/server_pub_key").then((r) => r.json()),
  enrolled: await post(JSON.stringify({ client_pub_key: key })),
  twoKeys: await post(JSON.stringify({ client_pub_key: key + key })),
  tooBig: await post(JSON.stringify({ client_pub_key: key, pad: "x".repeat(20000) })),
  wrongToken: await post(JSON.stringify({ client_pub_key: key }), "Bearer nope"),
};
await stop();
console.log("RESULT " + JSON.stringify(result));
`;

function runIn(runtime: ForeignRuntime, script: string, args: string[], dir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const argv =
    runtime === "bun"
      ? ["run", script, ...args]
      : ["run", "--node-modules-dir=manual", "--cached-only", "--sloppy-imports", "--allow-net=127.0.0.1", "--allow-read", `--allow-write=${dir}`, "--no-prompt", script, ...args];
  return new Promise((resolve) => {
    execFile(
      runtimeBinary(runtime),
      argv,
      { cwd: fileURLToPath(new URL("..", import.meta.url)), timeout: 120_000, killSignal: "SIGKILL", env: { ...process.env, NO_COLOR: "1" } },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

describe.each(["deno", "bun"] as const)("key server handler on %s", (runtime) => {
  it("serves, enrolls into the file, and rejects hostile requests", async () => {
    const dir = await mkdtemp(join(tmpdir(), `mcp-ssh-keyserver-${runtime}-`));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const host = await makeClientKey({ dir, comment: "host" });
    const client = await makeClientKey({ dir, comment: "client" });
    const script = join(dir, "serve.ts");
    await writeFile(script, SCRIPT);
    const out = await runIn(runtime, script, [dir, `${host.path}.pub`, `${client.path}.pub`], dir);
    const line = out.stdout.split("\n").find((l) => l.startsWith("RESULT "));
    expect(line, `${runtime} exited ${out.code}\nstdout:\n${out.stdout}\nstderr:\n${out.stderr}`).toBeDefined();
    const result = JSON.parse(line!.slice(7)) as Record<string, unknown>;
    expect(result).toEqual({
      hostKey: { server_pub_key: host.publicKeyLine.split(" ").slice(0, 2).join(" ") },
      enrolled: [200, { status: "success" }],
      twoKeys: [400, { error: expect.stringMatching(/line break/) }],
      tooBig: [413, { error: "request body is over 8192 bytes" }],
      wrongToken: [401, { error: "missing or wrong bearer token" }],
    });
    const file = join(dir, "authorized_keys");
    expect(await readFile(file, "utf8")).toBe(`restrict,command="mcp-server" ${client.publicKeyLine}\n`);
    const { stdout } = await run("ssh-keygen", ["-l", "-E", "sha256", "-f", file]);
    expect(stdout.split(" ")[1]).toBe(client.fingerprint);
  });
});
