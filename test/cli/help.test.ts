/**
 * Help, the man page and did-you-mean, all made from the one option table
 * (src/cli/options.ts); the --json shapes; colour for error/warning.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/cli/args.js';
import { UsageError } from '../../src/cli/cli-error.js';
import { colourLabels, colourWanted, withColouredLabels } from '../../src/cli/colour.js';
import { preflightJson, summaryJson } from '../../src/cli/commands/rotate-report.js';
import { closestName, didYouMean, editDistance } from '../../src/cli/did-you-mean.js';
import { EXIT, EXIT_MEANINGS } from '../../src/cli/exit-codes.js';
import { helpText, twoColumns, wrap } from '../../src/cli/help.js';
import { DATABASES_HELP } from '../../src/cli/help-text.js';
import { versioned, JSON_SCHEMA_VERSION } from '../../src/cli/json-output.js';
import { manPage } from '../../src/cli/man-page.js';
import { COMMANDS, COMMAND_SPECS, optionLabel, parseArgsOptions } from '../../src/cli/options.js';
import type { PreflightResult, RotationResult } from '../../src/engine/rotation/types.js';
import { repoRoot } from '../support/cli.js';

function usageMessage(argv: string[]): string {
  try {
    parseCommandLine(argv);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
}

/** The column where the text of each option row starts (continuation lines too). */
function optionColumns(help: string): number[] {
  const section = help.split('Options:\n')[1]!.split('\n\n')[0]!;
  return section.split('\n').map((line) => {
    // A label holds single spaces only ("-h, --help", "--table NAME"): two end it.
    const head = line.startsWith('  -') ? /^ {2}\S.*? {2,}/.exec(line) : null;
    return head ? head[0].length : line.length - line.trimStart().length;
  });
}

