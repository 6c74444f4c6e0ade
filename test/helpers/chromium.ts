// Debian's Chromium, headless, driven by playwright-core: what the browser demo tests load the
// page in. A missing Chromium fails with what to install.
import { accessSync, constants } from "node:fs";
import { chromium, type BrowserContext } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

/** A headless Chromium with its profile in `profileDir` (a throwaway directory of the test's). */
export async function launchChromium(profileDir: string): Promise<BrowserContext> {
  try {
    accessSync(CHROMIUM, constants.X_OK);
  } catch {
    throw new Error(`${CHROMIUM} not found; install it: apt-get install chromium`);
  }
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    timeout: 60_000,
  });
}
