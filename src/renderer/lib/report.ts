/**
 * The rotation report the user can export, made from the result and the job's
 * settings. Neither holds a password, so neither can the report.
 */
import type { Argon2Choice, RotationResult } from '../../shared/ipc-contract.js';
import { configOfChoice, describeChoice } from './argon2-choices.js';
import { fileNameOf, formatDuration } from './format.js';

export type ReportFormat = 'json' | 'markdown';

export interface JobSettings {
  readonly vaultPath: string;
  readonly table: string;
  readonly crypto: Argon2Choice;
  readonly includeSoftDeleted: boolean;
  readonly backup: boolean;
  readonly dryRun: boolean;
  readonly resume: boolean;
}

const STATUS_TEXT: Record<RotationResult['status'], string> = {
  completed: 'Completed',
  cancelled: 'Cancelled (can be resumed)',
  'nothing-opened': 'Nothing opened with the current password',
  incomplete: 'Not complete: another program kept writing with the old password',
};

export function statusText(result: RotationResult): string {
  const sample = result.newPasswordSample;
  const text =
    result.status === 'nothing-opened' && sample && sample.opened > 0
      ? `${STATUS_TEXT[result.status]}: looks already rotated (${sample.opened} of ${sample.sampled} sampled records open with the new password)`
      : STATUS_TEXT[result.status];
  return result.dryRun ? `${text} (dry run: nothing written)` : text;
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
      backupPath: result.backupPath,
      checkpointPath: result.checkpointPath,
      failures: result.failures.map(({ id, reason, detail }) => ({ id, reason, detail })),
      ...(result.newPasswordSample && { newPasswordSample: result.newPasswordSample }),
    },
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Markdown table cells must not break the table. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function buildMarkdownReport(
  result: RotationResult,
  settings: JobSettings,
  finishedAt: Date,
): string {
  const lines = [
    '# VaultStore Admin: password rotation report',
    '',
    `- Vault: \`${settings.vaultPath}\``,
    `- Table: \`${result.table}\``,
    `- Finished: ${finishedAt.toISOString()}`,
    `- Status: **${statusText(result)}**`,
    `- Argon2id: ${describeChoice(settings.crypto)}`,
    `- Soft-deleted records: ${settings.includeSoftDeleted ? 'included' : 'left alone'}`,
    `- Backup: ${result.backupPath ? `\`${result.backupPath}\`` : 'none'}`,
    `- Resumed run: ${settings.resume ? 'yes' : 'no'}`,
    '',
    '| Scanned | Rotated | Skipped (did not open) | Failed | Duration | Argon2id derivations |',
    '|---:|---:|---:|---:|---:|---:|',
    `| ${result.scanned} | ${result.rotated} | ${result.skipped} | ${result.failed} | ${formatDuration(result.seconds * 1000)} | ${result.derivations} |`,
    '',
  ];
  if (result.checkpointPath) {
    lines.push(`The rotation can be resumed: its checkpoint is \`${result.checkpointPath}\`.`, '');
  }
  if (result.failures.length > 0) {
    lines.push('## Failures', '', '| Record id | Reason | Detail |', '|---|---|---|');
    for (const failure of result.failures) {
      lines.push(`| ${cell(failure.id)} | ${failure.reason} | ${cell(failure.detail)} |`);
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

/** rotation-<vault>-<table>-<date>.json */
export function reportFileName(
  format: ReportFormat,
  settings: JobSettings,
  finishedAt: Date,
): string {
  const base = fileNameOf(settings.vaultPath).replace(/\.[^.]+$/, '');
  const stamp = finishedAt.toISOString().slice(0, 19).replace(/[:T]/g, '-');
  return `rotation-${base}-${settings.table}-${stamp}.${format === 'json' ? 'json' : 'md'}`;
}
