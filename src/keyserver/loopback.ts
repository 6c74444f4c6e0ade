// When may the key-server client use plain HTTP? Over HTTP anyone on the network path can hand
// out a fake host key (and read the enrollment token), so only when the traffic never leaves this
// machine (a loopback address), or when the user explicitly accepts that risk.

function ipv4Loopback(host: string): boolean | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return undefined;
  const parts = m.slice(1);
  // Leading zeros are octal to some resolvers (0127.0.0.1 = 87.0.0.1): not provably loopback.
  if (parts.some((p) => (p.length > 1 && p.startsWith("0")) || Number(p) > 255)) return false;
  return parts[0] === "127";
}

/** The 16 bytes of an IPv6 literal (RFC 4291 §2.2 text forms), or undefined if it is not one. */
export function parseIpv6(text: string): number[] | undefined {
  let s = text;
  const tail: number[] = [];
  const v4 = /^(.*:)(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(s);
  if (v4) {
    const octets = v4[2]!.split(".").map(Number);
    if (octets.some((o) => o > 255)) return undefined;
    tail.push(...octets);
    s = v4[1]!.endsWith("::") ? v4[1]! : v4[1]!.slice(0, -1);
  }
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const words = (tail.length ? 6 : 8) - head.length - rest.length;
  if (halves.length === 1 ? words !== 0 : words < 1) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? words : 0).fill("0"), ...rest];
  const bytes: number[] = [];
  for (const g of all) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined;
    const v = parseInt(g, 16);
    bytes.push(v >> 8, v & 0xff);
  }
  return [...bytes, ...tail];
}

/** 127.0.0.0/8, ::1, ::ffff:127.0.0.0/104 and "localhost"; brackets around IPv6 are allowed. */
export function isLoopbackHost(host: string): boolean {
  let h = host.trim().toLowerCase();
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1);
  if (h.endsWith(".")) h = h.slice(0, -1);
  if (h === "localhost") return true;
  const v4 = ipv4Loopback(h);
  if (v4 !== undefined) return v4;
  if (!h.includes(":")) return false;
  const b = parseIpv6(h);
  if (!b) return false;
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (zeros(0, 15) && b[15] === 1) return true;
  return zeros(0, 10) && b[10] === 0xff && b[11] === 0xff && b[12] === 127;
}

export type PlainHttpDecision =
  | { allowed: true; reason: "loopback" | "allowHttp" }
  | { allowed: false; reason: "not loopback" };

/** Whether plain HTTP to `host` may be used: loopback always, anything else only with allowHttp. */
export function plainHttpDecision(host: string, allowHttp: boolean): PlainHttpDecision {
  if (isLoopbackHost(host)) return { allowed: true, reason: "loopback" };
  if (allowHttp) return { allowed: true, reason: "allowHttp" };
  return { allowed: false, reason: "not loopback" };
}

/** A host as it goes into a URL: IPv6 literals in brackets. */
export function urlHost(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}
