// The demo page's logic: open a WebSocket to the relay, run SSH over it with SSHClientTransport,
// and speak just enough MCP (JSON-RPC 2.0) to list the server's tools and call one.
import { connectWebSocket, createLogger, SSHClientTransport } from "./mcp-ssh.js";

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
 * What went wrong, in this page's terms. The library's host key message is written for a
 * known_hosts file and names the host it was given (here the relay); this page has a fingerprint
 * box, and the SSH server is whatever the relay forwards to.
 */
function describeFailure(error, pinned) {
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
  try {
    setStatus(`Opening a WebSocket to ${url} ...`, "busy");
    const stream = await connectWebSocket(url);
    setStatus("SSH: key exchange, host key check and login ...", "busy");
    const transport = new SSHClientTransport({
      stream,
      username: $("username").value.trim(),
      privateKey: $("private-key").value,
      passphrase: $("passphrase").value || undefined,
      hostKeyFingerprints: [fingerprint],
      command: $("command").value.trim() || undefined,
      logger: createLogger("info", log),
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
    setStatus(`Connected to ${server} (MCP ${init.protocolVersion}) over SSH; host key ${fingerprint} verified.`, "connected");
  } catch (error) {
    setStatus(describeFailure(error, fingerprint), "error");
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
