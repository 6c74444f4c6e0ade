/** MACs for non-AEAD ciphers, in OpenSSH 10's client order (ssh_config(5) MACs default). */
import type { MacAlgorithm } from "../cipher/cipher.js";
import { AlgorithmTable } from "./table.js";

export const macs = new AlgorithmTable<MacAlgorithm>("mac");
