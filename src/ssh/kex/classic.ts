/**
 * The table rows of the classic methods (ecdh-sha2-nistp*, diffie-hellman-group*, group-exchange),
 * each loading its implementation on first use: a browser's initial bundle carries only these
 * names and hashes, not the MODP primes, the BigInt arithmetic or the ECDH code, which most
 * connections (curve25519 or the hybrids) never run. The hash is here because the key exchange
 * reads it synchronously; each lazy row's hash is the one its implementation uses.
 */
import { sha1 } from "@noble/hashes/legacy.js";
import { sha256, sha384, sha512 } from "@noble/hashes/sha2.js";
import type { Hash, KexMethod } from "./kex-method.js";

function lazyKex(name: string, hash: Hash, load: () => Promise<KexMethod>): KexMethod {
  let loaded: Promise<KexMethod> | undefined;
  const method = (): Promise<KexMethod> => (loaded ??= load());
  return {
    name,
    hash,
    client: async (ctx) => (await method()).client(ctx),
    server: async (ctx, hostKey) => (await method()).server(ctx, hostKey),
  };
}

const ecdh = () => import("./ecdh-nist.js");
const dh = () => import("./dh-groups.js");
const gex = () => import("./dh-gex.js");

export const ecdhSha2Nistp256 = lazyKex("ecdh-sha2-nistp256", sha256, async () => (await ecdh()).ecdhSha2Nistp256);
export const ecdhSha2Nistp384 = lazyKex("ecdh-sha2-nistp384", sha384, async () => (await ecdh()).ecdhSha2Nistp384);
export const ecdhSha2Nistp521 = lazyKex("ecdh-sha2-nistp521", sha512, async () => (await ecdh()).ecdhSha2Nistp521);
export const dhGexSha256 = lazyKex("diffie-hellman-group-exchange-sha256", sha256, async () => (await gex()).dhGexSha256);
export const dhGroup16Sha512 = lazyKex("diffie-hellman-group16-sha512", sha512, async () => (await dh()).dhGroup16Sha512);
export const dhGroup18Sha512 = lazyKex("diffie-hellman-group18-sha512", sha512, async () => (await dh()).dhGroup18Sha512);
export const dhGroup14Sha256 = lazyKex("diffie-hellman-group14-sha256", sha256, async () => (await dh()).dhGroup14Sha256);
export const dhGroup14Sha1 = lazyKex("diffie-hellman-group14-sha1", sha1, async () => (await dh()).dhGroup14Sha1);
export const dhGroup1Sha1 = lazyKex("diffie-hellman-group1-sha1", sha1, async () => (await dh()).dhGroup1Sha1);
export const dhGexSha1 = lazyKex("diffie-hellman-group-exchange-sha1", sha1, async () => (await gex()).dhGexSha1);
