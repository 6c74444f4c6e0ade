// The harness itself, proved against the real programs only (no code from src/): the servers
// speak SSH on their port, the system ssh client logs in with a makeClientKey() key and the
// knownHostsLine under strict host key checking, and stop() leaves no process behind.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makeClientKey, startDropbear, startSshd, waitForLog, type TestServer } from "./helpers/servers.js";
import { requireProgram } from "./helpers/tools.js";
import { userAuthorizedKeysPath } from "./helpers/user-authorized-keys.js";

const scratch = mkdtempSync(join(tmpdir(), "mcp-ssh-harness-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function firstLine(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    let data = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no line from port ${port} within 5 s`));
    }, 5_000);
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      data += chunk;
      const end = data.indexOf("\n");
      if (end >= 0) {
        clearTimeout(timer);
        socket.destroy();
        resolve(data.slice(0, end).replace(/\r$/, ""));
      }
    });
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** `ssh ... echo ok` with nothing from the user's own configuration. */
function systemSsh(server: TestServer, keyPath: string, knownHosts: string) {
  const args = [
    "-F", "/dev/null",
    "-i", keyPath,
    "-o", "IdentitiesOnly=yes",
    "-o", "IdentityAgent=none",
    "-o", "BatchMode=yes",
    "-o", `UserKnownHostsFile=${knownHosts}`,
    "-o", "GlobalKnownHostsFile=/dev/null",
    "-o", "StrictHostKeyChecking=yes",
    "-o", "ConnectTimeout=10",
    "-p", String(server.port),
    `${server.username}@127.0.0.1`,
    "echo ok",
  ];
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(requireProgram("ssh"), args, { timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const cases = [
  {
    name: "OpenSSH sshd",
    start: startSshd,
    banner: /^SSH-2\.0-OpenSSH_9\.2/,
    login: (fp: string) => new RegExp(`Accepted publickey for .* ED25519 ${escape(fp)}`),
  },
  {
    name: "Dropbear",
    start: startDropbear,
    banner: /^SSH-2\.0-dropbear/,
    login: (fp: string) => new RegExp(`Pubkey auth succeeded for .* ssh-ed25519 key ${escape(fp)}`),
  },
] as const;

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

describe.each(cases)("$name", ({ start, banner, login }) => {
  it("speaks SSH, lets the system ssh client in with the key and known_hosts line, and stops cleanly", async () => {
    const key = await makeClientKey({ dir: scratch, comment: "harness-test" });
    const server = await start({ authorizedKeys: [key.publicKeyLine] });
    try {
      expect(server.host).toBe("127.0.0.1");
      expect(server.hostKeyLine).toMatch(/^ssh-ed25519 [A-Za-z0-9+/]+=*$/);
      expect(server.knownHostsLine).toBe(`[127.0.0.1]:${server.port} ${server.hostKeyLine}`);
      expect(server.hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
      expect(await firstLine(server.port)).toMatch(banner);

      const knownHosts = join(scratch, `known_hosts_${server.port}`);
      writeFileSync(knownHosts, `${server.knownHostsLine}\n`);
      const result = await systemSsh(server, key.path, knownHosts);
      expect(result, result.stderr + "\n--- server log ---\n" + server.log()).toMatchObject({
        code: 0,
        stdout: "ok\n",
      });
      // The log shows what the server saw: this login, with the key's ssh-keygen fingerprint.
      expect(await waitForLog(server, login(key.fingerprint))).toContain(key.fingerprint);
    } finally {
      await server.stop();
    }
    expect(alive(server.pid)).toBe(false);
    expect(existsSync(server.dir)).toBe(false);
  });

  it("refuses the system ssh client when known_hosts holds another key (the line is what matters)", async () => {
    const key = await makeClientKey({ dir: scratch });
    const other = await makeClientKey({ dir: scratch });
    const server = await start({ authorizedKeys: [key.publicKeyLine] });
    try {
      const knownHosts = join(scratch, `wrong_known_hosts_${server.port}`);
      const [otherType, otherBlob] = other.publicKeyLine.split(" ");
      writeFileSync(knownHosts, `[127.0.0.1]:${server.port} ${otherType} ${otherBlob}\n`);
      const result = await systemSsh(server, key.path, knownHosts);
      expect(result.code).toBe(255);
      expect(result.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
    } finally {
      await server.stop();
    }
  });

  it("refuses a client key that is not in authorizedKeys", async () => {
    const allowed = await makeClientKey({ dir: scratch });
    const stranger = await makeClientKey({ dir: scratch });
    const server = await start({ authorizedKeys: [allowed.publicKeyLine] });
    try {
      const knownHosts = join(scratch, `known_hosts_stranger_${server.port}`);
      writeFileSync(knownHosts, `${server.knownHostsLine}\n`);
      const result = await systemSsh(server, stranger.path, knownHosts);
      expect(result.code).toBe(255);
      expect(result.stderr).toMatch(/Permission denied \(publickey\)/);
    } finally {
      await server.stop();
    }
  });
});

describe("startSshd options", () => {
  it("puts config lines before the defaults so they win, and honours logLevel", async () => {
    const server = await startSshd({ config: ["LogLevel VERBOSE", "Ciphers aes256-ctr"], logLevel: "DEBUG3" });
    try {
      const config = readFileSync(join(server.dir, "sshd_config"), "utf8");
      expect(config.indexOf("Ciphers aes256-ctr")).toBeLessThan(config.indexOf("LogLevel DEBUG3"));
      // sshd itself reports the effective values.
      const effective = await new Promise<string>((resolve, reject) =>
        execFile(requireProgram("sshd"), ["-T", "-f", join(server.dir, "sshd_config")], (error, stdout, stderr) =>
          error ? reject(new Error(stderr)) : resolve(stdout),
        ),
      );
      expect(effective).toMatch(/^ciphers aes256-ctr$/m);
      expect(effective).toMatch(/^loglevel VERBOSE$/m);
    } finally {
      await server.stop();
    }
  });
});

describe("startSshd Match blocks", () => {
  it("keeps the caller's Match block after the defaults, so the defaults stay global", async () => {
    const key = await makeClientKey({ dir: scratch });
    const server = await startSshd({
      authorizedKeys: [key.publicKeyLine],
      config: ["AcceptEnv MCP_SSH_TEST", "Match User nobody-like-this", "  X11Forwarding yes"],
    });
    try {
      const config = readFileSync(join(server.dir, "sshd_config"), "utf8");
      expect(config.indexOf("UsePAM no")).toBeLessThan(config.indexOf("Match User"));
      const knownHosts = join(scratch, `known_hosts_match_${server.port}`);
      writeFileSync(knownHosts, `${server.knownHostsLine}\n`);
      expect((await systemSsh(server, key.path, knownHosts)).stdout).toBe("ok\n");
    } finally {
      await server.stop();
    }
  });
});

describe("makeClientKey", () => {
  it("makes a 0600 ed25519 key whose passphrase protects it, with ssh-keygen's fingerprint", async () => {
    const key = await makeClientKey({ dir: scratch, passphrase: "correct horse", rounds: 4, comment: "kc" });
    expect(statSync(key.path).mode & 0o777).toBe(0o600);
    expect(key.privateKey).toContain("-----BEGIN OPENSSH PRIVATE KEY-----");
    expect(key.publicKeyLine).toMatch(/^ssh-ed25519 [A-Za-z0-9+/]+=* kc$/);
    expect(key.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    // ssh-keygen -y needs the passphrase: a wrong one fails, the right one gives the public line.
    const derive = (pass: string) =>
      new Promise<string>((resolve, reject) =>
        execFile(requireProgram("ssh-keygen"), ["-y", "-P", pass, "-f", key.path], (error, stdout) =>
          error ? reject(error) : resolve(stdout.trim()),
        ),
      );
    await expect(derive("wrong")).rejects.toThrow();
    expect((await derive("correct horse")).split(" ").slice(0, 2)).toEqual(key.publicKeyLine.split(" ").slice(0, 2));
  });
});

describe("Dropbear's authorized_keys", () => {
  it("removes exactly the lines it added to the user's file on stop", async () => {
    const path = userAuthorizedKeysPath();
    const before = existsSync(path) ? readFileSync(path, "utf8") : "";
    const key = await makeClientKey({ dir: scratch });
    const server = await startDropbear({ authorizedKeys: [key.publicKeyLine] });
    const [, blob] = key.publicKeyLine.split(" ");
    expect(readFileSync(path, "utf8")).toContain(blob);
    await server.stop();
    const after = existsSync(path) ? readFileSync(path, "utf8") : "";
    expect(after).not.toContain(blob);
    // Other tests may run Dropbear in parallel; the user's own lines must be untouched.
    const own = (text: string) => text.split("\n").filter((l) => l.trim() !== "" && !/ mcp-ssh-test:\d+:/.test(l));
    expect(own(after)).toEqual(own(before));
  });
});
