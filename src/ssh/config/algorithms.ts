import { matchPattern, matchPatternList } from "./patterns.js";
import type { ResolveSshConfigOptions } from "./types.js";

/**
 * Applies an ssh_config algorithm value (Ciphers, MACs, KexAlgorithms, HostKeyAlgorithms,
 * PubkeyAcceptedAlgorithms) to a default list, as OpenSSH's kex_assemble_names does:
 *
 * - `+a,b`  appends to the defaults (names already present are not repeated);
 * - `-a,b*` removes every default matching one of the patterns (wildcards allowed);
 * - `^a,b`  puts the names first, followed by the remaining defaults;
 * - `a,b`   exactly these.
 *
 * In every case but `-`, each entry of the resulting list is a pattern expanded against
 * `supported` (in `supported`'s order for wildcards), so unsupported names drop out and `aes*`
 * works. An empty value gives the defaults; a result with no algorithms, or a `!` pattern outside
 * the `-` form, throws.
 */
export function applyAlgorithmModifier(defaults: string[], value: string, supported: string[]): string[] {
  if (value === "") return [...defaults];
  const rest = value.slice(1);
  let list: string[];
  switch (value[0]) {
    case "-":
      return defaults.filter((name) => matchPatternList(name, rest) !== 1);
    case "+":
      list = concatNames(defaults, splitNames(rest));
      break;
    case "^":
      list = concatNames(splitNames(rest), defaults);
      break;
    default:
      list = value.split(",");
  }
  let out: string[] = [];
  for (const pattern of list) {
    if (pattern.startsWith("!")) {
      throw new Error(`algorithm list "${value}": negated patterns are only allowed after "-"`);
    }
    out = concatNames(out, supported.filter((name) => matchPattern(name, pattern)));
  }
  if (out.length === 0) throw new Error(`algorithm list "${value}" leaves no supported algorithm`);
  return out;
}

/**
 * OpenSSH's ciphers_valid / mac_valid / kex_names_valid / sshkey_names_valid2 on a value: whether
 * a Ciphers/MACs/KexAlgorithms/HostKeyAlgorithms/PubkeyAcceptedAlgorithms value names only
 * algorithms the client knows, so a config ssh would refuse is refused here too. `-` lists (and
 * everything, without `sup`) pass; key algorithm lists may use wildcards.
 */
export function algorithmsValid(
  sup: ResolveSshConfigOptions["supportedAlgorithms"],
  keyword: string,
  value: string,
): boolean {
  if (sup === undefined || value.startsWith("-")) return true;
  const names = value.startsWith("+") || value.startsWith("^") ? value.slice(1) : value;
  const isKey = keyword !== "kexalgorithms" && keyword !== "ciphers" && keyword !== "macs";
  const known = keyword === "kexalgorithms" ? sup.kex : keyword === "ciphers" ? sup.cipher : keyword === "macs" ? sup.mac : sup.key;
  if (names === "") return false;
  return names.split(",").every((name) => {
    if (isKey && /[*?]/.test(name)) return known.some((k) => matchPattern(k, name));
    return known.includes(name);
  });
}

function splitNames(s: string): string[] {
  return s === "" ? [] : s.split(",");
}

/** a followed by the names of b not already in a (kex_names_cat; stops at an empty name). */
function concatNames(a: readonly string[], b: readonly string[]): string[] {
  const out = [...a];
  for (const name of b) {
    if (name === "") break;
    if (!out.includes(name)) out.push(name);
  }
  return out;
}
