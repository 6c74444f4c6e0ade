// Issue 16: password (RFC 4252 §8) and keyboard-interactive (RFC 4256) logins against sshd 9.2 and
// 10.0, as a throwaway system user with a password (test/helpers/system-user.ts; needs root, and
// is removed afterwards). One sshd per version takes passwords only (UsePAM no: sshd checks
// /etc/shadow itself), one takes keyboard-interactive only, through PAM (UsePAM yes, whose
// "Password: " prompt is the one hidden prompt). A third takes both, plus publickey, to show the
// order methods are tried in (OpenSSH's PreferredAuthentications default: publickey,
// keyboard-interactive, password), read from the userauth-request lines sshd logs at DEBUG1.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthenticationError, SSHClient } from "../src/entries/ssh.js";
import { connectError, loginOptions } from "./helpers/connect.js";
import { makeClientKey, startSshd, waitForLog, type ClientKey, type TestServer } from "./helpers/servers.js";
import { createSystemUser, type SystemUser } from "./helpers/system-user.js";

const VERSIONS = ["9.2", "10.0"] as const;

let user: SystemUser;
const passwordServers = new Map<string, TestServer>();
const kbdServers = new Map<string, TestServer>();
const bothServers = new Map<string, TestServer>();
/** An ed25519 key that no server has in authorized_keys: its publickey attempt is refused. */
let stranger: ClientKey;

beforeAll(async () => {
  user = createSystemUser();
  stranger = await makeClientKey({ comment: "not-authorized" });
  for (const version of VERSIONS) {
    passwordServers.set(
      version,
      await startSshd({ openssh: version, config: ["PasswordAuthentication yes", "KbdInteractiveAuthentication no", "UsePAM no"] }),
    );
    kbdServers.set(
      version,
      await startSshd({ openssh: version, config: ["PasswordAuthentication no", "KbdInteractiveAuthentication yes", "UsePAM yes"] }),
    );
    bothServers.set(
      version,
      await startSshd({ openssh: version, config: ["PasswordAuthentication yes", "KbdInteractiveAuthentication yes", "UsePAM yes"] }),
    );
  }
}, 120_000);

afterAll(async () => {
  await Promise.all([...passwordServers.values(), ...kbdServers.values(), ...bothServers.values()].map((s) => s.stop()));
  user?.remove();
});

function as(server: TestServer, extra: Parameters<typeof loginOptions>[2]) {
  return loginOptions(server, null, { username: user.name, ...extra });
}

async function whoami(client: SSHClient): Promise<string> {
  const ch = await client.exec("id -un");
  const out = await new Response(ch.stdout).text();
  expect((await ch.exit).code).toBe(0);
  return out.trim();
}

/**
 * The methods sshd saw requested for `name` after log offset `from`, in order ("none" included):
 * the "userauth-request for user U service ssh-connection method M" line auth2.c logs at DEBUG1.
 */
function methodsRequested(server: TestServer, name: string, from: number): string[] {
  const re = new RegExp(`userauth-request for user ${name} service ssh-connection method (\\S+)`, "g");
  return [...server.log().slice(from).matchAll(re)].map((m) => m[1]!);
}

