import { afterEach, describe, expect, it, vi } from 'vitest';
import { ARGON2_PRESETS } from '../../src/core/argon2.js';
import { DEFAULT_MIN_PASSWORD_BYTES } from '../../src/engine/rotation/types.js';
import {
  checkCustomConfig,
  choiceFromDraft,
  describeChoice,
  draftFromChoice,
  PRESET_OPTIONS,
  TINY_CONFIG,
} from '../../src/renderer/lib/argon2-choices.js';
import {
  formatBytes,
  formatCount,
  formatKiB,
  formatDuration,
  formatPercent,
  formatRate,
} from '../../src/renderer/lib/format.js';
import {
  checkNewPassword,
  hasUnicodeFormAmbiguity,
  MIN_PASSWORD_BYTES,
  utf8ByteLength,
} from '../../src/renderer/lib/password-policy.js';
import {
  backupText,
  buildJsonReport,
  buildMarkdownReport,
  reportFileName,
  type JobSettings,
} from '../../src/renderer/lib/report.js';
import { createLatestThrottle } from '../../src/renderer/lib/throttle-latest.js';
import { validateExportReportRequest } from '../../src/shared/ipc-validation.js';
import { resultOf } from './support/fake-vault-admin.js';

describe('the renderer agrees with the engine', () => {
  it('on the policy length and the Argon2id presets', () => {
    expect(MIN_PASSWORD_BYTES).toBe(DEFAULT_MIN_PASSWORD_BYTES);
    for (const option of PRESET_OPTIONS) expect(option.config).toEqual(ARGON2_PRESETS[option.key]);
    expect(TINY_CONFIG).toEqual(ARGON2_PRESETS.tiny);
  });
});

describe('password policy', () => {
  it('counts UTF-8 bytes', () => {
    expect(utf8ByteLength('abc')).toBe(3);
    expect(utf8ByteLength('é')).toBe(2);
    expect(utf8ByteLength('€')).toBe(3);
    expect(utf8ByteLength('🔑')).toBe(4);
  });

  it('checks length, difference and confirmation separately', () => {
    const ids = (old: string, next: string, confirm: string): string[] =>
      checkNewPassword(old, next, confirm)
        .checks.filter((check) => !check.ok)
        .map((check) => check.id);
    expect(ids('old', '0123456789abcdef', '0123456789abcdef')).toEqual([]);
    expect(ids('old', '0123456789abcde', '0123456789abcde')).toEqual(['length']);
    expect(ids('0123456789abcdef', '0123456789abcdef', '0123456789abcdef')).toEqual(['different']);
    expect(ids('old', '0123456789abcdef', '0123456789abcdeX')).toEqual(['confirmed']);
    expect(ids('old', '', '')).toEqual(['length', 'different', 'confirmed']);
    expect(checkNewPassword('old', '🔑🔑🔑🔑', '🔑🔑🔑🔑').ok).toBe(true);
  });

  it('spots passwords whose NFC and NFD forms differ', () => {
    expect(hasUnicodeFormAmbiguity('Café-0123456789')).toBe(true);
    expect(hasUnicodeFormAmbiguity('Cafe-0123456789')).toBe(false);
  });
});

describe('Argon2id key length and salt size', () => {
  const tiny = { iterations: '1', memoryKiB: '64', parallelism: '1' };

  it('keeps library defaults out of the config and non-defaults in', () => {
    expect(checkCustomConfig({ ...tiny, keyLength: '32', saltLength: '16' })).toEqual({
      ok: true,
      config: ARGON2_PRESETS.tiny,
    });
    expect(checkCustomConfig({ ...tiny, keyLength: '16', saltLength: '24' })).toEqual({
      ok: true,
      config: { ...ARGON2_PRESETS.tiny, keyLength: 16, saltLength: 24 },
    });
  });

  it.each([
    [{ keyLength: '20' }, /Key length must be 16, 24 or 32/],
    [{ keyLength: '' }, /Key length/],
    [{ saltLength: '7' }, /Salt size must be a whole number of bytes from 8 to 1024/],
    [{ saltLength: '1025' }, /Salt size/],
    [{ saltLength: '1.5' }, /Salt size/],
  ])('rejects %o with a message', (extra, message) => {
    const check = checkCustomConfig({ ...tiny, ...extra });
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.message).toMatch(message);
  });

  it('describes and round-trips k and salt', () => {
    const choice = {
      preset: 'custom',
      config: { ...ARGON2_PRESETS.tiny, keyLength: 24, saltLength: 32 },
    } as const;
    expect(describeChoice(choice)).toBe('Custom (t=1, m=64 KiB, p=1, k=24 B, salt=32 B)');
    expect(choiceFromDraft(draftFromChoice(choice))).toEqual(choice);
  });
});

