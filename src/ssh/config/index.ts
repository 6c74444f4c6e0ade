export { applyAlgorithmModifier } from "./algorithms.js";
export { memorySshConfigReader, type SshConfigReader } from "./reader.js";
export {
  resolveSshConfig,
  SshConfigError,
  type JumpHop,
  type ResolvedSshConfig,
  type ResolveSshConfigOptions,
  type StrictHostKeyChecking,
} from "./resolve.js";
