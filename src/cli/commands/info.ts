/**
 * `vaultstore-admin info`: the vault tables of a file and their counts, and a
 * rotation a cancel or crash left unfinished, with the settings its resume
 * must repeat (read-only).
 */
import { resolve } from 'node:path';
import {
  argon2Spec,
  describeArgon2Config,
  inspectVault,
  isServerTarget,
  sameArgon2Config,
  type UnfinishedRotation,
  type VaultInspection,
} from '../../engine/index.js';
import type { InfoArgs } from '../args.js';
import { planServerLogin, readLoginAndPasswords } from '../db-password.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { formatBytes, formatCount, formatTable } from '../format.js';
import { writeJsonLine, writeLine, type CliIo } from '../io.js';
import { CLI_NAME, vaultArgument } from '../resume-command.js';
import { zeroBytes } from '../secret-bytes.js';
import { shellCommand } from '../shell-quote.js';
import { printable } from '../terminal-text.js';

export function infoText(info: VaultInspection, args?: InfoArgs): string[] {
  const lines = [
    `${printable(info.path)} (${formatBytes(info.fileSizeBytes)}, driver ${info.driver})`,
  ];
  if (info.tables.length === 0) {
    lines.push(
      `No vault table in this ${isServerTarget(info.path) ? 'database' : 'file'} (a vault table has the columns id, vault_token, vault_value, created_at, updated_at, expires_at, soft_deleted_at).`,
    );
  } else {
    const header = ['table', 'records', 'soft-deleted', 'expired', 'v2', 'v1', 'other'];
    const rows = info.tables.map((table) => [
      printable(table.name),
      ...[table.records, table.softDeleted, table.expired, table.v2, table.v1, table.other].map(
        formatCount,
      ),
    ]);
    lines.push(...formatTable([header, ...rows]));
  }
  for (const rotation of info.unfinishedRotations) {
    lines.push('', ...unfinishedRotationText(rotation, args?.vaultPath ?? info.path, args));
  }
  if (info.checkpointProblem !== null) lines.push('', printable(info.checkpointProblem));
  return lines;
}

/** "Unfinished rotation of table vault: started …, 1,234 of 5,000 records done", its settings, how to resume. */
export function unfinishedRotationText(
  rotation: UnfinishedRotation,
  vaultPath: string,
  args?: InfoArgs,
): string[] {
  const { counts } = rotation;
  const progress = rotation.redoFromStart
    ? 'it stopped while re-examining records another program wrote, so a resume re-examines every record from the start'
    : `${formatCount(counts.scanned)} of ${rotation.recordsInScope === null ? '?' : formatCount(rotation.recordsInScope)} records done ` +
      `(${formatCount(counts.rotated)} rotated, ${formatCount(counts.skipped)} did not open, ${formatCount(counts.failed)} failed)`;
  const runs = rotation.runs === 1 ? '1 run' : `${rotation.runs} runs`;
  const sameConfig = sameArgon2Config(rotation.openConfig, rotation.writeConfig);
  const lines = [
    `Unfinished rotation of table ${printable(rotation.table)}: started ${rotation.startedAt}, ` +
      `last saved ${rotation.updatedAt} (${runs}), ${progress}.`,
    `  Settings: Argon2id ${describeArgon2Config(rotation.openConfig)}` +
      (sameConfig
        ? ''
        : ` to open, ${describeArgon2Config(rotation.writeConfig)} for the new values`) +
      `; soft-deleted records ${rotation.includeSoftDeleted ? 'included' : 'skipped'}.`,
    `  Backup: ${rotation.backupPath === null ? 'none' : printable(rotation.backupPath)}`,
    `  Checkpoint: ${printable(rotation.checkpointPath)}`,
  ];
  if (rotation.recordsInScope === null) {
    lines.push(`  The table ${printable(rotation.table)} is no longer in the file.`);
  }
  lines.push(
    // shellCommand quotes hostile text visibly (see shell-quote.ts).
    `  Resume it with the same passwords: ${resumeCommand(rotation, vaultPath, args)}`,
  );
  return lines;
}

/** The rotate command that repeats the checkpoint's settings (password options are the user's to add). */
function resumeCommand(rotation: UnfinishedRotation, vaultPath: string, args?: InfoArgs): string {
  const argv = [
    CLI_NAME,
    'rotate',
    vaultArgument(vaultPath),
    '--table',
    rotation.table,
    '--resume',
  ];
  argv.push('--crypto', argon2Spec(rotation.openConfig));
  if (!sameArgon2Config(rotation.openConfig, rotation.writeConfig)) {
    argv.push('--new-crypto', argon2Spec(rotation.writeConfig));
  }
  if (!rotation.includeSoftDeleted) argv.push('--skip-soft-deleted');
  if (args?.checkpointDir !== undefined) {
    argv.push('--checkpoint-dir', resolve(args.checkpointDir));
  }
  return shellCommand(argv);
}

export async function runInfo(args: InfoArgs, io: CliIo): Promise<ExitCode> {
  const login = await readLoginAndPasswords(planServerLogin(args, io), [], io, 'info');
  try {
    const info = await inspectVault({
      vaultPath: login.vaultPath,
      driver: args.driver,
      checkpointDir: args.checkpointDir,
      ...(login.serverPassword && { serverPassword: login.serverPassword }),
    });
    if (args.json) writeJsonLine(io.stdout, info);
    else for (const line of infoText(info, args)) writeLine(io.stdout, line);
    return EXIT.ok;
  } finally {
    zeroBytes(login.serverPassword);
  }
}
