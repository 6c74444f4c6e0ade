// The stdio proxy: every line from the MCP host goes to the remote MCP server and every line back
// goes to the host, unchanged. Unlike the reference (which re-serves a subset of MCP and drops
// server-to-client requests and notifications), nothing is parsed into a new message: sampling,
// roots, elicitation, list_changed, logging and messages of future protocol versions all pass.
import type { Readable, Writable } from "node:stream";
import type { Logger } from "../ssh/logger.js";
import { concatBytes } from "../ssh/wire/bytes.js";
import { preview } from "../mcp/framing/json-lines.js";
import { checkJsonRpcLine, escapeLineSeparatorBytes } from "../mcp/framing/json-line-check.js";
import { describeEnd, LineChannel, type ChannelEnd } from "../mcp/framing/line-channel.js";
import { LineSplitter } from "../mcp/framing/line-splitter.js";
import { openMcpChannel } from "../mcp/client/open-channel.js";
import type { SSHClientTransportOptions } from "../mcp/client/options.js";
import { DEFAULT_INIT_TIMEOUT_S, InitWatch, type InitFailure } from "./init-watch.js";

/** After the host closes stdin: how long the remote server may take to exit on its EOF. */
const HOST_EOF_GRACE_MS = 2000;
/** After a signal: close at once. */
const SIGNAL_GRACE_MS = 0;
/** After the remote ended before the host's first message was read: how long stdin may take to deliver it. */
const PENDING_REQUEST_GRACE_MS = 250;

export interface ProxyIO {
  stdin: Readable;
  stdout: Writable;
  logger: Logger;
  /** Resolves with a signal name when the process is asked to stop. */
  stopSignal?: Promise<NodeJS.Signals>;
  /** How long the remote may take to answer the host's initialize (0 = forever); default 20 s. */
  initTimeoutMs?: number;
}

/** Exit status when the remote is not an MCP server (a shell, a silent or failed command). */
export const NOT_MCP_EXIT = 255;

/**
 * Escaping U+2028/U+2029 (for Python peers that split lines with str.splitlines) turns 3 bytes
 * into 6. The MCP TypeScript SDK's stdio transport drops a peer whose buffered input passes
 * 10 MiB (STDIO_DEFAULT_MAX_BUFFER_SIZE), so escaping must never push a line past that: a line
 * that would grow beyond it goes as it came, which is what `ssh -T` would deliver too.
 */
const MAX_ESCAPED_LINE = 10 * 1024 * 1024 - 1;

const DROPPED: Record<"invalid-utf8" | "invalid-json" | "invalid-message", string> = {
  "invalid-utf8": "a line was not valid UTF-8 and was dropped",
  "invalid-json": "a line is not JSON and was dropped",
  "invalid-message": "a line is JSON but not a JSON-RPC message and was dropped",
};

function isBlank(line: Uint8Array): boolean {
  for (const c of line) if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) return false;
  return true;
}

/**
 * What one line needs before it goes on, checked on its bytes (no string round trip): valid UTF-8,
 * one JSON value of the JSON-RPC shape; then U+2028/U+2029 escaped where that keeps the line
 * within MAX_ESCAPED_LINE. Returns a new buffer with the trailing `\n` (the input may be a view
 * into a read buffer that is reused), or undefined to drop the line.
 */
function relayable(line: Uint8Array, from: string, logger: Logger): Uint8Array | { noise: string } | undefined {
  if (isBlank(line)) return undefined;
  const check = checkJsonRpcLine(line);
  if (!check.ok) {
    const text = new TextDecoder().decode(line.subarray(0, 400));
    logger.warn(`${from}: ${DROPPED[check.kind]}: ${preview(text)} (${check.reason})`);
    return { noise: text };
  }
  const n = check.lineSeparators;
  if (n > 0 && line.length + 3 * n <= MAX_ESCAPED_LINE) return escapeLineSeparatorBytes(line, n);
  if (n > 0) logger.debug(`${from}: a ${line.length}-byte line is relayed with its ${n} raw U+2028/U+2029 (escaped it would pass ${MAX_ESCAPED_LINE} bytes)`);
  const out = new Uint8Array(line.length + 1);
  out.set(line);
  out[line.length] = 0x0a;
  return out;
}

