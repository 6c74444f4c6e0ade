// Issue 19: how applySshConfig turns resolved ssh_config keywords into connect options (the
// connections themselves are in reach-config.test.ts).
import { describe, expect, it } from "vitest";
import "../src/platform/node.js";
import { applySshConfig } from "../src/ssh/client-config.js";
import { memorySshConfigReader } from "../src/ssh/config/reader.js";
import { silentLogger } from "../src/ssh/logger.js";
import type { ConnectOptions } from "../src/ssh/options.js";

const reader = memorySshConfigReader({ homeDir: "/home/u", localUser: "u" });
const apply = (text: string, extra: Partial<ConnectOptions> = {}) =>
  applySshConfig({ host: "box", sshConfigReader: reader, sshConfig: { text }, ...extra }, silentLogger);

describe("applySshConfig", () => {
  it("maps timeouts, keepalive, rekeying, agent, trust and algorithms", async () => {
    const { options: o, config } = await apply(
      [
        "Host box",
        "  HostName box.example.org",
        "  ConnectTimeout 7",
        "  ServerAliveInterval 15",
        "  ServerAliveCountMax 4",
        "  RekeyLimit 512M 1h",
        "  IdentityAgent /run/agent.sock",
        "  UserKnownHostsFile /k/first /k/second",
        "  StrictHostKeyChecking no",
        "  HashKnownHosts yes",
        "  KexAlgorithms -curve25519-sha256",
      ].join("\n"),
    );
    expect(o).toMatchObject({
      host: "box.example.org",
      port: 22,
      username: "u",
      timeouts: { connectMs: 7000 },
      keepaliveIntervalMs: 15_000,
      keepaliveCountMax: 4,
      rekeyBytes: 512 * 1024 * 1024,
      rekeyIntervalMs: 3_600_000,
      agent: "/run/agent.sock",
      knownHostsPath: "/k/first",
      hostKeyPolicy: "no",
      hashKnownHosts: true,
      algorithms: { kex: ["curve25519-sha256@libssh.org"] },
    });
    expect(o.sshConfig).toBeUndefined();
    expect(config.hostName).toBe("box.example.org");
  });

  it("explicit options win over every keyword", async () => {
    const { options: o } = await apply(
      [
        "Host box",
        "  User cfg",
        "  Port 2222",
        "  ConnectTimeout 7",
        "  ServerAliveInterval 15",
        "  IdentityAgent none",
        "  StrictHostKeyChecking no",
        "  UserKnownHostsFile /k/first",
        "  KexAlgorithms curve25519-sha256@libssh.org",
      ].join("\n"),
      {
        username: "explicit",
        port: 22,
        timeouts: { connectMs: 1000 },
        keepaliveIntervalMs: 0,
        agent: "/mine.sock",
        hostKeyPolicy: "yes",
        knownHostsPath: "/mine/known_hosts",
        algorithms: { kex: ["curve25519-sha256"] },
      },
    );
    expect(o).toMatchObject({
      username: "explicit",
      port: 22,
      timeouts: { connectMs: 1000 },
      keepaliveIntervalMs: 0,
      agent: "/mine.sock",
      hostKeyPolicy: "yes",
      knownHostsPath: "/mine/known_hosts",
      algorithms: { kex: ["curve25519-sha256"] },
    });
  });

  it("IdentityAgent none turns the agent off; ask and unset refuse unknown hosts; SetEnv is exposed", async () => {
    const a = await apply("Host box\n  IdentityAgent none\n  StrictHostKeyChecking ask\n  SetEnv A=1 B=\"two words\"\n");
    expect(a.options.agent).toBe(false);
    expect(a.options.hostKeyPolicy).toBe("yes");
    expect(a.env).toEqual({ A: "1", B: "two words" });
    const b = await apply("Host other\n  Port 1\n");
    expect(b.options.hostKeyPolicy).toBe("yes");
    expect(b.options.port).toBe(22);
    expect(b.options.knownHostsPath).toBe("/home/u/.ssh/known_hosts");
  });

  it("ProxyJump comes back as hops; `jump` or `stream` given by the caller replace it", async () => {
    const text = "Host box\n  ProxyJump a@one:2200,two\n";
    expect((await apply(text)).jump).toEqual([{ user: "a", host: "one", port: 2200 }, { host: "two" }]);
    expect((await apply(text, { jump: [] })).jump).toBeUndefined();
  });
});
