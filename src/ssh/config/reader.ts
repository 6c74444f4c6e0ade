/**
 * Everything the resolver needs from its surroundings. Node passes the real filesystem
 * (src/platform/node/ssh-config-files.ts); a browser passes `{ text }` to resolveSshConfig and a
 * reader with no files.
 */
export interface SshConfigReader {
  /** The file's text, or null when it does not exist. */
  readFile(path: string): string | null;
  /** Paths matching a glob(3) pattern (`*`, `?`, `[...]`; `~` is already expanded), sorted. */
  glob(pattern: string): string[];
  /** The local user's home directory (`~`, `%d`). */
  homeDir: string;
  /** The local user's name (`%u`, `Match localuser`, the default User). */
  localUser: string;
  /** The local host name for `%l`, `%L` and `%C`; tokens needing it fail without it. */
  localHostName?: string;
  /** The local user id for `%i`. */
  uid?: number;
  /** Environment variables for `${NAME}`; without it such references are errors. */
  env?: (name: string) => string | undefined;
}

/** A reader with no filesystem, for `{ text }` and `{ none }` (Include then finds nothing). */
export function memorySshConfigReader(
  base: { homeDir?: string; localUser?: string; files?: Record<string, string> } = {},
): SshConfigReader {
  const files = base.files ?? {};
  return {
    readFile: (path) => files[path] ?? null,
    glob: (pattern) => {
      const re = new RegExp(
        "^" +
          pattern.replace(/[.+^${}()|\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]") +
          "$",
      );
      return Object.keys(files)
        .filter((p) => re.test(p))
        .sort();
    },
    homeDir: base.homeDir ?? "/",
    localUser: base.localUser ?? "user",
  };
}
