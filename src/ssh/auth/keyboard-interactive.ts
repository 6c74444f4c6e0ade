/**
 * keyboard-interactive (RFC 4256): the server sends INFO_REQUESTs (name, instruction, prompts with
 * an echo flag), we answer each with INFO_RESPONSE. The caller's handler answers; with only a
 * password given, a request of one hidden prompt gets the password (what PAM's password prompt is).
 */
import { ProtocolError } from "../errors.js";
import type { Logger } from "../logger.js";
import { SshReader } from "../wire/reader.js";
import { SshWriter } from "../wire/writer.js";
import { safePeerText } from "../wire/peer-text.js";
import type { Reply } from "./userauth-replies.js";

export type KeyboardInteractiveHandler = (
  prompts: { prompt: string; echo: boolean }[],
  info: { name: string; instructions: string },
) => string[] | Promise<string[]>;

/** INFO_RESPONSE (RFC 4256 §3.4). */
const INFO_RESPONSE = 61;
/** A server asking more than this is not asking a person. */
const MAX_ROUNDS = 16;
const MAX_PROMPTS = 32;

export async function keyboardInteractive(
  c: { send(p: Uint8Array): Promise<void>; password?: string; keyboardInteractive?: KeyboardInteractiveHandler; logger: Logger },
  request: SshWriter,
  readReply: () => Promise<Reply>,
): Promise<{ kind: "success" } | { kind: "failure"; methods: string[]; why: string }> {
  // language tag and submethods: both empty (RFC 4256 §3.1).
  await c.send(request.string("").string("").finish().slice());
  let passwordUsed = false;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const reply = await readReply();
    if (reply.kind === "success") return reply;
    if (reply.kind === "failure") return { kind: "failure", methods: reply.methods, why: passwordUsed ? "the password was refused" : "refused by the server" };
    const r = new SshReader(reply.payload, 1);
    const name = safePeerText(r.text(1024));
    const instructions = safePeerText(r.text(8192), { keepNewlines: true });
    r.text(64); // language tag
    const count = r.uint32();
    if (count > MAX_PROMPTS) throw new ProtocolError(`keyboard-interactive request with ${count} prompts`);
    const prompts: { prompt: string; echo: boolean }[] = [];
    for (let i = 0; i < count; i++) prompts.push({ prompt: safePeerText(r.text(4096)), echo: r.boolean() });
    r.end("USERAUTH_INFO_REQUEST");
    let answers: string[];
    if (c.keyboardInteractive) {
      answers = await c.keyboardInteractive(prompts, { name, instructions });
      if (!Array.isArray(answers) || answers.length !== count) {
        throw new TypeError(`keyboardInteractive must return ${count} answer(s), one per prompt; it returned ${Array.isArray(answers) ? answers.length : typeof answers}`);
      }
    } else if (count === 0) {
      answers = [];
    } else if (count === 1 && !prompts[0]!.echo && c.password !== undefined && !passwordUsed) {
      answers = [c.password];
      passwordUsed = true;
    } else {
      c.logger.debug(`keyboard-interactive asks ${count} prompt(s) and no keyboardInteractive handler was given`);
      answers = prompts.map(() => "");
    }
    const w = new SshWriter(64).byte(INFO_RESPONSE).uint32(answers.length);
    for (const a of answers) w.string(a);
    await c.send(w.finish().slice());
  }
  throw new ProtocolError(`keyboard-interactive did not finish within ${MAX_ROUNDS} rounds`);
}
