/** Injectable logger. The CLI's writes to stderr, because stdout is the MCP stream. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

/** A logger that prints lines at or above `level` through `write` (console.error by default). */
export function createLogger(level: LogLevel, write: (line: string) => void = (l) => console.error(l)): Logger {
  const at = (l: Exclude<LogLevel, "silent">) => (message: string) => {
    if (ORDER[l] >= ORDER[level]) write(`[mcp-ssh] ${l}: ${message}`);
  };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
