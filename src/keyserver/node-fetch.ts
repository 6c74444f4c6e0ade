// HttpRequester on node:https / node:http, for trusting a private CA (`caPath`), which the Fetch
// API cannot express. Only this file touches node: modules on the client side.
import { readFile } from "node:fs/promises";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { KeyServerError } from "./errors.js";
import { redirectRefused, requestFailure, type HttpRequester } from "./http-requester.js";

/** A requester that trusts only the CA certificate(s) in the PEM file at `caPath` for HTTPS. */
export async function nodeRequesterWithCa(caPath: string): Promise<HttpRequester> {
  let ca: string;
  try {
    ca = await readFile(caPath, "utf8");
  } catch (e) {
    throw new KeyServerError(`cannot read the key server CA file ${caPath}: ${(e as Error).message}`, undefined, { cause: e });
  }
  if (!ca.includes("-----BEGIN CERTIFICATE-----")) {
    throw new KeyServerError(`${caPath} holds no PEM certificate ("-----BEGIN CERTIFICATE-----")`);
  }
  return (req) =>
    new Promise((resolve, reject) => {
      const url = new URL(req.url);
      const send = url.protocol === "https:" ? httpsRequest : httpRequest;
      const fail = (e: unknown) => {
        clearTimeout(timer);
        outgoing.destroy();
        reject(e instanceof KeyServerError ? e : new KeyServerError(requestFailure(req, e), undefined, { cause: e }));
      };
      const outgoing = send(url, { method: req.method, headers: req.headers, ca }, (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400) return fail(redirectRefused(req.url, status));
        const chunks: Buffer[] = [];
        let total = 0;
        res.on("data", (chunk: Buffer) => {
          total += chunk.length;
          if (total > req.maxResponseBytes) return fail(new Error(`answer is over ${req.maxResponseBytes} bytes`));
          chunks.push(chunk);
        });
        res.on("end", () => {
          clearTimeout(timer);
          resolve({ status, body: Buffer.concat(chunks).toString("utf8") });
        });
        res.on("error", fail);
      });
      const timer = setTimeout(() => fail(Object.assign(new Error("timeout"), { name: "TimeoutError" })), req.timeoutMs);
      outgoing.on("error", fail);
      outgoing.end(req.body);
    });
}
