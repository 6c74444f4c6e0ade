// Run by Bun and by Deno: the TCP ByteStream adapter the platform picks for this runtime, against
// the Node echo server of test/runtime-tcp-adapters.test.ts. Checks, in order:
//   1. 8 MiB written while reading concurrently comes back (the server hashes what it got);
//   2. half-close: after our writable closes, the server's trailer still arrives, then the end;
//   3. close(): a second connection torn down by stream.close() (the server sees it close).
// Prints `RESULT {json}`.
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { detectRuntime, selectTcpConnector } from "../../src/platform/select-tcp.js";

declare const Deno: { args: string[]; exit(code: number): never } | undefined;
const argv = typeof Deno !== "undefined" ? Deno.args : (globalThis as unknown as { process: { argv: string[] } }).process.argv.slice(2);
const port = Number(argv[0]);
const TOTAL = 8 * 1024 * 1024;

async function main(): Promise<void> {
  const connect = selectTcpConnector();
  const stream = await connect("127.0.0.1", port, {});
  const payload = new Uint8Array(TOTAL);
  for (let offset = 0; offset < TOTAL; offset += 65536) crypto.getRandomValues(payload.subarray(offset, offset + 65536));

  const reading = (async () => {
    const hash = sha256.create();
    const tail: number[] = [];
    let got = 0;
    const reader = stream.readable.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      const echoPart = r.value.subarray(0, Math.max(0, Math.min(r.value.byteLength, TOTAL - got)));
      hash.update(echoPart);
      for (const byte of r.value.subarray(echoPart.byteLength)) tail.push(byte);
      got += r.value.byteLength;
    }
    return { echoSha256: bytesToHex(hash.digest()), trailer: new TextDecoder().decode(new Uint8Array(tail)), bytes: got };
  })();
  const writer = stream.writable.getWriter();
  for (let offset = 0; offset < TOTAL; offset += 100_000) await writer.write(payload.subarray(offset, offset + 100_000));
  await writer.close();
  const echoed = await reading;
  await stream.close();

  const second = await connect("127.0.0.1", port, {});
  await second.close();
  await second.close(); // idempotent

  console.log(`RESULT ${JSON.stringify({ runtime: detectRuntime(), sentSha256: bytesToHex(sha256(payload)), ...echoed })}`);
}

main().then(
  () => exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    exit(1);
  },
);

function exit(code: number): void {
  const g = globalThis as unknown as { Deno?: { exit(c: number): never }; process?: { exit(c: number): never } };
  if (g.Deno) g.Deno.exit(code);
  else g.process?.exit(code);
}
