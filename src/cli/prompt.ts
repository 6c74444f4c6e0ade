// Ask for a secret on the terminal without echoing it (like ssh-keygen's passphrase prompt).
import { openSync, closeSync } from "node:fs";
import { ReadStream } from "node:tty";

/** Read one line from the controlling terminal with echo off; rejects when there is no terminal. */
export async function readSecret(prompt: string): Promise<string> {
  let fd: number;
  try {
    fd = openSync("/dev/tty", "r+");
  } catch {
    throw new Error("there is no terminal to ask for a passphrase on; set MCP_SSH_PASSPHRASE instead");
  }
  const input = new ReadStream(fd);
  const write = (text: string) => process.stderr.write(text);
  write(prompt);
  input.setRawMode(true);
  try {
    return await new Promise<string>((resolve, reject) => {
      let text = "";
      input.on("data", (data: Buffer) => {
        for (const ch of data.toString("utf8")) {
          if (ch === "\r" || ch === "\n") return resolve(text);
          if (ch === "\u0003") return reject(new Error("interrupted"));
          if (ch === "\u007f" || ch === "\b") text = text.slice(0, -1);
          else if (ch >= " ") text += ch;
        }
      });
      input.on("error", reject);
    });
  } finally {
    input.setRawMode(false);
    write("\n");
    input.destroy();
    try {
      closeSync(fd);
    } catch {
      // Already closed by the stream.
    }
  }
}
