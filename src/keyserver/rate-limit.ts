// Requests per minute per client address, as a token bucket: a client may burst up to the limit,
// then gets one request back every 60/limit seconds. Memory stays bounded whatever the number of
// addresses: full buckets carry no information and are dropped, and past MAX_TRACKED the oldest
// entries go.

import { parseIpv6 } from "./loopback.js";

const MAX_TRACKED = 10_000;

interface Bucket {
  tokens: number;
  updated: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly refillPerMs: number;

  constructor(
    /** Requests per minute; 0 turns the limit off. */
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(perMinute) || perMinute < 0) {
      throw new RangeError(`rate limit must be a whole number of requests per minute (0 = off), got ${perMinute}`);
    }
    this.refillPerMs = perMinute / 60_000;
  }

  /** Take one request from `client`'s bucket; false when it is empty. */
  allow(client: string): boolean {
    if (this.perMinute === 0) return true;
    const t = this.now();
    const bucket = this.buckets.get(client);
    let tokens = this.perMinute;
    if (bucket) tokens = Math.min(this.perMinute, bucket.tokens + (t - bucket.updated) * this.refillPerMs);
    if (tokens < 1) {
      bucket!.tokens = tokens;
      bucket!.updated = t;
      return false;
    }
    // Re-insert so Map order is least-recently-used first, for the eviction below.
    this.buckets.delete(client);
    this.buckets.set(client, { tokens: tokens - 1, updated: t });
    if (this.buckets.size > MAX_TRACKED) this.evict(t);
    return true;
  }

  /** Number of addresses currently tracked (for tests and diagnostics). */
  get size(): number {
    return this.buckets.size;
  }

  private evict(t: number): void {
    for (const [client, b] of this.buckets) {
      if (b.tokens + (t - b.updated) * this.refillPerMs >= this.perMinute) this.buckets.delete(client);
    }
    // Down to 90%, so a flood of new addresses costs one scan per thousand, not one per request.
    for (const client of this.buckets.keys()) {
      if (this.buckets.size <= MAX_TRACKED * 0.9) break;
      this.buckets.delete(client);
    }
  }
}

/**
 * The bucket a client address counts against: an IPv4 address itself, an IPv6 address's /64. One
 * IPv6 host is usually given a whole /64 (RFC 4291 §2.5.1 interface identifiers, RFC 8981 temporary
 * addresses), so a limit per address would let it take fresh addresses at will. Anything that is
 * not an IPv6 literal is used as it is.
 */
export function rateLimitBucket(address: string): string {
  const ip = address.replace(/%.*$/, ""); // a zone index (fe80::1%eth0) names the link, not the host
  const b = ip.includes(":") ? parseIpv6(ip) : undefined;
  if (!b) return address;
  const prefix = [0, 2, 4, 6].map((i) => (b[i]! << 8) | b[i + 1]!);
  return `${canonicalIPv6([...prefix, 0, 0, 0, 0])}/64`;
}

/** RFC 5952 §4 text of eight 16-bit groups: lower-case hex, the longest run of 2+ zero groups as "::". */
function canonicalIPv6(groups: number[]): string {
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = (g: number[]) => g.map((x) => x.toString(16)).join(":");
  return best < 0 ? hex(groups) : `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLength))}`;
}