describe("optional password rules (the library's character classes)", () => {
  const rules = { requireUpper: true, requireLower: true, requireDigit: true, requireSymbol: true };
  const failing = (password: string): string[] =>
    checkNewPassword('old', password, password, 1, rules)
      .checks.filter((check) => !check.ok)
      .map((check) => check.id);

  it('checks only ticked rules, with ASCII classes and anything else a symbol', () => {
    expect(checkNewPassword('old', 'abc', 'abc', 1).checks.map((c) => c.id)).toEqual([
      'length',
      'different',
      'confirmed',
    ]);
    expect(failing('lowercase')).toEqual(['upper', 'digit', 'symbol']);
    expect(failing('Aa1 ')).toEqual([]);
    // é is not a-z for the library: it counts as a symbol.
    expect(failing('Ééé1')).toEqual(['upper', 'lower']);
  });
});

describe('Argon2id choices', () => {
  it('maps presets and valid custom values to the contract', () => {
    expect(
      choiceFromDraft({
        preset: 'high',
        custom: { iterations: '', memoryKiB: '', parallelism: '' },
      }),
    ).toEqual({
      preset: 'high',
    });
    expect(
      choiceFromDraft({
        preset: 'custom',
        custom: { iterations: '2', memoryKiB: '19456', parallelism: '1' },
      }),
    ).toEqual({ preset: 'custom', config: { iterations: 2, memoryKiB: 19456, parallelism: 1 } });
  });

  it('rejects custom values Argon2id or main would refuse, with a message', () => {
    const bad = [
      { iterations: '0', memoryKiB: '64', parallelism: '1' },
      { iterations: '1.5', memoryKiB: '64', parallelism: '1' },
      { iterations: '1', memoryKiB: '15', parallelism: '2' },
      { iterations: '1', memoryKiB: '64', parallelism: '256' },
      { iterations: '1', memoryKiB: '', parallelism: '1' },
      { iterations: '1', memoryKiB: String(8 * 1024 * 1024), parallelism: '1' },
    ];
    for (const custom of bad) {
      const check = checkCustomConfig(custom);
      expect(check.ok, JSON.stringify(custom)).toBe(false);
      if (!check.ok) expect(check.message).toMatch(/must be a whole number/);
    }
    expect(checkCustomConfig({ iterations: '1', memoryKiB: '16', parallelism: '2' }).ok).toBe(true);
  });

  it('describes a choice and round-trips it through the form', () => {
    expect(describeChoice({ preset: 'default' })).toBe('Default (t=3, m=64 MiB, p=4)');
    expect(describeChoice({ preset: 'tiny' })).toBe('Tiny (tests only) (t=1, m=64 KiB, p=1)');
    const custom = {
      preset: 'custom',
      config: { iterations: 5, memoryKiB: 1000, parallelism: 3 },
    } as const;
    expect(choiceFromDraft(draftFromChoice(custom))).toEqual(custom);
    expect(choiceFromDraft(draftFromChoice({ preset: 'lightweight' }))).toEqual({
      preset: 'lightweight',
    });
  });
});

