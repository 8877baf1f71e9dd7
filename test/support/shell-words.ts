/**
 * Splits a command line as a POSIX shell does, for the commands the app
 * shows to copy (no variables, no globbing, no operators): words separated by
 * blanks, '...' and "..." quoting, backslash escapes, backslash-newline
 * continuations, and a leading unquoted ~/ expanded to `home` when given.
 * Anything else a shell would treat specially (;, |, &, $, `) unquoted is an
 * error: such a command would not do what it says.
 */
export function splitShellWords(text: string, home?: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let index = 0;
  const append = (piece: string): void => {
    word = (word ?? '') + piece;
  };
  while (index < text.length) {
    const char = text[index]!;
    if (char === '\\') {
      const next = text[index + 1];
      if (next === undefined) throw new Error('a backslash ends the command');
      if (next !== '\n') append(next);
      index += 2;
      continue;
    }
    if (char === "'") {
      const end = text.indexOf("'", index + 1);
      if (end < 0) throw new Error('an unclosed single quote');
      append(text.slice(index + 1, end));
      index = end + 1;
      continue;
    }
    if (char === '"') {
      let piece = '';
      index += 1;
      while (text[index] !== '"') {
        if (index >= text.length) throw new Error('an unclosed double quote');
        if (/[$`]/.test(text[index]!)) throw new Error(`${text[index]} inside double quotes`);
        if (text[index] === '\\' && /["\\$`]/.test(text[index + 1] ?? '')) index += 1;
        piece += text[index];
        index += 1;
      }
      append(piece);
      index += 1;
      continue;
    }
    if (/\s/.test(char)) {
      if (word !== null) words.push(word);
      word = null;
      index += 1;
      continue;
    }
    if (/[;|&$`<>(){}*?[\]#!]/.test(char)) {
      throw new Error(`an unquoted ${char} at ${index}: the shell would not pass it as written`);
    }
    if (char === '~' && word === null && text[index + 1] === '/' && home !== undefined) {
      append(home);
      index += 1;
      continue;
    }
    append(char);
    index += 1;
  }
  if (word !== null) words.push(word);
  return words;
}
