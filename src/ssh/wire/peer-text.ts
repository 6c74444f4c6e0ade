/**
 * Text the peer chooses (DISCONNECT and DEBUG descriptions, banners, exit-signal names, channel-open
 * failure reasons, remote stderr) may reach a user's terminal through logs and error messages. An
 * escape sequence there could move the cursor, retitle the window or write to the clipboard
 * (OSC 52). Every C0 control, DEL and every C1 control (U+0080-U+009F: CSI, OSC, DCS, ST, ...) is
 * replaced; `keepNewlines` keeps LF (and TAB) for multi-line text such as a banner.
 */
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\x00-\x1f\x7f-\x9f]/g;
// eslint-disable-next-line no-control-regex
const CONTROLS_BUT_LINES = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

export function safePeerText(text: string, opts: { keepNewlines?: boolean; replacement?: string } = {}): string {
  return text.replace(opts.keepNewlines ? CONTROLS_BUT_LINES : CONTROLS, opts.replacement ?? "?");
}
