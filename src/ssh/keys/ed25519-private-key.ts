/** Kept for importers of the ed25519-only days: every key type is a PrivateKey now. */
export { PrivateKey as Ed25519PrivateKey } from "./private-key.js";
