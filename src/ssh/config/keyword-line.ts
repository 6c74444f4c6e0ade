import type { SshConfigReader } from "./reader.js";
import type { ReadState, ResolveSshConfigOptions, Settings } from "./types.js";
import { convtime, FLAGS, lookupWord } from "./values.js";

/**
 * One keyword line as the keyword handlers see it: its arguments, taken one at a time with the
 * checks and error texts of readconf.c's process_config_line (parse_flag, parse_time, parse_int,
 * the multistate tables), and `keep` for ssh_config(5)'s rule that the first obtained value of
 * a parameter is used. A handler takes the arguments it uses; one left over is an error
 * (readconf.c's "extra arguments at end of line"), which the reading loop checks with `finish`.
 */

/** What a keyword handler reaches of the resolver besides its line. */
export interface KeywordContext {
  /** What the config has set so far. */
  readonly s: Settings;
  readonly reader: SshConfigReader;
  readonly supported?: ResolveSshConfigOptions["supportedAlgorithms"];
  note(text: string): void;
}

/** Acts on one line of its keyword (keyed by the lowercased keyword in the keyword tables). */
export type KeywordHandler = (line: KeywordLine) => void;

export class KeywordLine {
  /** Whether the line's Host/Match section applies (as the line began): if not, it is checked but sets nothing. */
  readonly applies: boolean;

  constructor(
    /** Lowercased, as the error texts name it. */
    readonly keyword: string,
    /** The arguments not taken yet. */
    readonly args: string[],
    /** The line after the keyword, not split: ProxyCommand, ProxyJump and Match read it whole. */
    readonly rest: string,
    readonly state: ReadState,
    readonly ctx: KeywordContext,
    /** Throws the SshConfigError that names this file and line. */
    readonly fail: (message: string) => never,
  ) {
    this.applies = state.active;
  }

  /** ssh_config(5): for each parameter, the first obtained value is used. */
  keep<K extends keyof Settings>(key: K, value: Settings[K]): void {
    if (this.applies && this.ctx.s[key] === undefined) this.ctx.s[key] = value;
  }

  next(): string | undefined {
    return this.args.shift();
  }

  /** Every argument left, for the keywords that take a list. */
  takeAll(): string[] {
    return this.args.splice(0);
  }

  required(): string {
    const a = this.next();
    if (a === undefined || a === "") this.fail(`missing argument for ${this.keyword}`);
    return a as string;
  }

  /** One word of a readconf.c multistate table (looked up lowercased). */
  choice<T>(table: Record<string, T>): T {
    const a = this.next();
    const v = lookupWord(table, a);
    if (v === undefined) this.fail(`unsupported option "${a ?? ""}" for ${this.keyword}`);
    return v as T;
  }

  /** parse_flag: yes/no/true/false. */
  flag(): boolean {
    return this.choice(FLAGS);
  }

  /** parse_time: seconds (convtime), or -1 for "none". */
  time(): number {
    const a = this.next();
    if (a === undefined || a === "") this.fail("missing time value");
    if (a === "none") return -1;
    const v = convtime(a as string);
    if (v < 0) this.fail(`invalid time value "${a}"`);
    return v;
  }

  /** parse_int: a decimal that fits an int. */
  int(): number {
    const a = this.next();
    if (a === undefined || !/^\s*\+?\d+$/.test(a) || Number(a) > 0x7fffffff) this.fail(`integer value "${a ?? ""}" invalid`);
    return Number(a);
  }

  /** readconf.c: a line must use all of its arguments. */
  finish(): void {
    if (this.args.length > 0) this.fail(`keyword ${this.keyword} extra arguments at end of line`);
  }
}