describe('formatting', () => {
  it('reads like people write', () => {
    expect(formatBytes(512)).toBe('512 B');
    // Binary sizes with their IEC names, grouped digits: one formatter (core/units.ts).
    expect(formatBytes(81_920)).toBe('80 KiB');
    expect(formatBytes(5 * 1024 * 1024 + 300_000)).toBe('5.3 MiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3 GiB');
    expect(formatBytes(1536 * 1024 ** 4)).toBe('1,536 TiB');
    expect(formatKiB(65_536)).toBe('64 MiB');
    expect(formatKiB(1000)).toBe('1,000 KiB');
    expect(formatCount(1_234_567)).toBe('1,234,567');
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(12_400)).toBe('12 s');
    expect(formatDuration(184_000)).toBe('3 min 04 s');
    expect(formatDuration(7_500_000)).toBe('2 h 05 min');
    expect(formatRate(1234.4)).toBe('1,234/s');
    expect(formatRate(2.35)).toBe('2.4/s');
    expect(formatPercent(1, 3)).toBe('33%');
    expect(formatPercent(0, 0)).toBe('0%');
  });
});

describe('report', () => {
  const settings: JobSettings = {
    vaultPath: '/vaults/app.db',
    table: 'vault',
    crypto: { preset: 'default' },
    includeSoftDeleted: true,
    backup: true,
    dryRun: false,
    resume: false,
  };
  const finishedAt = new Date('2025-03-04T05:06:07Z');
  const result = resultOf('completed', {
    failed: 2,
    failures: [
      { id: 'rec|1', reason: 'malformed', detail: 'bad base64\nat 3' },
      { id: 'rec-2', reason: 'changed-concurrently', detail: 'value changed' },
    ],
  });

  it('holds the counts, settings and failures as JSON', () => {
    const report = JSON.parse(buildJsonReport(result, settings, finishedAt)) as {
      finishedAt: string;
      settings: { argon2: unknown };
      result: { rotated: number; failures: unknown[]; backupPath: string };
    };
    expect(report.finishedAt).toBe('2025-03-04T05:06:07.000Z');
    expect(report.settings.argon2).toEqual({
      choice: 'default',
      iterations: 3,
      memoryKiB: 65536,
      parallelism: 4,
    });
    expect(report.result.rotated).toBe(result.rotated);
    expect(report.result.failures).toHaveLength(2);
    expect(report.result.backupPath).toBe(result.backupPath);
  });

  it('keeps Markdown tables intact whatever the failure text', () => {
    const markdown = buildMarkdownReport(result, settings, finishedAt);
    // The newline in the detail shows as an escape instead of ending the table row.
    expect(markdown).toContain('| rec\\|1 | malformed | bad base64\\\\u{a}at 3 |');
    expect(markdown).toContain('**Completed**');
    expect(markdown).toContain(`| ${result.scanned} | ${result.rotated} | ${result.skipped} | 2 |`);
  });

  it('escapes a hostile table name and record ids in the Markdown report', () => {
    const table = 'x`\n# Fake heading\u001b[2J\u202e|[link](http://evil.example)';
    const hostile = resultOf('completed', {
      table,
      failed: 1,
      failures: [
        { id: '<img src=x onerror=alert(1)>\r\n| 1 | 2 |', reason: 'malformed', detail: 'd' },
      ],
      driver: 'sql.js',
    });
    const markdown = buildMarkdownReport(hostile, { ...settings, table }, finishedAt);
    const lines = markdown.split('\n');
    // No line starts with the injected heading; no raw control or bidi character survives.
    expect(lines.some((line) => line.startsWith('# Fake'))).toBe(false);
    // eslint-disable-next-line no-control-regex -- asserting control characters are gone
    expect(markdown).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f\u202e]/);
    // The table name is one code span whose fence outruns the backtick inside it.
    expect(markdown).toContain(
      '- Table: ``x`\\u{a}# Fake heading\\u{1b}[2J\\u{202e}|[link](http://evil.example)``',
    );
    const failureRow = lines.find((line) => line.includes('img'));
    expect(failureRow).toBe(
      '| \\<img src=x onerror=alert(1)\\>\\\\u{d}\\\\u{a}\\| 1 \\| 2 \\| | malformed | d |',
    );
    expect(markdown).toContain('- SQLite driver: sql.js');
  });

  it('names the report file safely whatever the vault and table are called', () => {
    const hostile = {
      ...settings,
      vaultPath: '/vaults/..evil:name?.db',
      table: `a/b\\c:"d"*<e>|\u0007${'t'.repeat(300)}`,
    };
    const name = reportFileName('markdown', hostile, finishedAt);
    // eslint-disable-next-line no-control-regex -- asserting control characters are gone
    expect(name).not.toMatch(/[\\/:*?"<>|\u0000-\u001f]/);
    expect(name.startsWith('rotation-evil_name_-a_b_c__d___e___')).toBe(true);
    expect(name.length).toBeLessThanOrEqual(160);
    expect(name.endsWith('-2025-03-04-05-06-07.md')).toBe(true);
    // The main process's own check accepts it.
    expect(
      validateExportReportRequest({ format: 'markdown', contents: '', suggestedName: name }).ok,
    ).toBe(true);
    expect(reportFileName('json', { ...settings, table: '..' }, finishedAt)).toBe(
      'rotation-app-unnamed-2025-03-04-05-06-07.json',
    );
  });

  it('says an already rotated vault looks so, and keeps the sample in JSON', () => {
    const again = resultOf('nothing-opened', { newPasswordSample: { sampled: 8, opened: 5 } });
    expect(buildMarkdownReport(again, settings, finishedAt)).toContain(
      'looks already rotated (5 of 8 sampled records open with the new password)',
    );
    const report = JSON.parse(buildJsonReport(again, settings, finishedAt)) as {
      result: { newPasswordSample?: unknown };
    };
    expect(report.result.newPasswordSample).toEqual({ sampled: 8, opened: 5 });
    const wrong = resultOf('nothing-opened', { newPasswordSample: { sampled: 8, opened: 0 } });
    expect(buildMarkdownReport(wrong, settings, finishedAt)).not.toContain('already rotated');
  });

  it('names the file after the vault, table and time', () => {
    expect(reportFileName('markdown', settings, finishedAt)).toBe(
      'rotation-app-vault-2025-03-04-05-06-07.md',
    );
  });
});