/** Host -> remote: read stdin lines and write them to the channel, one write per chunk read. */
async function relayHostToRemote(io: ProxyIO, lines: LineChannel, maxLineBytes: number | undefined, watch: InitWatch): Promise<void> {
  const splitter = new LineSplitter({ maxLineBytes });
  const from = "from the MCP host";
  // for-await pauses stdin while a write waits for the SSH window: backpressure end to end.
  for await (const chunk of io.stdin as AsyncIterable<Uint8Array>) {
    const out: Uint8Array[] = [];
    const values: unknown[] = [];
    for (const event of splitter.pushRaw(chunk)) {
      if ("error" in event) {
        io.logger.warn(`${from}: ${event.error.message}`);
        continue;
      }
      const line = relayable(event.bytes, from, io.logger);
      if (line instanceof Uint8Array) {
        out.push(line);
        // Until the host's initialize is seen, the watch needs the message itself (a few lines at most).
        if (watch.wantsHostMessages) values.push(JSON.parse(new TextDecoder().decode(line)));
      }
    }
    if (out.length > 0) {
      // Pending from now on: if the write fails because the remote is already gone, the host's
      // initialize is still owed an answer (the error answer the watch gives when the remote ends).
      for (const value of values) watch.sent(value);
      await lines.write(out.length === 1 ? out[0]! : concatBytes(...out));
    }
  }
  for (const event of splitter.end()) if ("error" in event) io.logger.warn(`${from}: ${event.error.message}`);
}

/**
 * Write to stdout. Only when its buffer is full is there something to wait for: a promise that
 * resolves on "drain" (and rejects if the write fails). Otherwise nothing, so LineChannel delivers
 * the next line at once instead of through a promise per line.
 */
function writeOut(stdout: Writable, text: Uint8Array): Promise<void> | undefined {
  let failed: ((error: Error) => void) | undefined;
  // The callback runs after write() returns, so `failed` is in place by then.
  if (stdout.write(text, (error) => error && failed?.(error))) return undefined;
  return new Promise((resolve, reject) => {
    failed = reject;
    stdout.once("drain", resolve);
  });
}

/** How long, at the end, output already relayed may take to reach a host that is slow to read it. */
const FLUSH_WAIT_MS = 2000;

/**
 * Resolves once everything written to `stream` has been handed to the OS, or after `waitMs`:
 * a reader that stopped reading must not keep us alive.
 */
