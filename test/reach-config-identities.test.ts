// Issue 19, the identities and the connection ssh_config gives, as ssh(1) uses them:
// - `--client-key K` is offered before the config's IdentityFile (`ssh -G -i K` lists K first),
// - CertificateFile, and `<IdentityFile>-cert.pub`, log in to an sshd that trusts only a user CA,
// - ProxyCommand carries the connection in the library on Node, and is stopped when the login fails;
//   a runtime without processes refuses it with advice.
// Real sshd instances; keys and certificates made by ssh-keygen; the offer order read from sshd's log.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SSHClient } from "../src/entries/ssh.js";
import { AuthenticationError, ConfigurationError } from "../src/ssh/errors.js";
import { platform } from "../src/ssh/platform.js";
import { buildCli, spawnCli, waitForStdoutLine } from "./cli-helpers.js";
import { makeClientKey, startSshd, waitForLog, type ClientKey, type TestServer } from "./helpers/servers.js";
import { writeProxyPipe } from "./helpers/reach.js";
import { processGone, toolsServerCommand } from "../fixtures/mcp/fixture-client.js";

const INITIALIZE =
  '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}';

let home: string;
let ssh: string;
let keyA: ClientKey;
let keyB: ClientKey;
let both: TestServer;
let onlyB: TestServer;
let caOnly: TestServer;
let removeCli: (() => void) | undefined;

beforeAll(async () => {
  const built = buildCli();
  home = mkdtempSync(join(tmpdir(), "mcp-ssh-config-ids-"));
  ssh = join(home, ".ssh");
  mkdirSync(ssh, { mode: 0o700 });
  keyA = await makeClientKey({ dir: ssh, comment: "key-a" });
  keyB = await makeClientKey({ dir: ssh, comment: "key-b" });
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "user-ca", "-f", join(home, "user_ca")]);
  const command = `ForceCommand ${toolsServerCommand(["--name", "config-ids"])}`;
  [both, onlyB, caOnly] = await Promise.all([
    startSshd({ authorizedKeys: [keyA.publicKeyLine, keyB.publicKeyLine], config: [command] }),
    startSshd({ authorizedKeys: [keyB.publicKeyLine], config: [command] }),
    startSshd({ authorizedKeys: [], config: [`TrustedUserCAKeys ${join(home, "user_ca.pub")}`] }),
  ]);
  writeFileSync(join(ssh, "known_hosts"), [both, onlyB, caOnly].map((s) => `${s.knownHostsLine}\n`).join(""));
  removeCli = await built;
}, 120_000);

afterAll(async () => {
  await Promise.all([both?.stop(), onlyB?.stop(), caOnly?.stop()]);
  if (home) rmSync(home, { recursive: true, force: true });
  removeCli?.();
});

const hostBlock = (alias: string, server: TestServer, lines: string[]) =>
  [`Host ${alias}`, "  HostName 127.0.0.1", `  Port ${server.port}`, `  User ${server.username}`, ...lines.map((l) => `  ${l}`), ""].join("\n");

/** The fingerprints sshd was offered (each once, in order), from its DEBUG log since `from`. */
function offered(server: TestServer, from: number): string[] {
  const seen: string[] = [];
  for (const m of server.log().slice(from).matchAll(/userauth_pubkey: .*?(SHA256:[A-Za-z0-9+/]+)/g)) if (!seen.includes(m[1]!)) seen.push(m[1]!);
  return seen;
}

/** Run the CLI's positional form until the MCP server answers initialize; then stop it. */
async function cliLogsIn(args: string[]): Promise<void> {
  const run = spawnCli(args, { HOME: home, PATH: process.env.PATH ?? "" });
  try {
    const answer = waitForStdoutLine(run, (l) => l.includes('"id":1'), 60_000);
    run.child.stdin.write(`${INITIALIZE}\n`);
    expect(JSON.parse(await answer).result.serverInfo.name).toBe("config-ids");
  } finally {
    // End of input ends the session, as when the MCP host closes the pipe.
    run.child.stdin.end();
    await run.exited(30_000);
  }
}

describe("--client-key and IdentityFile", () => {
  beforeAll(() => {
    writeFileSync(join(ssh, "config"), hostBlock("both", both, [`IdentityFile ${keyB.path}`]) + hostBlock("only-b", onlyB, [`IdentityFile ${keyB.path}`]));
  });

  it("ssh itself lists -i before the config's IdentityFile (ssh -G)", () => {
    const out = execFileSync("ssh", ["-G", "-F", join(ssh, "config"), "-i", keyA.path, "both"], { encoding: "utf8" });
    const files = out.split("\n").filter((l) => l.startsWith("identityfile ")).map((l) => l.slice(13));
    expect(files).toEqual([keyA.path, keyB.path]);
  });

  it("--client-key is offered first and logs in; the IdentityFile key is not needed", async () => {
    const from = both.log().length;
    await cliLogsIn(["--client-key", keyA.path, "both"]);
    await waitForLog({ log: () => both.log().slice(from) }, new RegExp(`Accepted publickey for \\S+ .* ${escape(keyA.fingerprint)}`));
    expect(offered(both, from)[0]).toBe(keyA.fingerprint);
  });

  it("a refused --client-key is followed by the IdentityFile key, in that order", async () => {
    const from = onlyB.log().length;
    await cliLogsIn(["--client-key", keyA.path, "only-b"]);
    await waitForLog({ log: () => onlyB.log().slice(from) }, new RegExp(`Accepted publickey for \\S+ .* ${escape(keyB.fingerprint)}`));
    expect(offered(onlyB, from)).toEqual([keyA.fingerprint, keyB.fingerprint]);
  });
});

