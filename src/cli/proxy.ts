// The stdio proxy: every line from the MCP host goes to the remote MCP server and every line back
// goes to the host, unchanged. Unlike the reference (which re-serves a subset of MCP and drops
// server-to-client requests and notifications), nothing is parsed into a new message: sampling,
// roots, elicitation, list_changed, logging and messages of future protocol versions all pass.
import type { Readable, Writable } from "node:stream";
import type { Logger } from "../ssh/logger.js";
import { utf8 } from "../ssh/wire/bytes.js";
import { escapeLineSeparators, isBlankLine, parseJsonLine } from "../mcp/json-lines.js";
import { describeEnd, LineChannel, type ChannelEnd } from "../mcp/line-channel.js";
import { LineSplitter } from "../mcp/line-splitter.js";
import { openMcpChannel } from "../mcp/open-channel.js";
import type { SSHClientTransportOptions } from "../mcp/options.js";

/** After the host closes stdin: how long the remote server may take to exit on its EOF. */
const HOST_EOF_GRACE_MS = 2000;
/** After a signal: close at once. */
const SIGNAL_GRACE_MS = 0;

export interface ProxyIO {
  stdin: Readable;
  stdout: Writable;
  logger: Logger;
  /** Resolves with a signal name when the process is asked to stop. */
  stopSignal?: Promise<NodeJS.Signals>;
}

/** What one line of text needs before it goes on: a JSON check, and U+2028/U+2029 escaped. */
function relayable(line: string, from: string, logger: Logger): string | undefined {
  if (isBlankLine(line)) return undefined;
  const parsed = parseJsonLine(line);
  if ("error" in parsed) {
    logger.warn(`${from}: ${parsed.error.message}`);
    return undefined;
  }
  // Valid JSON: escaping the separators (only possible inside strings) keeps the message identical.
  return escapeLineSeparators(line);
}

/** Host -> remote: read stdin lines and write them to the channel, one write per chunk read. */
async function relayHostToRemote(io: ProxyIO, lines: LineChannel, maxLineBytes: number | undefined): Promise<void> {
  const splitter = new LineSplitter({ maxLineBytes });
  const from = "from the MCP host";
  // for-await pauses stdin while a write waits for the SSH window: backpressure end to end.
  for await (const chunk of io.stdin as AsyncIterable<Uint8Array>) {
    let out = "";
    for (const event of splitter.push(chunk)) {
      if ("error" in event) {
        io.logger.warn(`${from}: ${event.error.message}`);
        continue;
      }
      const line = relayable(event.line, from, io.logger);
      if (line !== undefined) out += `${line}\n`;
    }
    if (out !== "") await lines.write(utf8(out));
  }
  for (const event of splitter.end()) if ("error" in event) io.logger.warn(`${from}: ${event.error.message}`);
}

/**
 * Write to stdout. Only when its buffer is full is there something to wait for: a promise that
 * resolves on "drain" (and rejects if the write fails). Otherwise nothing, so LineChannel delivers
 * the next line at once instead of through a promise per line.
 */
function writeOut(stdout: Writable, text: string): Promise<void> | undefined {
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

  const from = "from the remote MCP server";
  const lines = new LineChannel(opened.channel, {
    logger,
    maxLineBytes: options.maxLineBytes,
    events: {
      line: (text) => {
        const line = relayable(text, from, logger);
        if (line !== undefined) return writeOut(io.stdout, `${line}\n`)?.catch(() => hostGone());
      },
      error: (e) => logger.warn(`${from}: ${e.message}`),
      ended: () => {},
    },
  });
  lines.start();

  const hostInput = relayHostToRemote(io, lines, options.maxLineBytes).then(
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
    ...(io.stopSignal ? [io.stopSignal] : []),
  ]);

  let code: number;
  if (outcome === "remote") {
    const end = await lines.whenEnded;
    code = exitCodeFor(end);
    if (code === 0) logger.info(`${describeEnd(end)}; exiting`);
    else logger.warn(`${describeEnd(end)}; exiting`);
  } else if (outcome === "host") {
    logger.info("the MCP host closed the connection; stopping the remote MCP server");
    await lines.close(HOST_EOF_GRACE_MS);
    code = 0;
  } else {
    logger.info(`${outcome}: stopping the remote MCP server`);
    await lines.close(SIGNAL_GRACE_MS);
    code = 128 + (SIGNAL_NUMBERS[outcome] ?? 0);
  }
  await opened.client.close().catch((e: unknown) => logger.debug(`closing the connection: ${(e as Error).message}`));
  await flushed(io.stdout);
  return code;
}
