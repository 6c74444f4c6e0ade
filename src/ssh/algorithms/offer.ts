/**
 * The lists we put in KEXINIT: the defaults of each table, or the caller's choice in one of the
 * forms of ssh_config(5) (KexAlgorithms etc.): a plain list = exactly these, in order; "+a,b"
 * appends to the defaults; "-a,b*" removes (wildcards allowed); "^a,b" puts them first.
 * A name we do not implement is a configuration error, never dropped silently.
 */
import { ConfigurationError } from "../errors.js";
import { matchPattern } from "../keys/host-patterns.js";
import { kexMethods } from "./kex.js";
import { ciphers } from "./ciphers.js";
import { macs } from "./macs.js";
import { hostKeyAlgorithms, publicKeyAlgorithms } from "./host-keys.js";
import type { AlgorithmTable } from "./table.js";

export interface AlgorithmPreferences {
  kex?: string[] | string;
  hostKey?: string[] | string;
  cipher?: string[] | string;
  mac?: string[] | string;
  /** Signature algorithms for our user keys (PubkeyAcceptedAlgorithms). */
  publicKey?: string[] | string;
}

export interface OfferedAlgorithms {
  kex: string[];
  hostKey: string[];
  cipher: string[];
  mac: string[];
  publicKey: string[];
}

const TABLES = { kex: kexMethods, hostKey: hostKeyAlgorithms, cipher: ciphers, mac: macs, publicKey: publicKeyAlgorithms } as const;

export function offeredAlgorithms(requested: AlgorithmPreferences = {}): OfferedAlgorithms {
  return {
    kex: resolveList(TABLES.kex, requested.kex),
    hostKey: resolveList(TABLES.hostKey, requested.hostKey),
    cipher: resolveList(TABLES.cipher, requested.cipher),
    mac: resolveList(TABLES.mac, requested.mac, { mayBeEmpty: true }),
    publicKey: resolveList(TABLES.publicKey, requested.publicKey),
  };
}

/** One category's list from the caller's form (see the file comment). */
export function resolveList(table: AlgorithmTable<unknown>, requested?: string[] | string, opts: { mayBeEmpty?: boolean } = {}): string[] {
  const defaults = table.defaults;
  if (requested === undefined) return defaults;
  const names = (typeof requested === "string" ? [requested] : requested).flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean);
  const option = `algorithms.${table.category}`;
  if (names.length === 0) {
    if (opts.mayBeEmpty) return [];
    throw new ConfigurationError(`${option} must not be empty (supported: ${table.names.join(", ")})`);
  }
  const first = names[0]!;
  const modifier = first[0] === "+" || first[0] === "-" || first[0] === "^" ? first[0] : "";
  if (modifier) names[0] = first.slice(1);
  if (modifier === "-") {
    const left = defaults.filter((a) => !names.some((p) => matchPattern(a, p)));
    // ssh(1) refuses such a list at once ("Bad SSH2 cipher spec"), not at negotiation.
    if (left.length === 0 && !opts.mayBeEmpty) {
      throw new ConfigurationError(`${option} "-${names.join(",")}" removes every algorithm (supported: ${table.names.join(", ")})`);
    }
    return left;
  }
  for (const a of names) {
    if (!table.has(a)) throw new ConfigurationError(`${option}: "${a}" is not supported (supported: ${table.names.join(", ")})`);
  }
  const unique = [...new Set(names)];
  if (modifier === "+") return [...defaults, ...unique.filter((a) => !defaults.includes(a))];
  if (modifier === "^") return [...unique, ...defaults.filter((a) => !unique.includes(a))];
  return unique;
}
