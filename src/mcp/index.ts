/** MCP over SSH: the SDK Transport, its options, and the line framing it uses. */
export { SSHClientTransport } from "./ssh-client-transport.js";
export type { SSHClientTransportOptions, SSHServerParameters } from "./options.js";
export { MCP_SSH_DEFAULTS } from "./options.js";
export { MessageFramingError } from "./errors.js";
export { LineSplitter, DEFAULT_MAX_LINE_BYTES, type SplitEvent } from "./line-splitter.js";
export { serializeMessage, encodeMessage, parseMessageLine, escapeLineSeparators } from "./framing.js";
export { LineChannel, describeEnd, type ChannelEnd, type LineChannelEvents } from "./line-channel.js";
export { openMcpChannel, connectOptionsFor, type OpenedChannel } from "./open-channel.js";
export { sshFetch, type SshFetchOptions, type ForwardingClient } from "./ssh-fetch.js";
export { SshFetchError, HttpParseError } from "./http/errors.js";
