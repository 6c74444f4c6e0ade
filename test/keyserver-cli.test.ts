// `mcp-ssh keyserver`: flag checking, a full run (enroll, then stop), and, as a real process,
// a clean exit on SIGTERM and SIGINT.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterEach, describe, expect, it } from "vitest";
import { runKeyServerCli } from "../src/keyserver/cli.js";
import { makeClientKey, type ClientKey } from "./helpers/servers.js";
import { run } from "./helpers/tools.js";

const TOKEN = "cli-test-token-0123456789abcdef";
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function fixture() {
  const dir = await mkdtemp(join(tmpdir(), "mcp-ssh-keyserver-cli-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const host = await makeClientKey({ dir, comment: "host" });
  return { dir, hostPub: `${host.path}.pub`, host, file: join(dir, "authorized_keys") };
}

/** Run the CLI in-process until `body` is done; returns its exit code and log. */
async function runCli(argv: string[], body: (url: string) => Promise<void> = async () => {}) {
  const log: string[] = [];
  const stop = new AbortController();
  let listening: (url: string) => void = () => {};
  const url = new Promise<string>((resolve) => (listening = resolve));
  const exit = runKeyServerCli(argv, { signal: stop.signal, writeLog: (l) => log.push(l), onListening: listening });
  const first = await Promise.race([exit.then((code) => ({ code })), url.then((u) => ({ url: u }))]);
  if ("url" in first) {
    try {
      await body(first.url);
    } finally {
      stop.abort();
    }
  }
  return { code: await exit, log: log.join("\n") };
}

function register(url: string, key: ClientKey, token?: string): Promise<Response> {
  return fetch(`${url}/register`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ client_pub_key: key.publicKeyLine }),
  });
}

describe("flags", () => {
  it("refuses to start without a token choice, with two of them, or with half of TLS", async () => {
    const { hostPub, file } = await fixture();
    const base = ["--server-pub-key", hostPub, "--authorized-keys", file, "--port", "0"];
    const cases: [string[], RegExp][] = [
      [base, /exactly one of --token, --token-file and --open-registration/],
      [[...base, "--token", TOKEN, "--open-registration"], /exactly one of/],
      [[...base, "--token", TOKEN, "--tls-cert", hostPub], /--tls-cert and --tls-key go together/],
      [["--authorized-keys", file, "--token", TOKEN], /--server-pub-key PATH is required/],
      [[...base, "--token", TOKEN, "--rate-limit=-1"], /--rate-limit must be a whole number/],
      [[...base, "--token", TOKEN, "--rate-limit", "lots"], /--rate-limit must be a whole number/],
      [[...base, "--token", TOKEN, "--max-keys", "1.5"], /--max-keys must be a whole number/],
      [[...base, "--token", TOKEN, "--port", "99999"], /--port must be a whole number/],
      [[...base, "--token", TOKEN, "--bogus"], /Unknown option '--bogus'/],
    ];
    for (const [argv, message] of cases) {
      const { code, log } = await runCli(argv);
      expect(code, argv.join(" ")).toBe(2);
      expect(log, argv.join(" ")).toMatch(message);
      expect(log).toMatch(/usage: mcp-ssh keyserver/);
    }
    await expect(stat(file)).rejects.toThrow();
  });

  it("exits 1 with the reason when the host key file is not a public key", async () => {
    const { dir, file } = await fixture();
    const bad = join(dir, "bad.pub");
    await writeFile(bad, "not a key\n");
    const { code, log } = await runCli(["--server-pub-key", bad, "--authorized-keys", file, "--token", TOKEN, "--port", "0"]);
    expect(code).toBe(1);
    expect(log).toMatch(/server public key is not usable/);
  });
});

describe("a run", () => {
  it("enrolls with the token from a token file and writes the forced command", async () => {
    const { dir, hostPub, host, file } = await fixture();
    const tokenFile = join(dir, "token");
    await writeFile(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    const key = await makeClientKey();
    const { code, log } = await runCli(
      ["keyserver", "--server-pub-key", hostPub, "--authorized-keys", file, "--token-file", tokenFile, "--port", "0", "--forced-command", "mcp-server", "--rate-limit", "0"],
      async (url) => {
        expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(await (await fetch(`${url}/server_pub_key`)).json()).toEqual({ server_pub_key: host.publicKeyLine.split(" ").slice(0, 2).join(" ") });
        expect((await register(url, key)).status).toBe(401);
        expect((await register(url, key, TOKEN)).status).toBe(200);
      },
    );
    expect(code).toBe(0);
    expect(await readFile(file, "utf8")).toBe(`restrict,command="mcp-server" ${key.publicKeyLine}\n`);
    expect(log).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(log).toMatch(new RegExp(`enrolled`));
    expect(log).toMatch(/stopping/);
    // The token never reaches the log.
    expect(log).not.toContain(TOKEN);
  });

  it("warns about open registration and about a token on the command line", async () => {
    const { hostPub, file } = await fixture();
    const key = await makeClientKey();
    const open = await runCli(["--server-pub-key", hostPub, "--authorized-keys", file, "--open-registration", "--port", "0"], async (url) => {
      expect((await register(url, key)).status).toBe(200);
    });
    expect(open.code).toBe(0);
    expect(open.log).toMatch(/warn: open registration: anyone who can reach this server can enroll a key/);
    const { stdout } = await run("ssh-keygen", ["-l", "-E", "sha256", "-f", file]);
    expect(stdout.split(" ")[1]).toBe(key.fingerprint);
    const withToken = await runCli(["--server-pub-key", hostPub, "--authorized-keys", file, "--token", TOKEN, "--port", "0"]);
    expect(withToken.log).toMatch(/warn: --token is visible to other users/);
    expect(withToken.log).not.toContain(TOKEN);
  });
});

describe("as a process", () => {
  it("stops cleanly on SIGTERM and on SIGINT", async () => {
    const { dir, hostPub, file } = await fixture();
    const entry = join(dir, "entry.ts");
    const cli = fileURLToPath(new URL("../src/keyserver/cli.ts", import.meta.url));
    await writeFile(entry, `import { runKeyServerCli } from ${JSON.stringify(cli)};\nprocess.exitCode = await runKeyServerCli(process.argv.slice(2));\n`);
    const bundle = join(dir, "keyserver.mjs");
    await build({ entryPoints: [entry], bundle: true, platform: "node", format: "esm", target: "node20", outfile: bundle, logLevel: "silent" });
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      const child = spawn(process.execPath, [bundle, "--server-pub-key", hostPub, "--authorized-keys", file, "--token", TOKEN, "--port", "0"], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      cleanups.push(async () => void child.kill("SIGKILL"));
      let stderr = "";
      let stdout = "";
      child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
      const url = await new Promise<string>((resolve, reject) => {
        child.stderr.on("data", (c: Buffer) => {
          stderr += c.toString();
          const m = /listening on (http:\/\/\S+),/.exec(stderr);
          if (m) resolve(m[1]!);
        });
        child.once("exit", (code) => reject(new Error(`key server exited (${code}) before listening:\n${stderr}`)));
      });
      expect((await fetch(`${url}/health`)).status).toBe(200);
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill(signal);
      expect(await exited).toBe(0);
      expect(stderr).toMatch(new RegExp(`stopping \\(${signal}\\)`));
      expect(stdout).toBe("");
      await expect(fetch(`${url}/health`)).rejects.toThrow();
    }
  });
});
