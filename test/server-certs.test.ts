// Issue 18: user certificates (PROTOCOL.certkeys) log in to `serve` as they do to sshd: through a
// `cert-authority` line of authorized_keys (principals = the login name, or the line's
// principals="...") or a TrustedUserCAKeys file; expired, not-yet-valid, wrong-principal and
// unknown-CA certificates are refused, each with the reason in the server's log; the
// certificate's force-command is enforced. Certificates are made by ssh-keygen -s; OpenSSH's own
// `ssh` is one of the clients.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SSHClient } from "../src/entries/ssh.js";
import { AuthenticationError } from "../src/ssh/errors.js";
import { startServe, type ServeHarness } from "./helpers/serve.js";
import { runProgram } from "./helpers/tools.js";

let work: string;
const keygen = (args: string[]) => execFileSync("ssh-keygen", args, { stdio: "pipe" });

function makeKey(name: string): string {
  const path = join(work, name);
  keygen(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path]);
  return path;
}

/** Sign `key`.pub with `ca` as a user certificate; returns the certificate line. */
function certify(ca: string, key: string, principals: string, validity = "-5m:+1h", id = `id-${principals}`): string {
  keygen(["-q", "-s", ca, "-I", id, "-n", principals, "-V", validity, `${key}.pub`]);
  return readFileSync(`${key}-cert.pub`, "utf8").trim();
}

const pub = (path: string) => readFileSync(`${path}.pub`, "utf8").trim().split(" ").slice(0, 2).join(" ");

let ca: string;
let otherCa: string;
let viaLine: ServeHarness;
let viaTrusted: ServeHarness;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "mcp-ssh-serve-certs-"));
  ca = makeKey("ca");
  otherCa = makeKey("other_ca");
  const trusted = join(work, "trusted_user_ca_keys");
  writeFileSync(trusted, `${pub(ca)}\n`);
  [viaLine, viaTrusted] = await Promise.all([
    startServe({ authorizedKeys: [`cert-authority ${pub(ca)}`] }),
    startServe({ authorizedKeys: [], trustedUserCaKeysFiles: [trusted] }),
  ]);
});
afterAll(async () => {
  await Promise.all([viaLine?.stop(), viaTrusted?.stop()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

async function login(serve: ServeHarness, key: string, certificate: string): Promise<SSHClient> {
  return SSHClient.connect({
    host: serve.host,
    port: serve.port,
    username: "mcp",
    privateKey: readFileSync(key, "utf8"),
    certificate,
    knownHosts: serve.knownHostsLine,
  });
}

describe.each([
  ["a cert-authority line", () => viaLine],
  ["--trusted-user-ca-keys", () => viaTrusted],
] as const)("serve admits user certificates through %s", (_label, serve) => {
  it("a valid certificate for the login name logs in (the plain key alone does not)", async () => {
    const key = makeKey(`user-${Math.random().toString(36).slice(2)}`);
    const cert = certify(ca, key, "mcp");
    const client = await login(serve(), key, cert);
    expect(client.closed).toBe(false);
    await client.close();
    expect(serve().log()).toMatch(/certificate "id-mcp"/);
    const plain = await SSHClient.connect({ host: serve().host, port: serve().port, username: "mcp", privateKey: readFileSync(key, "utf8"), knownHosts: serve().knownHostsLine }).catch((e: unknown) => e);
    expect(plain).toBeInstanceOf(AuthenticationError);
  });

  it.each([
    ["expired", "20200101:20200102", "mcp", /expired at 2020-01-02/],
    ["not yet valid", "+1d:+2d", "mcp", /not valid before/],
    ["for another principal", "-5m:+1h", "someone-else", /principal "mcp" not in \[someone-else\]/],
  ])("a certificate %s is refused and the log says why", async (_what, validity, principals, why) => {
    const key = makeKey(`user-${Math.random().toString(36).slice(2)}`);
    const cert = certify(ca, key, principals, validity);
    const err = await login(serve(), key, cert).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(serve().log()).toMatch(why);
  });

  it("a certificate from an unknown CA is refused", async () => {
    const key = makeKey(`user-${Math.random().toString(36).slice(2)}`);
    const cert = certify(otherCa, key, "mcp");
    const err = await login(serve(), key, cert).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(serve().log()).toMatch(/is signed by no trusted CA/);
  });
});

describe("OpenSSH's ssh with a user certificate against serve", () => {
  it("logs in through a cert-authority line (ssh offers <key>-cert.pub by itself) and reaches the MCP server", async () => {
    const key = makeKey("ssh-user");
    certify(ca, key, "mcp", "-5m:+1h", "id-openssh-client");
    const known = join(work, "known_hosts_ssh");
    writeFileSync(known, `${viaLine.knownHostsLine}\n`);
    const init = '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"ssh","version":"1"}}}\n';
    // Asynchronously: serve runs in this process, so a synchronous spawn would stall it.
    const r = await runProgram(
      "ssh",
      ["-F", "none", "-T", "-p", String(viaLine.port), "-i", key, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", `UserKnownHostsFile=${known}`, "mcp@127.0.0.1", "-s", "mcp"],
      init,
      20_000,
    );
    expect(viaLine.log()).toMatch(/certificate "id-openssh-client"/);
    expect(r.stdout).toMatch(/"serverInfo":\{"name":"serve-default"/);
  });
});
