/** Packet ciphers, in OpenSSH 10's client order (ssh_config(5) Ciphers default) minus what we lack. */
import type { CipherFactory } from "../cipher/cipher.js";
import { chacha20Poly1305 } from "../cipher/select.js";
import { AlgorithmTable } from "./table.js";

export const ciphers = new AlgorithmTable<CipherFactory>("cipher");
ciphers.add(chacha20Poly1305.name, chacha20Poly1305);
