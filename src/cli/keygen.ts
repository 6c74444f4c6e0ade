// `mcp-ssh keygen`: an ed25519 key pair in OpenSSH's formats, like `ssh-keygen -t ed25519`.
import { parseArgs } from "node:util";
import { KeyFileExistsError, writeKeyPair } from "../ssh/keys/node/key-files.js";
import { DEFAULT_CLIENT_KEY } from "./args.js";
import { defaultKeyComment } from "./client-keys.js";
import { expandHome } from "../ssh/keys/node/home.js";
import { readSecret } from "./prompt.js";

export const KEYGEN_USAGE = `usage: mcp-ssh keygen [--file PATH] [--comment C] [--passphrase]

Create an ed25519 key pair: PATH (private, mode 0600) and PATH.pub.
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
