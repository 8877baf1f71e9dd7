/**
 * Text that comes from the vault or the file system (table names, ids, paths,
 * engine messages that quote them) made safe to print on a terminal: a table
 * named "\x1b[2J" must not clear the screen, a "\r" or "\n" must not fake a
 * line, a bidi override must not reorder what a person reads. Such characters
 * are shown as visible escapes; everything else is printed as is.
 */

/** C0 controls, DEL, C1 controls, and the bidi embedding/override/isolate characters. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;
const UNSAFE_CHARACTERS = new RegExp(UNSAFE_CHARACTER.source, 'gu');

function hex(character: string, digits: number): string {
  return character.charCodeAt(0).toString(16).padStart(digits, '0');
}

/** The escape a person sees: "\x1b" for controls, "\u202e" for bidi characters. */
function visibleEscape(character: string): string {
  return character.charCodeAt(0) <= 0xff ? `\\x${hex(character, 2)}` : `\\u${hex(character, 4)}`;
}

/** `text` with every control and bidi character replaced by a visible escape. */
export function printable(text: string): string {
  return text.replace(UNSAFE_CHARACTERS, visibleEscape);
}

export function hasUnsafeCharacters(text: string): boolean {
  return UNSAFE_CHARACTER.test(text);
}

/**
 * JSON text with the characters JSON.stringify leaves raw (DEL, C1, bidi) as
 * \uXXXX escapes: the same value once parsed, and nothing a terminal acts on.
 * (JSON.stringify already escapes C0 controls.)
 */
export function terminalSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(UNSAFE_CHARACTERS, (character) => `\\u${hex(character, 4)}`);
}
