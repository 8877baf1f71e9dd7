/**
 * The rotation report the user can export, made from the result and the job's
 * settings. Neither holds a password, so neither can the report.
 */
import { looksAlreadyRotated } from '../../core/verdict.js';
import {
  isDistributedResult,
  type Argon2Choice,
  type DistributedResult,
  type RotationResult,
} from '../../shared/ipc-contract.js';
import { configOfChoice, describeChoice } from './argon2-choices.js';
import { unionProofText, workerTotals } from './distributed-report.js';
import { fileNameOf, formatCount, formatDuration } from './format.js';

export type ReportFormat = 'json' | 'markdown';

export interface JobSettings {
  readonly vaultPath: string;
  readonly table: string;
  readonly crypto: Argon2Choice;
  /** config of the written values when it differs from `crypto` (a resumed rotation that changed it) */
  readonly newCrypto?: Argon2Choice;
  readonly includeSoftDeleted: boolean;
  readonly backup: boolean;
  readonly dryRun: boolean;
  readonly resume: boolean;
  /** a rotation other machines served too: its queue (never with a password) */
  readonly distributed?: {
    readonly queueUrl: string;
    readonly queueCaFile: string | null;
    /** Redis asked for a password (the worker command then reads one from a file) */
    readonly queuePassword: boolean;
    readonly workHere: boolean;
  };
}

/**
 * What became of the backup: its path, or why there is none. The backup is
 * taken just before the first write, so a run that wrote nothing made none
 * even when it was asked for.
 */
export function backupText(
  result: Pick<RotationResult, 'backupPath' | 'dryRun' | 'rotated'>,
  settings: Pick<JobSettings, 'backup'> & Partial<Pick<JobSettings, 'distributed' | 'resume'>>,
): string {
  if (result.backupPath) return result.backupPath;
  if (result.dryRun) return 'None (dry run: nothing was written)';
  if (!settings.backup) return 'None (turned off)';
  if (settings.distributed && settings.resume)
    return 'None: this run continued a rotation that had already written (the copy is made before the first write)';
  if (result.rotated === 0)
    return 'None needed: nothing was written (the copy is made just before the first write)';
  return 'None was reported';
}

const STATUS_TEXT: Record<RotationResult['status'], string> = {
  completed: 'Completed',
  cancelled: 'Cancelled (can be resumed)',
  'nothing-opened': 'Nothing opened with the current password',
  incomplete: 'Not complete: some records may still open with the old password',
};

export function statusText(result: RotationResult): string {
  const sample = result.newPasswordSample;
  const text =
    sample && looksAlreadyRotated(result)
      ? `${STATUS_TEXT[result.status]}: looks already rotated (${sample.opened} of ${sample.sampled} sampled records open with the new password)`
      : STATUS_TEXT[result.status];
  return result.dryRun ? `${text} (dry run: nothing written)` : text;
}

function distributedJson(result: DistributedResult, settings: JobSettings): object {
  const { rotation, shards, sweepRounds, workers } = result.distributed;
  return {
    rotation,
    queue: settings.distributed?.queueUrl ?? null,
    coordinatorWorked: settings.distributed?.workHere ?? null,
    shards,
    rowsAtStart: result.coverage?.rowsAtStart ?? null,
    visited: result.coverage?.visited ?? result.scanned,
    sweepRounds,
    proof: unionProofText(result),
    workers: workerTotals(workers),
  };
}

/** The Markdown section of a distributed rotation: the proof in words, then each worker's totals. */
function distributedMarkdown(result: DistributedResult): string[] {
  return [
    '## Across machines',
    '',
    markdownText(unionProofText(result)),
    '',
    '| Host | Worker | Pool | Argon2id | Records | State |',
    '|---|---|---:|---|---:|---|',
    ...workerTotals(result.distributed.workers).map(
      (worker) =>
        `| ${[worker.host, worker.worker].map(markdownText).join(' | ')} | ${worker.pool} | ${markdownText(worker.backend)} | ${formatCount(worker.records)} | ${markdownText(worker.state)} |`,
    ),
    '',
  ];
}

