// Waiting on a server's log: the server writes a connection's lines from its own process, so a
// test that has just seen the connection end may read the log before the last lines are there.

/** Resolves with the first log line matching `pattern`; rejects with the whole log on timeout. */
export async function waitForLog(
  server: { log(): string },
  pattern: RegExp,
  timeoutMs = 5_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const log = server.log();
    const line = log.split("\n").find((l) => pattern.test(l));
    if (line !== undefined) return line;
    if (Date.now() >= deadline) {
      throw new Error(`no line matching ${pattern} in the server log within ${timeoutMs} ms. Log:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
