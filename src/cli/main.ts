#!/usr/bin/env node
// The `mcp-ssh` command: the stdio MCP proxy by default; subcommands keygen, keyserver, relay.
import "../platform/node.js";
import "../keyserver/register-client.js";
import { createLogger } from "../ssh/logger.js";
import { VERSION } from "../ssh/version.js";
import { parseProxyArgs, PROXY_USAGE, UsageError, type ProxySettings } from "./args.js";
import { resolveClientKeys, type ResolvedClientKeys } from "./client-keys.js";
import { explainFailure, oneLine } from "./explain.js";
import { runKeygenCli } from "./keygen.js";
import { flushed, runProxy } from "./proxy.js";

const SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

const out = (line: string) => void process.stdout.write(`${line}\n`);
const err = (line: string) => void process.stderr.write(`${line}\n`);

async function proxy(settings: ProxySettings): Promise<number> {
  const logger = createLogger(settings.logLevel, err);
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    for (const signal of SIGNALS) process.once(signal, () => resolve(signal));
  });
  // --agent alone means the agent's keys instead of the default key; --client-key means exactly those files.
  let keys: ResolvedClientKeys = { paths: [], m2mDefault: false, created: false };
  try {
    if (!(settings.agent && settings.clientKeys.length === 0)) {
      keys = await resolveClientKeys(settings.clientKeys, settings.passphrase, logger);
    }
    const clientKeys = keys.paths;
    return await runProxy(
      {
        host: settings.host,
        port: settings.port,
        username: settings.username,
        clientKeys,
        knownHosts: settings.knownHosts,
        passphrase: settings.passphrase,
        disableHostKeyChecking: settings.disableHostKeyChecking,
        useKeyServer: settings.useKeyServer,
        keyServerPort: settings.keyServerPort,
        keyServerUrl: settings.keyServerUrl,
        keyServerToken: settings.keyServerToken,
        keyServerCa: settings.keyServerCa,
        allowHttpKeyServer: settings.allowHttpKeyServer,
        env: settings.env,
        command: settings.command,
        subsystem: settings.subsystem,
        ...(settings.agent ? { connect: { agent: true } } : {}),
        // Keepalive comes from SSHClientTransport's defaults: a dead path ends the proxy (255).
      },
      { stdin: process.stdin, stdout: process.stdout, logger, stopSignal, initTimeoutMs: settings.initTimeoutMs },
    );
  } catch (e) {
    logger.error(
      explainFailure(e, { keys, useKeyServer: settings.useKeyServer, knownHosts: settings.knownHosts, agent: settings.agent }),
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
    case "relay": {
      const { runRelayCli } = await import("./relay.js");
      return runRelayCli(rest);
    }
  }
  let parsed;
  try {
    parsed = parseProxyArgs(argv, process.env);
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
