import { homedir } from "node:os";

/** "~" and "~/..." as a shell would expand them; other paths unchanged. */
export function expandHome(path: string): string {
  return path === "~" || path.startsWith("~/") ? homedir() + path.slice(1) : path;
}
