// Issue 8: the test run fails on any unhandled promise rejection.
//
// Vitest 4 already fails the run on a rejection it sees while a file runs (checked: exit code 1,
// "Errors 1 error" with every test passing), but only as a run-level error that names no test, and
// a rejection that fires after a file's last test (a connection torn down late, a timer) is lost
// when the worker ends. This file pins each one to the test that leaked it and gives the end of
// each file a short grace period so late rejections are still seen.
import { afterAll, afterEach } from "vitest";

/** How long the end of a file waits for rejections from work its tests left running. */
const GRACE_MS = 100;

const pending = new Map<Promise<unknown>, unknown>();
const onUnhandled = (reason: unknown, promise: Promise<unknown>) => pending.set(promise, reason);
// A rejection handled late (after Node reported it) is handled after all.
const onHandled = (promise: Promise<unknown>) => pending.delete(promise);
process.on("unhandledRejection", onUnhandled);
process.on("rejectionHandled", onHandled);

function describeReason(reason: unknown): string {
  if (reason instanceof Error) return `${reason.name}: ${reason.message}\n${reason.stack ?? ""}`;
  return String(reason);
}

function throwIfAny(when: string): void {
  if (pending.size === 0) return;
  const reasons = [...pending.values()];
  pending.clear();
  throw new Error(`${reasons.length} unhandled promise rejection(s) ${when}:\n${reasons.map(describeReason).join("\n---\n")}`);
}

afterEach(async () => {
  // Node reports unhandled rejections after the microtask queue drains: let one macrotask pass.
  await new Promise((resolve) => setImmediate(resolve));
  throwIfAny("during this test");
});

afterAll(async () => {
  await new Promise((resolve) => setTimeout(resolve, GRACE_MS));
  try {
    throwIfAny(`within ${GRACE_MS} ms after this file's tests ended`);
  } finally {
    process.off("unhandledRejection", onUnhandled);
    process.off("rejectionHandled", onHandled);
  }
});
