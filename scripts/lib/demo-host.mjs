// What both demos share (`npm run demo` against mcp-ssh serve, `npm run demo:openssh` against a
// private sshd): the MCP host side, which runs the CLI under the SDK's Client +
// StdioClientTransport and makes the calls, and the main loop with its watchdog and cleanups.

export const say = (line = "") => process.stdout.write(`${line}\n`);

/** A failure the demo explains in one message (no stack). */
export class DemoError extends Error {}

export function shellQuote(s) {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Run the CLI as an MCP host would, list the tools and call two of them, printing each answer. */
export async function runDemoHost(args, cleanups, { serverLog = () => "" } = {}) {
  const { Client } = await import("@modelcontextprotocol/sdk/client/index.js");
  const { StdioClientTransport } = await import("@modelcontextprotocol/sdk/client/stdio.js");
  const transport = new StdioClientTransport({ command: process.execPath, args, stderr: "pipe" });
  let cliStderr = "";
  transport.stderr?.on("data", (d) => (cliStderr += d));
  const client = new Client({ name: "mcp-ssh-demo-host", version: "1.0.0" });
  cleanups.push(() => client.close());
  try {
    await client.connect(transport);
  } catch (error) {
    throw new DemoError(`could not reach the MCP server through mcp-ssh: ${error.message}\n${cliStderr.trim()}\n${serverLog().trim()}`.trim());
  }
  const info = client.getServerVersion();
  say(`Connected over SSH to MCP server "${info?.name}" ${info?.version}.`);
  say("Tools:");
  const { tools } = await client.listTools();
  const width = Math.max(...tools.map((t) => t.name.length));
  for (const tool of tools) say(`  ${tool.name.padEnd(width)}  ${tool.description ?? ""}`);
  say();
  const calls = [
    { name: "add", arguments: { a: 2, b: 40 } },
    { name: "whereami", arguments: {} },
  ];
  for (const call of calls) {
    const result = await client.callTool(call);
    const text = result.content.map((c) => (c.type === "text" ? c.text : `[${c.type}]`)).join(" ");
    say(`call ${call.name} ${JSON.stringify(call.arguments)}`);
    say(`  -> ${text}`);
  }
  say();
  if (cliStderr.trim()) say(`mcp-ssh logged:\n${cliStderr.trim()}\n`);
}

/**
 * Run `demo(cleanups)` with a deadline; on success, failure, the deadline or a signal, run the
 * cleanups (last first) and exit. Errors of the `explained` classes print their message only.
 */
export async function runDemoMain(demo, { deadlineMs, explained = [DemoError], done }) {
  const cleanups = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse().splice(0)) await Promise.resolve().then(step).catch(() => {});
  };
  const watchdog = setTimeout(async () => {
    process.stderr.write(`demo: still not done after ${deadlineMs / 1000} s; giving up\n`);
    await cleanup();
    process.exit(1);
  }, deadlineMs);
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, async () => {
      await cleanup();
      process.exit(130);
    });
  }
  let code = 0;
  try {
    await demo(cleanups);
  } catch (error) {
    process.stderr.write(`demo failed: ${explained.some((c) => error instanceof c) ? error.message : error.stack}\n`);
    code = 1;
  }
  await cleanup();
  clearTimeout(watchdog);
  if (code === 0) say(done);
  process.exit(code);
}