export function buildJsonReport(
  result: RotationResult,
  settings: JobSettings,
  finishedAt: Date,
): string {
  const report = {
    report: 'VaultStore Admin password rotation',
    finishedAt: finishedAt.toISOString(),
    vault: { path: settings.vaultPath, table: result.table },
    settings: {
      argon2: { choice: settings.crypto.preset, ...configOfChoice(settings.crypto) },
      ...(settings.newCrypto && {
        argon2New: { choice: settings.newCrypto.preset, ...configOfChoice(settings.newCrypto) },
      }),
      includeSoftDeleted: settings.includeSoftDeleted,
      backup: settings.backup,
      dryRun: settings.dryRun,
      resumed: settings.resume,
    },
    result: {
      status: result.status,
      dryRun: result.dryRun,
      scanned: result.scanned,
      rotated: result.rotated,
      skipped: result.skipped,
      failed: result.failed,
      seconds: result.seconds,
      derivations: result.derivations,
      sqliteDriver: result.driver ?? null,
      backupPath: result.backupPath,
      checkpointPath: result.checkpointPath,
      failures: result.failures.map(({ id, reason, detail }) => ({ id, reason, detail })),
      ...(result.coverage && { coverage: result.coverage }),
      ...(result.sweep && { sweep: result.sweep }),
      ...(result.newPasswordSample && { newPasswordSample: result.newPasswordSample }),
      ...(result.notes?.length ? { notes: [...result.notes] } : {}),
    },
    ...(isDistributedResult(result) && { distributed: distributedJson(result, settings) }),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}

/**
 * Control characters (C0, DEL, C1) and bidirectional overrides shown as
 * visible \u{..} escapes: a table name or id from the vault must not hide or
 * reorder text in the report, nor break its lines.
 */
const INVISIBLE =
  // eslint-disable-next-line no-control-regex -- control characters are exactly what we escape
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function escapeInvisible(text: string): string {
  return text.replace(INVISIBLE, (char) => `\\u{${char.codePointAt(0)!.toString(16)}}`);
}

/**
 * Plain Markdown text inside a line (never at its start, so list and heading
 * markers cannot apply): emphasis, code, links, HTML, entities and the table's
 * "|" are backslash-escaped.
 */
export function markdownText(text: string): string {
  return escapeInvisible(text).replace(/[\\`*_[\]<>|!~&#$]/g, (char) => `\\${char}`);
}

/** A code span that holds any text: the fence is longer than any run of backticks inside. */
export function markdownCode(text: string): string {
  const visible = escapeInvisible(text);
  const longestRun = Math.max(0, ...(visible.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = visible.startsWith('`') || visible.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${visible}${pad}${fence}`;
}

/** What the engine checked before it said completed (coverage), and what it swept up after others' writes. */
export function coverageText(result: RotationResult): string | null {
  const { coverage } = result;
  // A sweep that found nothing (a distributed rotation always ends with one) says nothing more.
  const sweep =
    result.sweep &&
    result.sweep.examined + result.sweep.changed + result.sweep.inserted + result.sweep.deleted > 0
      ? result.sweep
      : undefined;
  if (sweep) {
    return (
      `Another program wrote to the vault during the rotation: ${sweep.examined} record(s) it changed ` +
      `(${sweep.changed}) or added (${sweep.inserted}) were re-examined in ${sweep.rounds} sweep(s) and ` +
      `${sweep.rotated} rotated; ${sweep.deleted} it deleted.` +
      (sweep.stillWriting ? ' It was still writing with the old password at the end.' : '')
    );
  }
  if (coverage && !coverage.foreignWrites && result.status !== 'cancelled') {
    const scope = result.resumed ? `records after the resume point (this run)` : 'records in scope';
    return `Every one of the ${coverage.rowsAtStart} ${scope} was visited exactly once; no other program wrote to the vault.`;
  }
  return null;
}

export function buildMarkdownReport(
  result: RotationResult,
  settings: JobSettings,
  finishedAt: Date,
): string {
  const lines = [
    '# VaultStore Admin: password rotation report',
    '',
    `- Vault: ${markdownCode(settings.vaultPath)}`,
    `- Table: ${markdownCode(result.table)}`,
    `- Finished: ${finishedAt.toISOString()}`,
    `- Status: **${statusText(result)}**`,
    `- Argon2id: ${describeChoice(settings.crypto)}`,
    ...(settings.newCrypto
      ? [`- Argon2id of new values: ${describeChoice(settings.newCrypto)}`]
      : []),
    `- Soft-deleted records: ${settings.includeSoftDeleted ? 'included' : 'left alone'}`,
    `- Backup: ${result.backupPath ? markdownCode(result.backupPath) : backupText(result, settings)}`,
    `- SQLite driver: ${result.driver ?? 'not reported'}`,
    `- Resumed run: ${settings.resume ? 'yes' : 'no'}`,
    ...(settings.distributed
      ? [
          `- Queue: ${markdownCode(settings.distributed.queueUrl)} (this machine ${settings.distributed.workHere ? 'worked too' : 'only coordinated'})`,
        ]
      : []),
    ...(coverageText(result) ? [`- Checked: ${coverageText(result)}`] : []),
    '',
    '| Scanned | Rotated | Skipped (did not open) | Failed | Duration | Argon2id derivations |',
    '|---:|---:|---:|---:|---:|---:|',
    `| ${[result.scanned, result.rotated, result.skipped, result.failed].map(formatCount).join(' | ')} | ${formatDuration(result.seconds * 1000)} | ${formatCount(result.derivations)} |`,
    '',
  ];
  if (isDistributedResult(result)) lines.push(...distributedMarkdown(result));
  if (result.notes?.length) {
    lines.push('## Notes', '', ...result.notes.map((note) => `- ${markdownText(note)}`), '');
  }
  if (result.checkpointPath) {
    lines.push(
      `The rotation can be resumed: its checkpoint is ${markdownCode(result.checkpointPath)}.`,
      '',
    );
  }
  if (result.failures.length > 0) {
    lines.push('## Failures', '', '| Record id | Reason | Detail |', '|---|---|---|');
    for (const failure of result.failures) {
      lines.push(
        `| ${markdownText(failure.id)} | ${markdownText(failure.reason)} | ${markdownText(failure.detail)} |`,
      );
    }
    if (result.failed > result.failures.length) {
      lines.push('', `…and ${result.failed - result.failures.length} more not listed.`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

export function buildReport(
  format: ReportFormat,
  result: RotationResult,
  settings: JobSettings,
  finishedAt: Date,
): string {
  return format === 'json'
    ? buildJsonReport(result, settings, finishedAt)
    : buildMarkdownReport(result, settings, finishedAt);
}

/** Longest vault or table part of a report file name (the whole name stays well under 255). */
export const FILE_NAME_PART_MAX = 60;

/**
 * One part of a file name: folder separators, characters Windows forbids,
 * control and bidi characters become "_"; no leading dots, no trailing dots
 * or spaces (Windows drops them); at most FILE_NAME_PART_MAX characters.
 */
export function fileNamePart(text: string): string {
  const cleaned = text
    .replace(INVISIBLE, '_')
    .replace(/[\\/:*?"<>|]/g, '_')
    .replace(/\s+/g, ' ')
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  const bounded = [...cleaned].slice(0, FILE_NAME_PART_MAX).join('');
  return bounded.replace(/[.\s]+$/, '') || 'unnamed';
}

/** rotation-<vault>-<table>-<date>.json, safe for every file system */
export function reportFileName(
  format: ReportFormat,
  settings: JobSettings,
  finishedAt: Date,
): string {
  const base = fileNamePart(fileNameOf(settings.vaultPath).replace(/\.[^.]+$/, ''));
  const table = fileNamePart(settings.table);
  const stamp = finishedAt.toISOString().slice(0, 19).replace(/[:T]/g, '-');
  return `rotation-${base}-${table}-${stamp}.${format === 'json' ? 'json' : 'md'}`;
}
