import type { ByteStream } from "./byte-stream.js";

/** A connection a listener accepted: the byte stream and who is at the other end. */
export interface IncomingConnection {
  stream: ByteStream;
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
}

export interface Listener {
  /** Where it listens (the port the OS chose when 0 was asked for). */
  readonly host: string;
  readonly port: number;
  /** Stop accepting; connections already accepted go on. */
  close(): Promise<void>;
}

/** How the server listens for TCP; registered by the runtime entry (src/platform/node/tcp-listener.ts). */
export type TcpListen = (opts: { host: string; port: number }, onConnection: (c: IncomingConnection) => void) => Promise<Listener>;
