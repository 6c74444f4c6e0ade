/**
 * sshd's MaxStartups (sshd_config(5)): how many unauthenticated connections a server holds at once,
 * and "random early drop" between `start` and `full`. With `start` connections waiting to log in, a
 * new one is refused with probability rate/100; the probability rises linearly to 1 at `full`.
 * A single number N is sshd's hard form, N:100:N. sshd's default is 10:30:100.
 */
import { ConfigurationError } from "./errors.js";

export interface MaxStartups {
  /** Unauthenticated connections always accepted below this. */
  start: number;
  /** Percent of new connections refused at `start`. */
  rate: number;
  /** At this many, every new connection is refused. */
  full: number;
}

export const DEFAULT_MAX_STARTUPS: MaxStartups = { start: 10, rate: 30, full: 100 };

/** A number (the hard limit) or the three parts, checked as sshd checks them. */
export function maxStartupsOf(value: number | MaxStartups): MaxStartups {
  const m = typeof value === "number" ? { start: value, rate: 100, full: value } : value;
  const whole = (n: number) => Number.isInteger(n) && n > 0;
  if (!whole(m.start) || !whole(m.full) || m.full < m.start || !Number.isInteger(m.rate) || m.rate < 1 || m.rate > 100) {
    throw new ConfigurationError(
      `maxStartups must be N or start:rate:full with 0 < start <= full and 1 <= rate <= 100 (sshd's MaxStartups), got ${formatMaxStartups(m)}`,
    );
  }
  return m;
}

/** "start:rate:full", or "N" for the hard form. */
export function formatMaxStartups(m: MaxStartups): string {
  return m.rate === 100 && m.start === m.full ? String(m.start) : `${m.start}:${m.rate}:${m.full}`;
}

/** "N" or "start:rate:full" as sshd_config and `mcp-ssh serve --max-startups` write it. */
export function parseMaxStartups(text: string): MaxStartups {
  const parts = /^(\d+)(?::(\d+):(\d+))?$/.exec(text.trim());
  if (!parts) throw new ConfigurationError(`max-startups must be N or start:rate:full (e.g. 10:30:100), got "${text}"`);
  return maxStartupsOf(parts[2] === undefined ? Number(parts[1]) : { start: Number(parts[1]), rate: Number(parts[2]), full: Number(parts[3]) });
}

/**
 * Should a new connection be refused, with `unauthenticated` already waiting? `random` is a
 * uniform number in [0, 1) (a parameter so the rule itself is a pure function).
 */
export function dropStartup(m: MaxStartups, unauthenticated: number, random: number): boolean {
  if (unauthenticated < m.start) return false;
  if (unauthenticated >= m.full) return true;
  const percent = m.rate + ((100 - m.rate) * (unauthenticated - m.start)) / (m.full - m.start);
  return random * 100 < percent;
}

/** A uniform number in [0, 1) from the Web Crypto generator (a peer must not predict the drops). */
export function startupRandom(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]! / 2 ** 32;
}
