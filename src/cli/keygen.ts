// `mcp-ssh keygen`: a key pair in OpenSSH's formats, like `ssh-keygen -t ed25519|ecdsa|rsa [-b bits]`.
import { parseArgs } from "node:util";
import { KeyFileExistsError, writeKeyPair } from "../platform/node/key-files.js";
import { DEFAULT_CLIENT_KEY } from "./args.js";
import { defaultKeyComment } from "./client-keys.js";
import { expandHome } from "../platform/node/home.js";
import { readSecret } from "./prompt.js";

export const KEYGEN_USAGE = `usage: mcp-ssh keygen [--type ed25519|ecdsa|rsa] [--bits N] [--file PATH] [--comment C] [--passphrase]

Create a key pair: PATH (private, mode 0600) and PATH.pub.
  --type T        ed25519 (default), ecdsa or rsa
  --bits N        ecdsa: 256 (default), 384 or 521; rsa: 2048 to 16384 (default 3072)
  --file PATH     where to write it (default ${DEFAULT_CLIENT_KEY}, the proxy's default key)
  --comment C     comment in the public key (default user@host)
  --passphrase    encrypt the private key: the passphrase comes from MCP_SSH_PASSPHRASE,
                  or is asked for on the terminal
  --force         replace an existing key at PATH`;

export async function runKeygenCli(
  argv: string[],
  io: { out: (line: string) => void; err: (line: string) => void; env: Record<string, string | undefined> },
): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        type: { type: "string", short: "t" },
        bits: { type: "string", short: "b" },
        file: { type: "string", short: "f" },
        comment: { type: "string", short: "C" },
        passphrase: { type: "boolean" },
        force: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    io.err(`mcp-ssh keygen: ${(e as Error).message}\n\n${KEYGEN_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(KEYGEN_USAGE);
    return 0;
  }
  const type = values.type ?? "ed25519";
  if (type !== "ed25519" && type !== "ecdsa" && type !== "rsa") {
    io.err(`mcp-ssh keygen: --type must be ed25519, ecdsa or rsa, not "${type}"\n\n${KEYGEN_USAGE}`);
    return 2;
  }
  let bits: number | undefined;
  if (values.bits !== undefined) {
    bits = /^\d+$/.test(values.bits) ? Number(values.bits) : NaN;
    const valid =
      type === "ecdsa" ? [256, 384, 521].includes(bits) : type === "rsa" ? bits >= 2048 && bits <= 16384 && bits % 8 === 0 : false;
    if (!valid) {
      const allowed = type === "ecdsa" ? "256, 384 or 521" : type === "rsa" ? "a multiple of 8 from 2048 to 16384" : "not used: ed25519 keys have one size";
      io.err(`mcp-ssh keygen: --bits ${values.bits} for ${type}: ${allowed}\n\n${KEYGEN_USAGE}`);
      return 2;
    }
  }
  const path = expandHome(values.file ?? DEFAULT_CLIENT_KEY);
  try {
    let passphrase: string | undefined;
    if (values.passphrase) {
      passphrase = io.env.MCP_SSH_PASSPHRASE;
      if (passphrase === undefined) {
        passphrase = await readSecret("Enter passphrase: ");
        if ((await readSecret("Enter same passphrase again: ")) !== passphrase) {
          io.err("mcp-ssh keygen: the passphrases do not match; nothing was written");
          return 1;
        }
      }
      if (passphrase === "") {
        io.err("mcp-ssh keygen: --passphrase was given but the passphrase is empty; nothing was written");
        return 1;
      }
    }
    const written = await writeKeyPair(path, {
      type,
      bits,
      comment: values.comment ?? defaultKeyComment(),
      passphrase,
      overwrite: values.force ?? false,
    });
    io.out(`Your private key is in ${written.path}${passphrase ? " (encrypted)" : ""}`);
    io.out(`Your public key is in ${written.publicKeyPath}`);
    io.out(`The key fingerprint is: ${written.fingerprint}`);
    io.out(written.publicKeyLine);
    return 0;
  } catch (e) {
    const message = e instanceof KeyFileExistsError ? `${e.message} (or pass --force)` : (e as Error).message;
    io.err(`mcp-ssh keygen: ${message}`);
    return 1;
  }
}
