import { hasUnsafeCharacters, printable } from './terminal-text.js';

/**
 * Quotes an argument for a POSIX shell so a printed command can be pasted as
 * is. An argument with control or bidi characters (a hostile table name) uses
 * $'...' quoting (bash, zsh, ksh; POSIX.1-2024) with visible escapes: the
 * command stays pasteable and prints nothing a terminal acts on.
 */
export function shellQuote(argument: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(argument)) return argument;
  if (hasUnsafeCharacters(argument)) {
    return `$'${printable(argument.replace(/\\/g, '\\\\').replace(/'/g, "\\'"))}'`;
  }
  return `'${argument.replace(/'/g, `'\\''`)}'`;
}

export function shellCommand(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}
