/**
 * One table per algorithm category (kex, host key, cipher, MAC, user-key signature). A row is an
 * algorithm name with its implementation; the table's order is our preference. The offered lists,
 * the defaults and the "supported" lists in errors are all read from the tables, so adding an
 * algorithm is one file and one `add` call (as golang.org/x/crypto/ssh does with kexAlgoMap,
 * cipherModes and macModes).
 */
export interface AlgorithmRow<T> {
  readonly name: string;
  readonly value: T;
  /** Offered when the caller names no list (OpenSSH's default set); false = only when named. */
  readonly byDefault: boolean;
  /**
   * Loads code `value` needs but that is imported only on first use (`import()`), for rows whose
   * value is used synchronously once chosen (a cipher's `create`); awaited at negotiation.
   */
  readonly load?: () => Promise<unknown>;
}

export class AlgorithmTable<T> {
  private readonly rows: AlgorithmRow<T>[] = [];

  /** `category` is the option key (`algorithms.<category>`) that errors name. */
  constructor(readonly category: string) {}

  /**
   * Add a row at the end of the preference order, or before `before`. Re-adding a name replaces
   * its implementation in place (a faster kernel for the same algorithm).
   */
  add(name: string, value: T, opts: { byDefault?: boolean; before?: string; load?: () => Promise<unknown> } = {}): this {
    const row = { name, value, byDefault: opts.byDefault ?? true, load: opts.load };
    const existing = this.rows.findIndex((r) => r.name === name);
    if (existing >= 0) {
      this.rows[existing] = row;
      return this;
    }
    const at = opts.before === undefined ? -1 : this.rows.findIndex((r) => r.name === opts.before);
    if (at >= 0) this.rows.splice(at, 0, row);
    else this.rows.push(row);
    return this;
  }

  /** Take a row out (tests that add a throwaway row clean up with this). */
  remove(name: string): void {
    const i = this.rows.findIndex((r) => r.name === name);
    if (i >= 0) this.rows.splice(i, 1);
  }

  get(name: string): T | undefined {
    return this.rows.find((r) => r.name === name)?.value;
  }

  /** Resolves once the row's lazily imported code is loaded (at once for rows that have none). */
  async ready(name: string): Promise<void> {
    await this.rows.find((r) => r.name === name)?.load?.();
  }

  has(name: string): boolean {
    return this.rows.some((r) => r.name === name);
  }

  /** Every name we implement, in preference order. */
  get names(): string[] {
    return this.rows.map((r) => r.name);
  }

  /** What we offer when the caller names no list. */
  get defaults(): string[] {
    return this.rows.filter((r) => r.byDefault).map((r) => r.name);
  }
}
