#!/usr/bin/env node
// The `mcp-ssh` command: the stdio MCP proxy by default; subcommands keygen, keyserver, relay.
import "../platform/node.js";
import "../keyserver/register-client.js";
import { createLogger } from "../ssh/logger.js";
import { VERSION } from "../ssh/version.js";
import { DEFAULT_KNOWN_HOSTS, parseProxyArgs, PROXY_USAGE, SECRET_ENVIRONMENT, UsageError, type ProxySettings } from "./args.js";
import { connectTarget } from "./connect.js";
import { resolveClientKeys, type ResolvedClientKeys } from "./client-keys.js";
import { explainFailure, oneLine } from "./explain.js";
import { runKeygenCli } from "./keygen.js";
import { flushed, runProxy } from "./proxy.js";

const SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

const out = (line: string) => void process.stdout.write(`${line}\n`);
const err = (line: string) => void process.stderr.write(`${line}\n`);

async function proxy(settings: ProxySettings): Promise<number> {
  const logger = createLogger(settings.logLevel, err);
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    for (const signal of SIGNALS) process.once(signal, () => resolve(signal));
  });
  // The reference form: --agent alone means the agent's keys instead of the m2m key; --client-key
  // means exactly those files. The positional form: ssh_config's identities (the agent and
  // ~/.ssh/id_* unless it says otherwise), plus any --client-key.
  let keys: ResolvedClientKeys = { paths: [], m2mDefault: false, created: false };
  const failureContext: { knownHosts?: string } = {};
  // The HTTP bridge needs the MCP SDK's transports (and through them its zod schemas): 200-400 ms
  // of module loading that the stdio proxy, the path every MCP client launch takes, must not pay.
  // Imported only for --http-url, and started now so that it loads while the connection is made.
  const bridge = settings.httpUrl !== undefined ? import("./http-bridge.js") : null;
  bridge?.catch(() => {}); // a failed import is reported where it is awaited
  try {
    if (settings.target !== undefined) {
      if (settings.clientKeys.length > 0) keys = await resolveClientKeys(settings.clientKeys, settings.passphrase, logger);
    } else if (!(settings.agent && settings.clientKeys.length === 0)) {
      keys = await resolveClientKeys(settings.clientKeys, settings.passphrase, logger);
    }
    const connecting = connectTarget(settings, keys.paths, logger, failureContext);
    // A signal while connecting stops at once (nothing was relayed yet).
    const first = await Promise.race([connecting, stopSignal]);
    if (typeof first === "string") {
      logger.info(`${first}: stopped while connecting`);
      connecting.then((c) => c.client.close(), () => {}).catch(() => {});
      return 128 + (SIGNAL_NUMBERS[first] ?? 0);
    }
    const io = { stdin: process.stdin, stdout: process.stdout, logger, stopSignal };
    if (bridge && settings.httpUrl !== undefined) {
      const { runHttpBridge } = await bridge;
      return await runHttpBridge(first.client, { url: settings.httpUrl, sse: settings.sse ?? false }, io);
    }
    return await runProxy(first.options, { ...io, initTimeoutMs: settings.initTimeoutMs });
  } catch (e) {
    logger.error(
      explainFailure(e, {
        keys,
        useKeyServer: settings.useKeyServer,
        knownHosts: settings.knownHosts ?? failureContext.knownHosts ?? DEFAULT_KNOWN_HOSTS,
        agent: settings.agent,
        password: settings.password !== undefined,
      }),
    );
    return 255;
  }
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  switch (first) {
    case "keygen":
      return runKeygenCli(rest, { out, err, env: process.env });
    case "keyserver": {
      const { runKeyServerCli } = await import("../keyserver/cli.js");
      return runKeyServerCli(rest);
    }
    case "serve":
      return (await import("./serve.js")).runServeCli(rest);
    case "relay": {
      const { runRelayCli } = await import("./relay.js");
      return runRelayCli(rest);
    }
  }
  let parsed;
  try {
    parsed = parseProxyArgs(argv, process.env);
    for (const name of SECRET_ENVIRONMENT) delete process.env[name];
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`mcp-ssh: ${e.message} (see mcp-ssh --help)`);
    return 2;
  }
  if (parsed.action === "help") {
    out(PROXY_USAGE);
    return 0;
  }
  if (parsed.action === "version") {
    out(`mcp-ssh ${VERSION}`);
    return 0;
  }
  return proxy(parsed.settings);
}

// Pending stdout/stderr writes reach their pipes before exiting, for at most this long (the proxy
// already gave its output a chance to drain).
const EXIT_FLUSH_MS = 500;

main(process.argv.slice(2)).then(
  async (code) => {
    await Promise.all([flushed(process.stdout, EXIT_FLUSH_MS), flushed(process.stderr, EXIT_FLUSH_MS)]);
    // stdin may still be open (the remote ended first): exit rather than wait for it.
    process.exit(code);
  },
  async (e: unknown) => {
    err(`mcp-ssh: ${oneLine((e as Error)?.stack ?? String(e))}`);
    await flushed(process.stderr, EXIT_FLUSH_MS);
    process.exit(1);
  },
);
