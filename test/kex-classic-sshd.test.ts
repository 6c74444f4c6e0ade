// Each classic kex method against REAL sshd: OpenSSH 9.2 (Debian's) and OpenSSH 10.0 (bookworm-
// backports, scripts/fetch-openssh10.sh), each restricted by KexAlgorithms to the one method. We
// connect, run `echo ok`, and find sshd's own DEBUG1 line `kex: algorithm: <method>`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SSHClient } from "../src/entries/ssh.js";
import { makeClientKey, startSshd, waitForLog, type ClientKey, type TestServer } from "./helpers/servers.js";
import { startSshd10 } from "./helpers/openssh10.js";
import { connectTo } from "./helpers/connect.js";
import { CLASSIC_KEX as METHODS } from "./kex-classic-support.js";

/** Offered by default (no `algorithms` option): the rest must be named. */
const BY_DEFAULT = new Set(METHODS.slice(0, 7));

async function run(client: SSHClient, command: string): Promise<string> {
  const ch = await client.exec(command);
  const out = await new Response(ch.stdout).text();
  await ch.exit;
  return out;
}

for (const version of ["9.2", "10.0"] as const) {
  describe(`classic kex against OpenSSH ${version} sshd`, () => {
    let key: ClientKey;
    beforeAll(async () => {
      key = await makeClientKey();
    });

    for (const name of METHODS) {
      describe(name, () => {
        let server: TestServer;
        beforeAll(async () => {
          const opts = { authorizedKeys: [key.publicKeyLine], config: [`KexAlgorithms ${name}`] };
          server = version === "9.2" ? await startSshd(opts) : await startSshd10(opts);
        }, 60_000);
        afterAll(() => server?.stop());

        it(`connects, runs a command, and sshd logs kex: algorithm: ${name}`, async () => {
          // Default-offered methods are reached with no algorithms option at all; the others when named.
          const client = await connectTo(server, key, BY_DEFAULT.has(name) ? {} : { algorithms: { kex: [name] } });
          expect(client.algorithms.kex).toBe(name);
          expect(await run(client, "echo ok")).toBe("ok\n");
          await client.close();
          const line = await waitForLog(server, new RegExp(`kex: algorithm: ${name.replace(/[.-]/g, "\\$&")}(?=\\s|$)`));
          expect(line).toMatch(/debug1: kex: algorithm: /);
          expect(server.log()).toMatch(/Accepted publickey for \S+ from 127\.0\.0\.1/);
        }, 60_000);

        if (!BY_DEFAULT.has(name)) {
          it("is not reached with our defaults (not offered unless named)", async () => {
            const err = await connectTo(server, key).then(
              async (c) => (await c.close(), null),
              (e: unknown) => e,
            );
            expect(err).toBeInstanceOf(Error);
            expect((err as Error).name).toBe("NegotiationError");
          }, 60_000);
        }
      });
    }
  });
}
