/** The runtime-agnostic SSH core's public API. */
export * from "./errors.js";
export type { Logger, LogLevel } from "./logger.js";
export { createLogger, silentLogger } from "./logger.js";
export type { ByteStream, TcpConnector } from "./io/byte-stream.js";
export type { ConnectOptions, ChannelOptions, ExitStatus, SSHChannel, HostKeyInfo, HostKeyPolicy } from "./options.js";
export { registerPlatform } from "./platform.js";
export type { Platform } from "./platform.js";
export { fingerprintSha256 } from "./keys/fingerprint.js";
export { parsePublicKeyLine, formatPublicKeyLine } from "./keys/public-key.js";
export type { PublicKey } from "./keys/public-key.js";
export type { Signer } from "./keys/signature.js";
export { SSHClient } from "./client.js";
export { VERSION } from "./version.js";
export { parsePrivateKey, inspectPrivateKey, serializePrivateKey } from "./keys/openssh-private-key.js";
export { generateEd25519Key } from "./keys/generate-key.js";
export { parseKnownHosts, checkHostKey, formatKnownHostsLine } from "./keys/known-hosts.js";
export { verifyHostKeyWithPolicy } from "./keys/host-key-policy.js";
export { AgentError } from "./keys/agent-protocol.js";
export { connectWebSocket } from "./io/websocket.js";
export { prepareCiphers, cipherImplementation } from "./cipher/select.js";
export { prepareCurves, curveImplementation } from "./crypto/backend.js";
export type { CurveImplementation } from "./crypto/backend.js";
export type { ForwardOutOptions, ForwardedStream } from "./connection/direct-tcpip.js";
export type { JumpHostOptions } from "./options.js";
export { parseJumpHost } from "./jump-host.js";
export {
  resolveSshConfig,
  memorySshConfigReader,
  applyAlgorithmModifier,
  SshConfigError,
  type SshConfigReader,
  type JumpHop,
  type ResolvedSshConfig,
  type ResolveSshConfigOptions,
  type StrictHostKeyChecking,
} from "./config/index.js";
