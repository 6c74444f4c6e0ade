// `mcp-ssh/ssh` in browsers: the SSH core and the WebSocket byte stream. No TCP and no files
// exist here, so connect with `stream: await connectWebSocket(relayUrl)` and in-memory keys.
export * from "../ssh/index.js";
export { connectWebSocket, webSocketToByteStream } from "../ssh/io/websocket.js";
export type { WebSocketConnectOptions, WebSocketLike, WebSocketConstructor } from "../ssh/io/websocket.js";
