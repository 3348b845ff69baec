/**
 * Text for a person's terminal. Values printed by the CLI came, in the end, from merchants
 * (emails, remarks, addresses, request ids) or from chains, and rows written before the API
 * refused such characters may still hold them: a raw ESC starts an ANSI sequence that can
 * recolour, hide or rewrite what an operator reads, a bidi override reorders an address on
 * screen. Every one of them is shown as a visible escape instead (`\x1b`, `\u202e`).
 * JSON output (`--json`) needs none of this: JSON.stringify escapes control characters.
 */

// C0 (newline aside, kept as layout), DEL, C1, line/paragraph separators, bidi controls, lone surrogates.
const unsafe = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]/gu;
const unsafeWithNewline = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]/gu;

function visible(ch: string): string {
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `text` with every control or formatting character replaced by a visible escape. Newlines are
 * kept (they lay out the CLI's own output) unless `newlines: 'escape'`, for single-line cells.
 */
export function escapeForTerminal(text: string, options: { newlines?: 'keep' | 'escape' } = {}): string {
  return text.replace(options.newlines === 'escape' ? unsafeWithNewline : unsafe, visible);
}