describe('help is generated from the option table', () => {
  it.each(COMMANDS)(
    '%s --help lists every option of the table, in one aligned column',
    (command) => {
      const help = helpText(command);
      for (const spec of COMMAND_SPECS[command]) expect(help).toContain(`  ${optionLabel(spec)}  `);
      expect(new Set(optionColumns(help)).size).toBe(1);
      for (const line of help.split('\n')) {
        // Only an example command may run past 80 columns (it is meant to be copied whole).
        if (
          !line.startsWith(`  vaultstore-admin ${command} `) &&
          !line.includes('| vaultstore-admin')
        ) {
          expect(line.length, line).toBeLessThanOrEqual(80);
        }
      }
    },
  );

  it('parseArgs accepts exactly the options of the table', () => {
    for (const command of COMMANDS) {
      expect(Object.keys(parseArgsOptions(command)).sort()).toEqual(
        COMMAND_SPECS[command].map((spec) => spec.name).sort(),
      );
    }
  });

  it('the top-level help lists every exit code, 6 and 7 included', () => {
    const help = helpText(null);
    for (const [code, meaning] of EXIT_MEANINGS) {
      expect(help).toMatch(new RegExp(`\\n  ${code} +${meaning.split(' ')[0]}`));
    }
    expect(EXIT_MEANINGS.map(([code]) => code).sort((a, b) => a - b)).toEqual(
      [...new Set(Object.values(EXIT))].sort((a, b) => a - b),
    );
  });

  it('says the database paragraph once, in help databases; commands point to it', () => {
    const first = DATABASES_HELP[1]!.slice(0, 40);
    expect(helpText('databases').replace(/\s+/g, ' ')).toContain(first);
    for (const command of COMMANDS) {
      expect(helpText(command).replace(/\s+/g, ' ')).not.toContain(first);
      expect(helpText(command).replace(/\s+/g, ' ')).toContain(
        'see "vaultstore-admin help databases"',
      );
    }
  });

  it("verify's help is its own: the password it tests and --fail-if-any-open", () => {
    const help = helpText('verify');
    expect(help).toContain('--fail-if-any-open');
    expect(help).toContain('exit 7');
    expect(help).not.toMatch(/--old-password|--new-password|re-encrypt/);
  });

  it('wraps words and aligns two columns', () => {
    expect(wrap('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
    expect(
      twoColumns([
        ['-a', 'one two three'],
        ['--bb', 'x'],
      ]),
    ).toEqual(['  -a    one two three', '  --bb  x']);
  });
});

describe('the man page', () => {
  it('docs/vaultstore-admin.1 is up to date with the option table (npm run man)', () => {
    const checkedIn = readFileSync(join(repoRoot, 'docs', 'vaultstore-admin.1'), 'utf8');
    expect(checkedIn, 'run `npm run man` and commit docs/vaultstore-admin.1').toBe(manPage());
  });

  it('documents every option and exit code, with roff-safe text', () => {
    const page = manPage();
    for (const command of COMMANDS) {
      expect(page).toContain(`.SS ${command}`);
      for (const spec of COMMAND_SPECS[command]) {
        expect(page).toContain(`.B ${optionLabel(spec).replace(/-/g, '\\-')}`);
      }
    }
    for (const [code] of EXIT_MEANINGS) expect(page).toContain(`.TP\n.B ${code}\n`);
    // No text line may start with a dot or quote (roff would read it as a request).
    for (const line of page.split('\n')) {
      if (!/^\.(TH|SH|SS|PP|TP|B|br|RS|RE)\b/.test(line)) expect(line).not.toMatch(/^['.]/);
    }
  });
});

describe('did you mean', () => {
  it('measures typos: a swap of neighbours is one edit', () => {
    expect(editDistance('tabel', 'table')).toBe(1);
    expect(editDistance('rotat', 'rotate')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests the closest name only when it is close, or a unique abbreviation', () => {
    expect(closestName('tabel', ['table', 'crypto'])).toBe('table');
    expect(closestName('skip-soft', ['skip-soft-deleted', 'skip-config-check'])).toBe(
      'skip-soft-deleted',
    );
    expect(closestName('skip', ['skip-soft-deleted', 'skip-config-check'])).toBeNull();
    expect(closestName('frobnicate', ['info', 'rotate', 'verify'])).toBeNull();
    expect(closestName('x', ['h', 'v'])).toBeNull();
    expect(didYouMean('verfy', ['info', 'rotate', 'verify'])).toBe(' Did you mean verify?');
  });

  it.each([
    [['rotat', 'v.db'], /unknown command "rotat".*Did you mean rotate\?/],
    [
      ['rotate', 'v.db', '--tabel', 'x'],
      /unknown option --tabel for "rotate"\. Did you mean --table\?/,
    ],
    [['verify', 'v.db', '--fail-if-any-opens'], /Did you mean --fail-if-any-open\?/],
    [['--versoin'], /unknown option --versoin before the command.*Did you mean --version\?/],
    [['help', 'databse'], /no help on "databse".*Did you mean databases\?/],
    // A typo of a password option is a typo, not a password on the command line.
    [['rotate', 'v.db', '--old-password-fil', 'x'], /Did you mean --old-password-file\?/],
  ])('%j', (argv, message) => {
    expect(usageMessage(argv)).toMatch(message);
  });

  it('a real password option still gets the "never on the command line" message', () => {
    expect(usageMessage(['rotate', 'v.db', '--old-password', 'x'])).toMatch(
      /never accepted as command-line values/,
    );
  });

  it('-v, -V and --version print the version', () => {
    for (const flag of ['-v', '-V', '--version']) {
      expect(parseCommandLine([flag])).toEqual({ command: 'version' });
    }
  });
});

describe('--json shapes', () => {
  const result: RotationResult = {
    status: 'completed',
    table: 'vault',
    dryRun: true,
    scanned: 10,
    rotated: 4,
    skipped: 6,
    failed: 0,
    opened: 4,
    bytes: 0,
    seconds: 1.23456789,
    backupPath: null,
    checkpointPath: null,
    derivations: 10,
    failures: [],
    resumed: false,
  } as unknown as RotationResult;

  it('every line carries the schema version after its type', () => {
    expect(Object.keys(versioned({ type: 'summary', a: 1 }))).toEqual([
      'type',
      'schemaVersion',
      'a',
    ]);
    expect(versioned({ tables: [] })).toEqual({ schemaVersion: JSON_SCHEMA_VERSION, tables: [] });
  });

  it('the pre-flight line rounds its estimate and timing', () => {
    const line = preflightJson({
      table: 'vault',
      estimatedSeconds: 0.020219105937502212,
      msPerDerivation: 0.1104115000000121,
    } as unknown as PreflightResult);
    expect(line).toMatchObject({
      type: 'preflight',
      estimatedSeconds: 0.02,
      msPerDerivation: 0.11,
    });
  });

  it('a dry run is "dry-run", not "completed"; seconds are rounded', () => {
    expect(summaryJson(result)).toMatchObject({ status: 'dry-run', dryRun: true, seconds: 1.235 });
    expect(summaryJson({ ...result, dryRun: false })).toMatchObject({ status: 'completed' });
    expect(summaryJson({ ...result, status: 'cancelled' })).toMatchObject({ status: 'cancelled' });
  });
});

describe('colour for error and warning', () => {
  const tty = { isTTY: true, columns: 80, write: () => true };

  it('only on a terminal, never with NO_COLOR or TERM=dumb', () => {
    expect(colourWanted(tty, {})).toBe(true);
    expect(colourWanted(tty, { NO_COLOR: '1' })).toBe(false);
    expect(colourWanted(tty, { NO_COLOR: '' })).toBe(true);
    expect(colourWanted(tty, { TERM: 'dumb' })).toBe(false);
    expect(colourWanted({ ...tty, isTTY: false }, {})).toBe(false);
  });

  it('colours the label at the start of a line, not the message or a word inside it', () => {
    expect(colourLabels('error: bad\nwarning: odd; error: inside\n')).toBe(
      '\x1b[1;31merror:\x1b[0m bad\n\x1b[1;33mwarning:\x1b[0m odd; error: inside\n',
    );
    const written: string[] = [];
    const output = withColouredLabels({ ...tty, write: (text: string) => written.push(text) }, {});
    output.write('error: x\n');
    expect(written).toEqual(['\x1b[1;31merror:\x1b[0m x\n']);
    expect(output.columns).toBe(80);
    const plain = { ...tty, isTTY: false };
    expect(withColouredLabels(plain, {})).toBe(plain);
  });
});
