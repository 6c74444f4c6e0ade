// `mcp-ssh keygen --type ed25519|ecdsa|rsa [--bits N]` through runKeygenCli: files with mode 0600,
// read back by ssh-keygen -y / -lf; bad sizes are usage errors.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runKeygenCli } from "../src/cli/keygen.js";
import { mustRun, tempDir, typeAndBase64 } from "./keys-support.js";

async function run(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runKeygenCli(args, { out: (l) => out.push(l), err: (l) => err.push(l), env: {} });
  return { code, out, err };
}

describe("mcp-ssh keygen --type/--bits", () => {
  for (const [args, type] of [
    [["--type", "ed25519"], "ssh-ed25519"],
    [["--type", "ecdsa"], "ecdsa-sha2-nistp256"],
    [["--type", "ecdsa", "--bits", "521"], "ecdsa-sha2-nistp521"],
    [["-t", "rsa", "-b", "2048"], "ssh-rsa"],
  ] as const) {
    it(args.join(" "), async () => {
      const file = join(tempDir(), "id");
      const r = await run([...args, "--file", file, "--comment", "cli@test"]);
      expect(r.err).toEqual([]);
      expect(r.code).toBe(0);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const pub = readFileSync(`${file}.pub`, "utf8");
      expect(pub.startsWith(`${type} `)).toBe(true);
      expect(typeAndBase64(await mustRun("ssh-keygen", ["-y", "-f", file]))).toBe(typeAndBase64(pub));
      const lf = await mustRun("ssh-keygen", ["-lf", `${file}.pub`]);
      expect(r.out.join("\n")).toContain(lf.split(" ")[1]!);
    });
  }

  it("refuses sizes that do not fit the type, with status 2", async () => {
    for (const args of [["--bits", "4096"], ["--type", "ecdsa", "--bits", "512"], ["--type", "rsa", "--bits", "1024"], ["--type", "dsa"]]) {
      const r = await run([...args, "--file", join(tempDir(), "x")]);
      expect(r.code).toBe(2);
      expect(r.err.join("\n")).toContain("usage: mcp-ssh keygen");
    }
  });
});
