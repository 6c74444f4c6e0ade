import { algorithmsValid } from "./algorithms.js";
import type { KeywordHandler } from "./keyword-line.js";
import type { Settings } from "./types.js";
import { scanScaled } from "./values.js";

/**
 * The keywords of the transport: the algorithm lists (checked against the names the client
 * knows, as readconf.c checks them with ciphers_valid, mac_valid, kex_names_valid and
 * sshkey_names_valid2) and RekeyLimit (a size, then optionally a time: readconf.c's oRekeyLimit).
 * PubkeyAcceptedKeyTypes is the old name of PubkeyAcceptedAlgorithms.
 */

type AlgorithmField = "kexAlgorithms" | "ciphers" | "macs" | "hostKeyAlgorithms" | "pubkeyAcceptedAlgorithms";

const algorithmList =
  (field: AlgorithmField): KeywordHandler =>
  (l) => {
    const v = l.required();
    if (!algorithmsValid(l.ctx.supported, l.keyword, v)) l.fail(`Bad SSH2 algorithm list '${v}' for ${l.keyword}`);
    const s: Settings = l.ctx.s;
    if (l.applies && s[field] === undefined) s[field] = v;
  };

export const TRANSPORT_KEYWORDS: Record<string, KeywordHandler> = {
  kexalgorithms: algorithmList("kexAlgorithms"),
  ciphers: algorithmList("ciphers"),
  macs: algorithmList("macs"),
  hostkeyalgorithms: algorithmList("hostKeyAlgorithms"),
  pubkeyacceptedalgorithms: algorithmList("pubkeyAcceptedAlgorithms"),
  pubkeyacceptedkeytypes: algorithmList("pubkeyAcceptedAlgorithms"),
  rekeylimit: (l) => {
    const s = l.ctx.s;
    const a = l.required();
    let bytes = 0;
    if (a !== "default") {
      const v = scanScaled(a);
      if (v === null) l.fail(`Bad number '${a}'`);
      if (v !== 0 && (v as number) < 16) l.fail("RekeyLimit too small");
      bytes = v as number;
    }
    if (l.applies && s.rekeyBytes === undefined) s.rekeyBytes = bytes;
    if (l.args.length > 0) {
      if (l.args[0] === "none") {
        l.next();
      } else {
        const t = l.time();
        if (l.applies && s.rekeySeconds === undefined) s.rekeySeconds = t;
      }
    }
  },
};
