// What the browser bundle may weigh at connect and what must stay out of its initial load; read by
// bench/bundle-size.mjs (the figures) and test/bundle-browser.test.ts (which fails past them).
//
// Issue 17 asked for the core under 40 KB gzip at connect, post-quantum code loaded only when
// negotiated. Everything a directly connecting page does not run is now behind `import()` (the
// list below), and what is left is what such a connection runs: the transport, key exchange,
// user authentication, connection protocol and channels, @noble's SHA-2 (the exchange hash and key
// derivation are synchronous), the WebAssembly ChaCha20-Poly1305 kernel (base64, ~3 KB gz), the
// WebCrypto curves and the host-key checks. That is ~49 KB, so the budget is raised (README,
// "Browser bundle"; bench/RESULTS.md): the prebuilt core file also carries the ssh_config resolver
// (~7 KB gz), because it exports `resolveSshConfig`, a synchronous function whose code cannot
// wait for an import; an application's own bundler drops it when the application does not call it.

// 2026-12-07: 58 -> 59 KB. What every connection now also carries: the DISCONNECT description
// that keeps local identities and paths from the server, the error for a too-small RSA host key,
// a refused certificate's reason and a host certificate's reason in HostKeyUnknownError (~0.6 KB
// gz in all; the messages were shortened and the certificate checks moved to the lazy
// certificate-verify chunk, which saved the rest; splitting the small-RSA message into its own
// lazy chunk made the core larger, as every chunk is gzipped on its own).
/** dist/browser/mcp-ssh-core.js: its initial load plus the chunks every connection imports. */
export const CORE_FILE_BUDGET_GZIP = 59 * 1024;
/** An application bundling only SSHClient and connectWebSocket: the same, without the resolver. */
export const CLIENT_ONLY_BUDGET_GZIP = 50 * 1024;

/**
 * Sources that must not be in the initial load of either: each is imported when it is negotiated
 * or used (an AES cipher or a MAC, an RSA or ECDSA key, a host certificate, a classic or
 * post-quantum key exchange, an encrypted or PEM key file, ssh_config or jump hosts, a runtime
 * without WebAssembly or WebCrypto curves).
 */
export const LOADED_ONLY_WHEN_USED = [
  /node_modules\/@noble\/ciphers\/aes\.js$/,
  /^src\/ssh\/cipher\/aes-noble\.ts$/,
  /node_modules\/@noble\/ciphers\/(chacha|_poly1305)\.js$/,
  /^src\/ssh\/cipher\/chacha20-poly1305\.ts$/,
  /^src\/ssh\/cipher\/wasm\/kernel-scalar\.generated\.ts$/,
  /^src\/ssh\/crypto\/(rsa|ecdsa|sntrup761|noble)\.ts$/,
  /^src\/ssh\/crypto\/sntrup761-wasm\//,
  /node_modules\/@noble\/(curves|post-quantum)\//,
  /^src\/ssh\/kex\/(ecdh-nist|dh-groups|dh-gex|modp-groups)\.ts$/,
  /^src\/ssh\/keys\/(bcrypt-pbkdf|blowfish|pem-private-key|der|certificate-verify)\.ts$/,
  /^src\/ssh\/(jump|client-config)\.ts$/,
];

/** Also out of an application's bundle that imports only SSHClient: the ssh_config resolver. */
export const CLIENT_ONLY_ALSO_LAZY = [/^src\/ssh\/config\//];

/** Sources that only `import()` reaches but that every connection in a current browser runs. */
export const LOADED_AT_CONNECT = [
  // The Ed25519/X25519 backend for runtimes whose WebCrypto has the curves (src/ssh/crypto/backend.ts).
  /^src\/ssh\/crypto\/webcrypto\.ts$/,
];

/**
 * What connecting to a server whose first choice is mlkem768x25519-sha256 (OpenSSH >= 9.9 with its
 * defaults, and our own default order) imports on top: ML-KEM-768 (src/ssh/kex/mlkem768x25519.ts).
 */
export const LOADED_FOR_MLKEM = [/node_modules\/@noble\/post-quantum\/ml-kem\.js$/];
