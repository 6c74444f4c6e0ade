// `mcp-ssh relay`: a WebSocket-to-TCP relay so browsers can reach one SSH server.
import { isLoopbackHost } from "../keyserver/loopback.js";
import { demoRoutes, staticHandler, type DemoPrefill } from "../relay/demo-files.js";
import { startRelay, type Relay } from "../relay/relay-server.js";

const USAGE = `usage: mcp-ssh relay --target HOST:PORT [--listen HOST:PORT] [--allow-origin ORIGIN ...]
                     [--max-connections N] [--demo [--demo-fingerprint SHA256:... --demo-username USER]]

Relays WebSocket connections (binary frames, subprotocol "binary", websockify-compatible) to one
fixed TCP target, normally an SSH server. The SSH session stays end-to-end encrypted: the relay
only sees ciphertext. Clients cannot choose another destination.

  --target HOST:PORT      the only destination (required)
  --listen HOST:PORT      where to listen (default 127.0.0.1:8080; port 0 = any free port)
  --allow-origin ORIGIN   accept WebSockets only from this page Origin, e.g. https://app.example
                          (repeatable; others get 403). Without it any Origin is accepted.
  --max-connections N     concurrent connections (default 32); more get 503
  --demo                  also serve the browser demo page over HTTP on the same port; without
                          --allow-origin, only the demo's own origin may connect
  --demo-fingerprint FP   with --demo: prefill the page's host key fingerprint (SHA256:...) with the
                          target's (npm run demo:browser passes its throwaway server's)
  --demo-username USER    with --demo: prefill the page's user name
  --help                  this text
`;

export interface RelayCliOptions {
  /** Parsed and validated command line. */
  listenHost: string;
  listenPort: number;
  targetHost: string;
  targetPort: number;
  allowOrigins: string[];
  maxConnections: number;
  demo: boolean;
  /** What the demo page prefills (only with demo). */
  demoPrefill: DemoPrefill;
}

export class RelayUsageError extends Error {}

/** "host:port" or "[v6]:port" -> parts; the port must be 0..65535 (0 only where allowed). */
export function parseHostPort(text: string, flag: string, allowZero: boolean): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535 || (port === 0 && !allowZero)) {
    throw new RelayUsageError(`${flag} wants HOST:PORT (e.g. 127.0.0.1:22 or [::1]:22), got "${text}"`);
  }
  return { host: (match[1] ?? match[2]) as string, port };
}

export function parseRelayArgs(argv: string[]): RelayCliOptions | "help" {
  let listen = "127.0.0.1:8080";
  let target: string | undefined;
  const allowOrigins: string[] = [];
  let maxConnections = 32;
  let demo = false;
  const demoPrefill: DemoPrefill = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === "") throw new RelayUsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--help":
      case "-h":
        return "help";
      case "--listen":
        listen = value();
        break;
      case "--target":
        target = value();
        break;
      case "--allow-origin": {
        const origin = value();
        if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
          throw new RelayUsageError(`--allow-origin wants an origin like https://app.example or http://127.0.0.1:8080 (no path), got "${origin}"`);
        }
        allowOrigins.push(origin);
        break;
      }
      case "--max-connections": {
        const text = value();
        maxConnections = Number(text);
        if (!/^\d+$/.test(text) || maxConnections < 1) throw new RelayUsageError(`--max-connections wants a positive integer, got "${text}"`);
        break;
      }
      case "--demo":
        demo = true;
        break;
      case "--demo-fingerprint": {
        const fingerprint = value();
        if (!/^SHA256:[A-Za-z0-9+/]{43}$/.test(fingerprint)) {
          throw new RelayUsageError(`--demo-fingerprint wants a fingerprint as ssh-keygen -lf prints it (SHA256: and 43 characters), got "${fingerprint}"`);
        }
        demoPrefill.fingerprint = fingerprint;
        break;
      }
      case "--demo-username": {
        const username = value();
        if (!/^[A-Za-z0-9._][A-Za-z0-9._-]{0,63}$/.test(username)) throw new RelayUsageError(`--demo-username wants a user name, got "${username}"`);
        demoPrefill.username = username;
        break;
      }
      default:
        throw new RelayUsageError(`unknown argument "${arg}"`);
    }
  }
  if (target === undefined) throw new RelayUsageError("--target HOST:PORT is required");
  if (!demo && Object.keys(demoPrefill).length > 0) throw new RelayUsageError("--demo-fingerprint and --demo-username need --demo");
  const l = parseHostPort(listen, "--listen", true);
  const t = parseHostPort(target, "--target", false);
  return { listenHost: l.host, listenPort: l.port, targetHost: t.host, targetPort: t.port, allowOrigins, maxConnections, demo, demoPrefill };
}

/**
 * Run the relay until SIGINT/SIGTERM (or `extra.signal`). Exit codes: 0 after a clean stop,
 * 1 when it cannot start, 2 for bad arguments. All output goes to stderr.
 */
export async function runRelayCli(
  argv: string[],
  extra: { signal?: AbortSignal; onListening?: (relay: Relay) => void; stderr?: (line: string) => void } = {},
): Promise<number> {
  const say = extra.stderr ?? ((line: string) => process.stderr.write(`${line}\n`));
  let options: RelayCliOptions | "help";
  try {
    options = parseRelayArgs(argv);
  } catch (error) {
    if (!(error instanceof RelayUsageError)) throw error;
    say(`mcp-ssh relay: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options === "help") {
    say(USAGE);
    return 0;
  }
  let relay: Relay;
  try {
    relay = await startRelay({
      ...options,
      httpHandler: options.demo ? staticHandler(demoRoutes(undefined, undefined, options.demoPrefill)) : undefined,
      allowOwnOrigin: options.demo,
      log: (line) => say(`relay: ${line}`),
    });
  } catch (error) {
    say(`mcp-ssh relay: cannot start: ${(error as Error).message}`);
    return 1;
  }
  say(`relay: listening on ${relay.url} -> ${options.targetHost}:${options.targetPort}`);
  if (options.demo) say(`relay: demo page at http://${relay.url.slice("ws://".length)}`);
  if (relay.allowedOrigins.length > 0) say(`relay: allowed Origins: ${relay.allowedOrigins.join(" ")}`);
  else if (!isLoopbackHost(relay.host)) {
    say("relay: warning: listening beyond loopback with no --allow-origin: any web page can make visitors' browsers connect");
  }
  extra.onListening?.(relay);

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    if (extra.signal) {
      if (extra.signal.aborted) return resolve();
      extra.signal.addEventListener("abort", stop, { once: true });
    } else {
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    }
  });
  await relay.close();
  say("relay: stopped");
  return 0;
}
