/** MCP over SSH: the SDK Transport, its options, and the line framing it uses. */
export { SSHClientTransport } from "./client/ssh-client-transport.js";
export type { SSHClientTransportOptions, SSHServerParameters } from "./client/options.js";
export { MCP_SSH_DEFAULTS } from "./client/options.js";
export { MessageFramingError } from "./framing/errors.js";
export { LineSplitter, DEFAULT_MAX_LINE_BYTES, type SplitEvent } from "./framing/line-splitter.js";
export { serializeMessage, encodeMessage, parseMessageLine, escapeLineSeparators } from "./framing/framing.js";
export { LineChannel, describeEnd, type ChannelEnd, type LineChannelEvents } from "./framing/line-channel.js";
export { openMcpChannel, connectOptionsFor, type OpenedChannel } from "./client/open-channel.js";
export { sshFetch, type SshFetchOptions, type ForwardingClient } from "./client/ssh-fetch.js";
export { SshFetchError, HttpParseError } from "./client/http/errors.js";
