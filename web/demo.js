// The demo page's logic: open a WebSocket to the relay, run SSH over it with SSHClientTransport,
// and speak just enough MCP (JSON-RPC 2.0) to list the server's tools and call one. With jump
// hosts, the WebSocket carries the first hop's SSH connection and the library chains the rest
// (ProxyJump: each next connection inside a direct-tcpip channel of the one before, RFC 4254 §7.2);
// that code is a chunk of the build that the library imports only then.
import { connectWebSocket, createLogger, parseJumpHost, SSHClientTransport } from "./mcp-ssh.js";

const $ = (id) => document.getElementById(id);
const PROTOCOL_VERSION = "2025-06-18";
const REQUEST_TIMEOUT_MS = 30_000;

let session = null;

function setStatus(text, state) {
  $("status").textContent = text;
  $("status").dataset.state = state;
}

function log(line) {
  $("log").textContent += `${new Date().toISOString().slice(11, 23)} ${line}\n`;
}

/** Requests by id, answers matched back to them; what the server asks us, we decline politely. */
class McpSession {
  #nextId = 1;
  #pending = new Map();

  constructor(transport, onClosed) {
    this.transport = transport;
    transport.onmessage = (message) => this.#receive(message);
    transport.onerror = (error) => log(`transport error: ${error.message}`);
    transport.onclose = () => {
      for (const { reject } of this.#pending.values()) reject(new Error("the connection closed"));
      this.#pending.clear();
      onClosed();
    };
  }

  request(method, params) {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${method}: no answer within ${REQUEST_TIMEOUT_MS / 1000} s`));
      }, REQUEST_TIMEOUT_MS);
      this.#pending.set(id, {
        resolve: (value) => (clearTimeout(timer), resolve(value)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      log(`-> ${method}`);
      this.transport.send({ jsonrpc: "2.0", id, method, params }).catch((error) => {
        this.#pending.get(id)?.reject(error);
        this.#pending.delete(id);
      });
    });
  }

  notify(method, params) {
    log(`-> ${method}`);
    return this.transport.send({ jsonrpc: "2.0", method, ...(params ? { params } : {}) });
  }

  #receive(message) {
    if ("id" in message && ("result" in message || "error" in message)) {
      const waiter = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if (waiter === undefined) return log(`<- answer to unknown id ${message.id}`);
      if ("error" in message) waiter.reject(new Error(`${message.error.message} (code ${message.error.code})`));
      else waiter.resolve(message.result);
    } else if ("id" in message) {
      // A request from the server (ping, sampling, roots, ...): this small client only does ping.
      log(`<- request ${message.method}`);
      const answer =
        message.method === "ping"
          ? { jsonrpc: "2.0", id: message.id, result: {} }
          : { jsonrpc: "2.0", id: message.id, error: { code: -32601, message: "this demo client does not support it" } };
      this.transport.send(answer);
    } else {
      log(`<- ${message.method}`);
    }
  }
}

/** A starting point for the arguments box: each property of the tool's input schema, empty. */
function argumentSkeleton(tool) {
  const skeleton = {};
  for (const [name, schema] of Object.entries(tool.inputSchema?.properties ?? {})) {
    skeleton[name] = { string: "", number: 0, integer: 0, boolean: false, array: [], object: {} }[schema.type] ?? null;
  }
  return JSON.stringify(skeleton, null, 2);
}

/** Back to "not connected": no tools, no result, nothing to call (after Disconnect or a failure). */
function clearSession() {
  $("tools-section").hidden = true;
  $("server-name").textContent = "";
  $("tools").replaceChildren();
  $("tool").replaceChildren();
  $("arguments").value = "";
  $("result").textContent = "";
  $("result").dataset.state = "empty";
  $("call").disabled = true;
  $("disconnect").disabled = true;
  $("connect").disabled = false;
}

/**
 * The "Through" boxes: each jump host with the fingerprint pinned for it, and the SSH server behind
 * the last one; null when "Through" is empty (the relay then leads to the server itself, as before).
 * Throws a TypeError naming the box that is wrong, before anything is opened.
 */
function readRoute() {
  const hopsText = $("jump-hosts").value.trim();
  const pinsText = $("jump-fingerprints").value.trim();
  const targetText = $("target").value.trim();
  if (hopsText === "") {
    if (pinsText !== "" || targetText !== "") {
      throw new TypeError("jump host fingerprints and an SSH server address need jump hosts in the Through box; without them the relay decides where the connection goes");
    }
    return null;
  }
  const hops = hopsText.split(",").map((text, i) => parseJumpHost(text, i));
  const pins = pinsText === "" ? [] : pinsText.split(",").map((pin) => pin.trim());
  if (pins.length !== hops.length) {
    throw new TypeError(`${hops.length} jump host(s) but ${pins.length} fingerprint(s): enter one SHA256:... per jump host, in the same order`);
  }
  if (targetText === "") throw new TypeError("with jump hosts, enter the SSH server as the last jump host reaches it (host:port)");
  let target;
  try {
    target = parseJumpHost(targetText);
  } catch {
    throw new TypeError(`SSH server "${targetText}": expected host:port`);
  }
  if (target.user !== undefined) throw new TypeError(`SSH server "${targetText}": its user goes in the User name box`);
  return {
    hops: hops.map((hop, i) => ({ ...hop, port: hop.port ?? 22, fingerprint: pins[i] })),
    host: target.host,
    port: target.port ?? 22,
  };
}

/** `host:port`, an IPv6 address bracketed. */
const address = ({ host, port }) => `${host.includes(":") ? `[${host}]` : host}:${port}`;

/** SSHClientTransport options for the route: the server behind the hops, each hop pinned to its key. */
function routeOptions(route) {
  if (route === null) return {};
  const jump = route.hops.map((hop) => ({
    host: hop.host,
    port: hop.port,
    ...(hop.user !== undefined ? { username: hop.user } : {}),
    hostKeyFingerprints: [hop.fingerprint],
  }));
  return { host: route.host, port: route.port, connect: { jump } };
}

/**
 * What went wrong, in this page's terms. The library's host key message is written for a
 * known_hosts file and names the host it was given (here the relay); this page has a fingerprint
 * box, and the SSH server is whatever the relay forwards to.
 */
function describeFailure(error, pinned, route) {
  // The library names the jump host an error came from: "jump host 2 (host:port): ...".
  const hop = /^jump host (\d+) \(([^)]*)\): /.exec(error.message);
  if (error.name === "HostKeyMismatchError" && hop && route) {
    return (
      `HostKeyMismatchError: jump host ${hop[1]} (${hop[2]}) presented host key ${error.fingerprint ?? "(unknown)"}, ` +
      `not the fingerprint entered for it (${route.hops[Number(hop[1]) - 1]?.fingerprint}). The login to it stopped before ` +
      `your key was used there, and nothing went further. Check the fingerprint on that host ` +
      `(ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub); if it shows the one you entered, the hop before it does not ` +
      `lead to the host you meant, or someone is intercepting the connection.`
    );
  }
  if (error.name === "HostKeyMismatchError" && route) {
    return (
      `HostKeyMismatchError: the SSH server ${address(route)}, reached through the jump hosts, presented host key ` +
      `${error.fingerprint ?? "(unknown)"}, not the fingerprint entered above (${pinned}). The login stopped before your key ` +
      `was used there. Check the fingerprint on that server (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub).`
    );
  }
  if (error.name === "HostKeyMismatchError") {
    return (
      `HostKeyMismatchError: the SSH server behind the relay presented host key ${error.fingerprint ?? "(unknown)"}, ` +
      `not the fingerprint entered above (${pinned}). Nothing was sent: the login stopped before your key was used. ` +
      `Check the fingerprint on the server (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub). If the server shows ` +
      `${error.fingerprint ?? "the presented key"}, correct the fingerprint box; if it shows the one you entered, the relay ` +
      `does not lead to the server you meant, or someone is intercepting the connection.`
    );
  }
  return `${error.name}: ${error.message}`;
}

function showTools(serverName, tools) {
  $("server-name").textContent = serverName;
  $("tools").replaceChildren(
    ...tools.map((tool) => {
      const item = document.createElement("li");
      const name = document.createElement("code");
      name.textContent = tool.name;
      item.append(name, tool.description ? ` — ${tool.description}` : "");
      return item;
    }),
  );
  $("tool").replaceChildren(
    ...tools.map((tool) => {
      const option = document.createElement("option");
      option.value = tool.name;
      option.textContent = tool.name;
      return option;
    }),
  );
  const pick = () => ($("arguments").value = argumentSkeleton(tools.find((t) => t.name === $("tool").value) ?? {}));
  $("tool").onchange = pick;
  pick();
  $("result").textContent = "";
  $("result").dataset.state = "empty";
  $("call").disabled = false;
  $("tools-section").hidden = false;
}

async function connect(event) {
  event.preventDefault();
  $("connect").disabled = true;
  const url = $("relay-url").value.trim();
  const fingerprint = $("fingerprint").value.trim();
  let route;
  try {
    route = readRoute();
    const through = route ? route.hops.map((hop) => address(hop)).join(", ") : "";
    setStatus(route ? `Opening a WebSocket to ${url} (jump host 1, ${address(route.hops[0])}) ...` : `Opening a WebSocket to ${url} ...`, "busy");
    const stream = await connectWebSocket(url);
    setStatus(
      route
        ? `SSH through ${through} to ${address(route)}: key exchanges, host key checks and logins ...`
        : "SSH: key exchange, host key check and login ...",
      "busy",
    );
    const transport = new SSHClientTransport({
      stream,
      username: $("username").value.trim(),
      privateKey: $("private-key").value,
      passphrase: $("passphrase").value || undefined,
      hostKeyFingerprints: [fingerprint],
      command: $("command").value.trim() || undefined,
      logger: createLogger("info", log),
      ...routeOptions(route),
    });
    session = new McpSession(transport, () => {
      session = null;
      clearSession();
      if ($("status").dataset.state === "connected") setStatus("Disconnected.", "idle");
    });
    await transport.start();
    setStatus("MCP: initialize ...", "busy");
    const init = await session.request("initialize", {
      protocolVersion: PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: "mcp-ssh browser demo", version: "1.0.0" },
    });
    await session.notify("notifications/initialized");
    const { tools } = await session.request("tools/list", {});
    const server = `${init.serverInfo.name} ${init.serverInfo.version}`;
    showTools(server, tools);
    $("disconnect").disabled = false;
    setStatus(
      route
        ? `Connected to ${server} (MCP ${init.protocolVersion}) over SSH at ${address(route)} through ` +
            `${route.hops.map((hop, i) => `jump host ${i + 1} ${address(hop)}`).join(", ")}; host keys ` +
            `${[...route.hops.map((hop) => hop.fingerprint), fingerprint].join(", ")} verified.`
        : `Connected to ${server} (MCP ${init.protocolVersion}) over SSH; host key ${fingerprint} verified.`,
      "connected",
    );
  } catch (error) {
    setStatus(describeFailure(error, fingerprint, route), "error");
    log(String(error.stack ?? error));
    await session?.transport.close().catch(() => {});
    session = null;
    clearSession();
  }
}

async function callTool(event) {
  event.preventDefault();
  if (session === null) return;
  const result = $("result");
  let args;
  try {
    args = JSON.parse($("arguments").value || "{}");
  } catch (error) {
    result.textContent = `The arguments are not valid JSON: ${error.message}`;
    result.dataset.state = "error";
    return;
  }
  $("call").disabled = true;
  result.dataset.state = "busy";
  result.textContent = "...";
  try {
    const answer = await session.request("tools/call", { name: $("tool").value, arguments: args });
    const texts = (answer.content ?? []).map((part) => (part.type === "text" ? part.text : JSON.stringify(part)));
    result.textContent = texts.join("\n");
    result.dataset.state = answer.isError ? "error" : "ok";
  } catch (error) {
    result.textContent = error.message;
    result.dataset.state = "error";
  } finally {
    // Disconnected meanwhile: stays disabled (clearSession).
    $("call").disabled = session === null;
  }
}

/** Values the demo's own relay put in the page (its throwaway server's fingerprint and user). */
function prefill() {
  let values = {};
  try {
    values = JSON.parse(document.querySelector('meta[name="mcp-ssh-demo-prefill"]')?.content || "{}");
  } catch {
    return;
  }
  for (const [id, value] of [["fingerprint", values.fingerprint], ["username", values.username]]) {
    if (typeof value === "string" && value !== "") {
      $(id).value = value;
      $(id).dataset.prefilled = "true";
    }
  }
}

prefill();
clearSession();
$("relay-url").value = location.protocol.startsWith("http") ? `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/` : "";
$("connect-form").addEventListener("submit", connect);
$("call-form").addEventListener("submit", callTool);
$("disconnect").addEventListener("click", () => session?.transport.close());
window.mcpSshDemoReady = true;