describe.each(VERSIONS)("OpenSSH %s", (version) => {
  it("PasswordAuthentication: the `password` option logs in (sshd: Accepted password)", async () => {
    const s = passwordServers.get(version)!;
    const client = await SSHClient.connect(as(s, { password: user.password }));
    expect(await whoami(client)).toBe(user.name);
    await client.close();
    await waitForLog(s, new RegExp(`Accepted password for ${user.name} from 127\\.0\\.0\\.1`));
  });

  it("PasswordAuthentication: a wrong password is an AuthenticationError listing the methods the server allows", async () => {
    const s = passwordServers.get(version)!;
    const error = await connectError(as(s, { password: "not-the-password" }));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect([...(error as AuthenticationError).allowedMethods].sort()).toEqual(["password", "publickey"]);
    expect((error as Error).message).toMatch(/password/);
    await waitForLog(s, new RegExp(`Failed password for ${user.name} from 127\\.0\\.0\\.1`));
  });

  it("keyboard-interactive through PAM: the callback gets the hidden prompt and answers it", async () => {
    const s = kbdServers.get(version)!;
    const seen: { prompt: string; echo: boolean }[][] = [];
    const client = await SSHClient.connect(
      as(s, {
        keyboardInteractive: (prompts) => {
          seen.push(prompts);
          return prompts.map(() => user.password);
        },
      }),
    );
    expect(await whoami(client)).toBe(user.name);
    await client.close();
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(seen[0]).toHaveLength(1);
    expect(seen[0]![0]!.prompt).toMatch(/^Password: ?$/);
    expect(seen[0]![0]!.echo).toBe(false);
    await waitForLog(s, new RegExp(`Accepted keyboard-interactive/pam for ${user.name} from 127\\.0\\.0\\.1`));
  });

  it("keyboard-interactive only, `password` given: the one hidden prompt gets the password", async () => {
    const s = kbdServers.get(version)!;
    const before = s.log().match(/Accepted keyboard-interactive\/pam/g)?.length ?? 0;
    const client = await SSHClient.connect(as(s, { password: user.password }));
    expect(await whoami(client)).toBe(user.name);
    await client.close();
    for (let i = 0; i < 200 && (s.log().match(/Accepted keyboard-interactive\/pam/g)?.length ?? 0) <= before; i++) await new Promise((r) => setTimeout(r, 25));
    expect(s.log().match(/Accepted keyboard-interactive\/pam/g)?.length).toBe(before + 1);
  });

  it("keyboard-interactive: a wrong password is an AuthenticationError listing the methods the server allows", async () => {
    const s = kbdServers.get(version)!;
    const error = await connectError(as(s, { password: "not-the-password" }));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).allowedMethods).toContain("keyboard-interactive");
    expect((error as AuthenticationError).allowedMethods).not.toContain("password");
    await waitForLog(s, new RegExp(`Failed keyboard-interactive/pam for ${user.name}`));
  });

  it("all three methods offered: publickey is tried first, then keyboard-interactive, which the password answers; password is never sent", async () => {
    const s = bothServers.get(version)!;
    const from = s.log().length;
    const client = await SSHClient.connect(as(s, { privateKey: stranger.privateKey, password: user.password }));
    expect(await whoami(client)).toBe(user.name);
    await client.close();
    await waitForLog(s, new RegExp(`Accepted keyboard-interactive/pam for ${user.name} from 127\\.0\\.0\\.1`));
    expect(methodsRequested(s, user.name, from)).toEqual(["none", "publickey", "keyboard-interactive"]);
    expect(s.log().slice(from)).toMatch(new RegExp(`Failed publickey for ${user.name} from 127\\.0\\.0\\.1 port \\d+ ssh2: ED25519 ${stranger.fingerprint.replace(/[+/]/g, "\\$&")}`));
    expect(s.log().slice(from)).not.toMatch(/Accepted password|Failed password/);
  });

  it("all three offered, keyboard-interactive answered wrongly by its callback: publickey, then keyboard-interactive (failed), then password (accepted)", async () => {
    const s = bothServers.get(version)!;
    const from = s.log().length;
    let asked = 0;
    const client = await SSHClient.connect(
      as(s, {
        privateKey: stranger.privateKey,
        password: user.password,
        keyboardInteractive: (prompts) => {
          asked++;
          return prompts.map(() => "not-the-password");
        },
      }),
    );
    expect(await whoami(client)).toBe(user.name);
    await client.close();
    await waitForLog(s, new RegExp(`Accepted password for ${user.name} from 127\\.0\\.0\\.1`));
    expect(asked).toBeGreaterThanOrEqual(1);
    expect(methodsRequested(s, user.name, from)).toEqual(["none", "publickey", "keyboard-interactive", "password"]);
    expect(s.log().slice(from)).toMatch(new RegExp(`Failed keyboard-interactive/pam for ${user.name} from 127\\.0\\.0\\.1`));
  });
});