export function flushed(stream: Writable, waitMs = FLUSH_WAIT_MS): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableEnded) return resolve();
    const timer = setTimeout(resolve, waitMs);
    stream.write("", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Exit status of the proxy for a remote end (OpenSSH's ssh does the same: status, or 255). */
export function exitCodeFor(end: ChannelEnd): number {
  if (end.error || !end.exit || end.exit.code === null) return 255;
  return end.exit.code & 0xff;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/**
 * Connect, start the remote MCP server and relay until one side ends. Connection, host key and
 * login failures are thrown (typed errors) before any byte reaches stdout.
 */
export async function runProxy(options: SSHClientTransportOptions, io: ProxyIO): Promise<number> {
  const { logger } = io;
  const opening = openMcpChannel(options, logger);
  // A signal while connecting stops at once (the process exits; nothing was relayed yet).
  const first = await Promise.race([opening, ...(io.stopSignal ? [io.stopSignal] : [])]);
  if (typeof first === "string") {
    logger.info(`${first}: stopped while connecting`);
    opening.then((o) => o.client.close(), () => {}).catch(() => {});
    return 128 + (SIGNAL_NUMBERS[first] ?? 0);
  }
  const opened = first;
  logger.info(`connected to ${opened.target} as ${options.username}; relaying MCP messages`);

  let hostGone: () => void = () => {};
  const hostOutputClosed = new Promise<"host">((resolve) => (hostGone = () => resolve("host")));
  io.stdout.once("error", (e) => {
    logger.debug(`stdout: ${e.message}`);
    hostGone();
  });

  let notMcp: (failure: InitFailure) => void = () => {};
  const remoteNotMcp = new Promise<{ failure: InitFailure }>((resolve) => (notMcp = (failure) => resolve({ failure })));
  const watch = new InitWatch({
    timeoutMs: io.initTimeoutMs ?? DEFAULT_INIT_TIMEOUT_S * 1000,
    start: { command: options.command, subsystem: options.subsystem },
    onFailure: (failure) => notMcp(failure),
  });
  // The remote's stderr reaches us as "remote: ..." log lines (LineChannel); the watch reads them
  // before they go on to the real logger.

  const from = "from the remote MCP server";
  const lines = new LineChannel(opened.channel, {
    logger,
    maxLineBytes: options.maxLineBytes,
    events: {
      line: () => {},
      bytes: (bytes) => {
        const relayed = relayable(bytes, from, logger);
        if (relayed === undefined) return;
        if (!(relayed instanceof Uint8Array)) return watch.remoteNoise(relayed.noise);
        watch.remoteSpoke();
        return writeOut(io.stdout, relayed)?.catch(() => hostGone());
      },
      stderrLine: (text) => watch.remoteNoise(text),
      error: (e) => logger.warn(`${from}: ${e.message}`),
      ended: () => {},
    },
  });
  lines.start();

  const hostInput = relayHostToRemote(io, lines, options.maxLineBytes, watch).then(
    () => "host" as const,
    (e: unknown) => {
      // A write fails when the channel is already gone; the remote end then explains why.
      logger.debug(`relay to the remote stopped: ${(e as Error).message}`);
      return lines.whenEnded.then(() => "remote" as const);
    },
  );
  const outcome = await Promise.race([
    hostInput,
    hostOutputClosed,
    lines.whenEnded.then(() => "remote" as const),
    remoteNotMcp,
    ...(io.stopSignal ? [io.stopSignal] : []),
  ]);

  /** Tell the user (stderr) and the host (an error answer to its initialize) that this is not MCP. */
  const reportNotMcp = async (failure: InitFailure) => {
    logger.error(watch.explain(failure));
    const answer = watch.errorAnswer(failure);
    if (answer !== undefined) await writeOut(io.stdout, new TextEncoder().encode(`${answer}\n`))?.catch(() => {});
  };

  let code: number;
  if (typeof outcome === "object") {
    await reportNotMcp(outcome.failure);
    await lines.close(SIGNAL_GRACE_MS);
    code = NOT_MCP_EXIT;
  } else if (outcome === "remote") {
    const end = await lines.whenEnded;
    // A remote that exits at once can end before we have read the host's first line, though the
    // host wrote its initialize right after starting us: give stdin a moment to deliver it, so that
    // it gets its error answer instead of a silent exit.
    if (watch.wantsHostMessages) await Promise.race([hostInput, new Promise((r) => setTimeout(r, PENDING_REQUEST_GRACE_MS))]);
    code = exitCodeFor(end);
    watch.remoteEnded(describeEnd(end));
    if (watch.hasFailed) {
      await reportNotMcp({ kind: "ended", how: describeEnd(end) });
      if (code === 0) code = NOT_MCP_EXIT;
    } else if (code === 0) logger.info(`${describeEnd(end)}; exiting`);
    else logger.warn(`${describeEnd(end)}; exiting`);
  } else if (outcome === "host") {
    watch.stop();
    logger.info("the MCP host closed the connection; stopping the remote MCP server");
    await lines.close(HOST_EOF_GRACE_MS);
    code = 0;
  } else {
    watch.stop();
    logger.info(`${outcome}: stopping the remote MCP server`);
    await lines.close(SIGNAL_GRACE_MS);
    code = 128 + (SIGNAL_NUMBERS[outcome] ?? 0);
  }
  await opened.client.close().catch((e: unknown) => logger.debug(`closing the connection: ${(e as Error).message}`));
  await flushed(io.stdout);
  return code;
}