describe('latest-value throttle', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('applies the first value at once, then only the latest per interval', () => {
    vi.useFakeTimers();
    const applied: number[] = [];
    const throttle = createLatestThrottle<number>((value) => applied.push(value), 100);
    for (let value = 1; value <= 50; value += 1) throttle.push(value);
    expect(applied).toEqual([1]);
    vi.advanceTimersByTime(99);
    expect(applied).toEqual([1]);
    vi.advanceTimersByTime(1);
    expect(applied).toEqual([1, 50]);
    throttle.push(51);
    throttle.push(52);
    vi.advanceTimersByTime(100);
    expect(applied).toEqual([1, 50, 52]);
    throttle.dispose();
  });

  it('drops a pending value on dispose', () => {
    vi.useFakeTimers();
    const applied: number[] = [];
    const throttle = createLatestThrottle<number>((value) => applied.push(value), 100);
    throttle.push(1);
    throttle.push(2);
    throttle.dispose();
    vi.advanceTimersByTime(500);
    expect(applied).toEqual([1]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('backupText', () => {
  const written = { backupPath: '/v/app.db.backup-1.db', dryRun: false, rotated: 3 };
  it('names the backup, or why there is none', () => {
    expect(backupText(written, { backup: true })).toBe('/v/app.db.backup-1.db');
    expect(backupText({ ...written, backupPath: null }, { backup: false })).toBe(
      'None (turned off)',
    );
    expect(backupText({ ...written, backupPath: null, dryRun: true }, { backup: true })).toMatch(
      /^None \(dry run/,
    );
    // Asked for, but the run wrote nothing: the copy is made just before the first write.
    expect(backupText({ ...written, backupPath: null, rotated: 0 }, { backup: true })).toMatch(
      /^None needed: nothing was written/,
    );
    // A distributed resume takes over a rotation that wrote already: no copy then.
    const distributed = {
      queueUrl: 'redis://q',
      queueCaFile: null,
      queuePassword: false,
      workHere: true,
    };
    expect(
      backupText({ ...written, backupPath: null }, { backup: true, resume: true, distributed }),
    ).toMatch(/^None: this run continued a rotation that had already written/);
    expect(backupText({ ...written, backupPath: null }, { backup: true, distributed })).toBe(
      'None was reported',
    );
  });
});
