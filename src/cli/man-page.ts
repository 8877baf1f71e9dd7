/**
 * vaultstore-admin(1) in roff, made from the same option table and words as
 * --help (options.ts, help-text.ts). `npm run man` writes it to
 * docs/vaultstore-admin.1; a test fails when the checked-in copy is stale.
 */
import { EXIT_MEANINGS } from './exit-codes.js';
import { COMMAND_HELP, DATABASES_HELP, PROGRAM_SUMMARY } from './help-text.js';
import { COMMANDS, COMMAND_SPECS, optionLabel } from './options.js';
import { CLI_NAME } from './resume-command.js';
import { CLI_VERSION } from './version.js';

/** Text safe for roff: backslashes escaped, hyphens literal, no line read as a request. */
function roff(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .replace(/^([.'])/gm, '\\&$1');
}

function paragraphs(texts: readonly string[]): string[] {
  return texts.flatMap((text) => ['.PP', roff(text)]);
}

/** ".TP" items: a bold label, then its text. */
function items(rows: readonly (readonly [string, string])[]): string[] {
  return rows.flatMap(([label, text]) => ['.TP', `.B ${roff(label)}`, roff(text)]);
}

export function manPage(): string {
  const lines = [
    `.TH ${CLI_NAME.toUpperCase()} 1 "" "${CLI_NAME} ${CLI_VERSION}" "User Commands"`,
    '.SH NAME',
    `${CLI_NAME} \\- ${roff(PROGRAM_SUMMARY)}`,
    '.SH SYNOPSIS',
    ...COMMANDS.flatMap((command) => [
      `.B ${CLI_NAME} ${command}`,
      roff(COMMAND_HELP[command].usage),
      '.br',
    ]),
    `.B ${CLI_NAME} help`,
    '[command | databases]',
    '.br',
    `.B ${CLI_NAME} \\-\\-version`,
    '.SH COMMANDS',
  ];
  for (const command of COMMANDS) {
    const help = COMMAND_HELP[command];
    lines.push(
      `.SS ${command}`,
      ...paragraphs(help.description),
      '.PP',
      'Options:',
      ...items(COMMAND_SPECS[command].map((spec) => [optionLabel(spec), spec.help])),
      ...paragraphs(help.notes),
      '.PP',
      'Examples:',
      ...help.examples.flatMap((example) => ['.PP', '.RS', roff(example), '.RE']),
    );
  }
  lines.push(
    '.SH DATABASE SERVERS',
    ...paragraphs(DATABASES_HELP),
    '.SH EXIT STATUS',
    ...items(EXIT_MEANINGS.map(([code, text]) => [String(code), text])),
    '.SH ENVIRONMENT',
    '.TP',
    '.B NO_COLOR',
    roff('when set (to anything but the empty string), "error:" and "warning:" are not coloured.'),
    '.TP',
    '.B XDG_STATE_HOME',
    roff('the state folder of server vaults is $XDG_STATE_HOME/vaultstore-admin.'),
    '.SH SEE ALSO',
    roff('docs/cli.md in the project, the whole reference (JSON output, resume, guarantees).'),
  );
  return `${lines.join('\n')}\n`;
}
