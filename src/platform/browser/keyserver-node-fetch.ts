// Browser stand-in for src/keyserver/node-fetch.ts (node:https with a private CA), swapped in by
// the browser build (src/platform/browser-substitutes.mjs). A page cannot choose which CA to
// trust: the browser's own trust store decides, so `keyServerCa` has no meaning here.
import { KeyServerError } from "../../keyserver/errors.js";
import type { HttpRequester } from "../../keyserver/http-requester.js";

export async function nodeRequesterWithCa(caPath: string): Promise<HttpRequester> {
  throw new KeyServerError(
    `a key server CA file (${caPath}) cannot be used in a browser, which trusts only its own CA store; ` +
      `leave keyServerCa out and serve the key server with a certificate the browser trusts`,
  );
}
