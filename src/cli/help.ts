/** --help laid out for an 80-column terminal from options.ts and help-text.ts. */
import { EXIT_MEANINGS } from './exit-codes.js';
import { COMMAND_HELP, DATABASES_HELP, MORE_HELP, PROGRAM_SUMMARY } from './help-text.js';
import {
  COMMANDS,
  COMMAND_SPECS,
  optionLabel,
  type CommandName,
  type HelpTopic,
} from './options.js';
import { CLI_NAME } from './resume-command.js';

const WIDTH = 80;
/** the description column never starts further right than this */
const MAX_LABEL_COLUMN = 30;

/** Words of `text` in lines of at most `width` characters (a longer word gets a line of its own). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

function paragraph(text: string, indent = ''): string[] {
  return wrap(text, WIDTH - indent.length).map((line) => `${indent}${line}`);
}

/**
 * Two columns: each label, then its text wrapped in a column that starts at
 * the same place on every row (a label too long for it gets a line of its own).
 */
export function twoColumns(rows: readonly (readonly [string, string])[], indent = '  '): string[] {
  const fitting = rows.map(([label]) => label.length).filter((n) => n <= MAX_LABEL_COLUMN - 2);
  const column = indent.length + Math.max(0, ...fitting) + 2;
  const lines: string[] = [];
  for (const [label, text] of rows) {
    const wrapped = wrap(text, WIDTH - column);
    const head = `${indent}${label}`;
    if (head.length + 2 > column) {
      lines.push(head);
    } else {
      lines.push(`${head.padEnd(column)}${wrapped.shift() ?? ''}`.trimEnd());
    }
    for (const rest of wrapped) lines.push(`${' '.repeat(column)}${rest}`);
  }
  return lines;
}

function blocks(...sections: readonly (readonly string[])[]): string {
  return `${sections
    .filter((section) => section.length > 0)
    .map((section) => section.join('\n'))
    .join('\n\n')}\n`;
}

function commandHelp(command: CommandName): string {
  const help = COMMAND_HELP[command];
  const options = COMMAND_SPECS[command].map((spec) => [optionLabel(spec), spec.help] as const);
  return blocks(
    [`Usage: ${CLI_NAME} ${command} ${help.usage}`],
    ...help.description.map((text) => paragraph(text)),
    ['Options:', ...twoColumns(options)],
    ...help.notes.map((text) => paragraph(text)),
    help.examples.length === 0
      ? []
      : [
          help.examples.length === 1 ? 'Example:' : 'Examples:',
          ...help.examples.map((e) => `  ${e}`),
        ],
  );
}

function globalHelp(): string {
  return blocks(
    paragraph(`${CLI_NAME}: ${PROGRAM_SUMMARY}.`),
    [
      'Usage:',
      ...COMMANDS.map((command) => `  ${CLI_NAME} ${command} ${COMMAND_HELP[command].usage}`),
      `  ${CLI_NAME} help [command | databases]`,
      `  ${CLI_NAME} --version`,
    ],
    [
      'Commands:',
      ...twoColumns(COMMANDS.map((command) => [command, COMMAND_HELP[command].summary])),
    ],
    ['Exit codes:', ...twoColumns(EXIT_MEANINGS.map(([code, text]) => [String(code), text]))],
    paragraph(MORE_HELP),
  );
}

function databasesHelp(): string {
  return blocks(
    [`Vaults in a database server (${CLI_NAME} info | rotate | verify <connection string>)`],
    ...DATABASES_HELP.map((text) => paragraph(text)),
  );
}

export function helpText(topic: HelpTopic | null): string {
  if (topic === null) return globalHelp();
  if (topic === 'databases') return databasesHelp();
  return commandHelp(topic);
}