describe("certificates from ssh_config (sshd trusts only the user CA; no authorized_keys)", () => {
  let certified: ClientKey;
  let beside: ClientKey;
  let moved: string;

  beforeAll(async () => {
    const sign = (key: ClientKey, id: string) =>
      execFileSync("ssh-keygen", ["-q", "-s", join(home, "user_ca"), "-I", id, "-n", caOnly.username, "-V", "-5m:+1h", `${key.path}.pub`]);
    certified = await makeClientKey({ dir: ssh, comment: "certificate-file" });
    sign(certified, "by-certificate-file");
    // Away from `<key>-cert.pub`, so only CertificateFile can find it.
    mkdirSync(join(ssh, "certs"));
    moved = join(ssh, "certs", "mine.cert");
    renameSync(`${certified.path}-cert.pub`, moved);
    beside = await makeClientKey({ dir: ssh, comment: "cert-beside" });
    sign(beside, "beside-the-key");
  });

  const connect = (lines: string[]) =>
    SSHClient.connect({
      host: "ca",
      sshConfig: { text: hostBlock("ca", caOnly, [...lines, `UserKnownHostsFile ${join(ssh, "known_hosts")}`, "IdentitiesOnly yes", "IdentityAgent none"]) },
    });

  async function execOk(client: SSHClient): Promise<void> {
    try {
      const ch = await client.exec("echo cert-ok");
      expect(await new Response(ch.stdout).text()).toBe("cert-ok\n");
    } finally {
      await client.close();
    }
  }

  it("CertificateFile names the certificate of an IdentityFile key", async () => {
    await execOk(await connect([`IdentityFile ${certified.path}`, `CertificateFile ${moved}`]));
    await waitForLog(caOnly, /Accepted publickey for \S+ .* ED25519-CERT .*ID by-certificate-file /);
  });

  it("<IdentityFile>-cert.pub beside the key is found as ssh finds it", async () => {
    await execOk(await connect([`IdentityFile ${beside.path}`]));
    await waitForLog(caOnly, /Accepted publickey for \S+ .* ED25519-CERT .*ID beside-the-key /);
  });

  it("without the certificate the same key is refused (the CA is the only way in)", async () => {
    const error = await connect([`IdentityFile ${certified.path}`]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
  });

  it("ssh itself logs in with the same CertificateFile config", () => {
    const config = join(home, "ssh_ca_config");
    writeFileSync(config, hostBlock("ca", caOnly, [`IdentityFile ${certified.path}`, `CertificateFile ${moved}`, `UserKnownHostsFile ${join(ssh, "known_hosts")}`, "IdentitiesOnly yes", "BatchMode yes"]));
    expect(execFileSync("ssh", ["-F", config, "ca", "echo ssh-cert-ok"], { encoding: "utf8", timeout: 30_000 })).toContain("ssh-cert-ok");
  });
});

describe("ProxyCommand in the library", () => {
  const marker = () => join(home, "proxy-marker");
  const config = (port: number) =>
    hostBlock("proxied", both, [
      `IdentityFile ${keyB.path}`,
      `UserKnownHostsFile ${join(ssh, "known_hosts")}`,
      `ProxyCommand ${process.execPath} ${writeProxyPipe(home)} %h ${port} ${marker()}`,
    ]);

  it("carries the connection on Node (the command ran, with %h expanded)", async () => {
    rmSync(marker(), { force: true });
    const from = both.log().length;
    const client = await SSHClient.connect({ host: "proxied", sshConfig: { text: config(both.port) } });
    await client.close();
    await waitForLog({ log: () => both.log().slice(from) }, new RegExp(`Accepted publickey for \\S+ .* ${escape(keyB.fingerprint)}`));
    expect(readFileSync(marker(), "utf8")).toMatch(new RegExp(`^\\d+ 127\\.0\\.0\\.1:${both.port}\\n$`));
  });

  it("a login that fails stops the command", async () => {
    rmSync(marker(), { force: true });
    const text = config(both.port).replace(`User ${both.username}`, "User nobody-at-all");
    const error = await SSHClient.connect({ host: "proxied", sshConfig: { text } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const pid = Number(readFileSync(marker(), "utf8").split(" ")[0]);
    expect(await processGone(pid, 10_000), `ProxyCommand (pid ${pid}) still running`).toBe(true);
  });

  it("a command that cannot run: the error says ProxyCommand and how it ended", async () => {
    const text = config(both.port).replace(/ProxyCommand .*/, "ProxyCommand /nonexistent/proxy-command %h %p");
    const error = await SSHClient.connect({ host: "proxied", sshConfig: { text } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/ProxyCommand .*(exited with status 127|not found)/);
  });

  it("a runtime without processes refuses it with advice", async () => {
    const run = platform.proxyCommand;
    delete platform.proxyCommand;
    try {
      const error = await SSHClient.connect({ host: "proxied", sshConfig: { text: config(both.port) } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as Error).message).toMatch(/ProxyCommand .*cannot run.*ProxyJump/);
    } finally {
      platform.proxyCommand = run;
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
