// `mcp-ssh keygen`: the files it writes are read back by OpenSSH's own ssh-keygen.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli, spawnCli } from "./cli-helpers.js";
import { fingerprintOf, requireProgram } from "./helpers/tools.js";

let removeCli: (() => void) | undefined;
let dir: string;
beforeAll(async () => {
  removeCli = await buildCli();
  dir = mkdtempSync(join(tmpdir(), "mcp-ssh-keygen-"));
});
afterAll(() => {
  removeCli?.();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function sshKeygen(args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(requireProgram("ssh-keygen"), args, (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(stdout))),
  );
}

describe("mcp-ssh keygen", () => {
  it("writes an ed25519 key pair that ssh-keygen reads, private mode 0600", async () => {
    const file = join(dir, "plain");
    const run = spawnCli(["keygen", "--file", file, "--comment", "test@keygen"]);
    expect((await run.exited(20_000)).code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const publicLine = readFileSync(`${file}.pub`, "utf8").trim();
    expect(publicLine).toMatch(/^ssh-ed25519 AAAA\S+ test@keygen$/);
    // ssh-keygen derives the same public key from our private key file, and agrees on the fingerprint.
    expect((await sshKeygen(["-y", "-f", file])).trim().split(" ").slice(0, 2)).toEqual(publicLine.split(" ").slice(0, 2));
    expect(run.stdout()).toContain(`The key fingerprint is: ${await fingerprintOf(`${file}.pub`)}`);
  });

  it("encrypts with --passphrase (from MCP_SSH_PASSPHRASE), which ssh-keygen then needs", async () => {
    const file = join(dir, "encrypted");
    const run = spawnCli(["keygen", "--file", file, "--passphrase"], { MCP_SSH_PASSPHRASE: "s3cret phrase" });
    expect((await run.exited(30_000)).code).toBe(0);
    await expect(sshKeygen(["-y", "-P", "", "-f", file])).rejects.toThrow();
    const derived = (await sshKeygen(["-y", "-P", "s3cret phrase", "-f", file])).trim();
    expect(derived.split(" ").slice(0, 2)).toEqual(readFileSync(`${file}.pub`, "utf8").trim().split(" ").slice(0, 2));
  });

  it("refuses to replace an existing key without --force", async () => {
    const file = join(dir, "kept");
    expect((await spawnCli(["keygen", "--file", file]).exited(20_000)).code).toBe(0);
    const before = readFileSync(file, "utf8");
    const again = spawnCli(["keygen", "--file", file]);
    expect((await again.exited(20_000)).code).toBe(1);
    expect(again.stderr()).toContain("already exists");
    expect(readFileSync(file, "utf8")).toBe(before);
    expect((await spawnCli(["keygen", "--file", file, "--force"]).exited(20_000)).code).toBe(0);
    expect(readFileSync(file, "utf8")).not.toBe(before);
  });

  it("reports a usage error with status 2", async () => {
    const run = spawnCli(["keygen", "--bits", "4096"]);
    expect((await run.exited(20_000)).code).toBe(2);
    expect(run.stderr()).toContain("usage: mcp-ssh keygen");
  });
});
