/**
 * The command that continues a cancelled rotation: the same options plus
 * --resume and the table the engine settled on. It names password sources
 * (a variable name, a file path), never a password.
 */
import { resolve } from 'node:path';
import { isServerTarget } from '../engine/index.js';
import type { PasswordSource, RotateArgs } from './args.js';
import type { DistributedRotateArgs } from './distributed-args.js';
import { shellCommand } from './shell-quote.js';

export const CLI_NAME = 'vaultstore-admin';

/** The options that name a password's source again (`absolute`: a file as an absolute path). */
export function passwordArguments(
  prefix: string,
  source: PasswordSource,
  absolute = true,
): string[] {
  switch (source.kind) {
    case 'env':
      return [`${prefix}-env`, source.variable];
    case 'file':
      return [`${prefix}-file`, absolute ? resolve(source.path) : source.path];
    case 'stdin':
      return [`${prefix}-file`, '-'];
    case 'prompt':
      return [];
  }
}

/** A vault file as an absolute path; a connection string as given (it never holds a password). */
export function vaultArgument(vaultPath: string): string {
  return isServerTarget(vaultPath) ? vaultPath : resolve(vaultPath);
}

/** rotate --queue's own options, repeated (the Redis password by its source, never its value). */
function distributedArguments(distributed: DistributedRotateArgs | null): string[] {
  if (distributed === null) return [];
  const { queue } = distributed;
  const argv = ['--queue', queue.url];
  if (queue.password !== null) argv.push(...passwordArguments('--queue-password', queue.password));
  if (queue.caFile !== undefined) argv.push('--queue-ca', resolve(queue.caFile));
  if (!distributed.localWorker) argv.push('--no-local-worker');
  if (distributed.shards !== undefined) argv.push('--shards', String(distributed.shards));
  if (distributed.keepLedger) argv.push('--keep-ledger');
  if (distributed.ledgerSchema !== undefined) {
    argv.push('--ledger-schema', distributed.ledgerSchema);
  }
  return argv;
}

/** @param table the table the job settled on; undefined only before it is known (one-table files) */
export function resumeArguments(
  args: RotateArgs,
  table: string | undefined,
  resume = true,
): string[] {
  const argv = ['rotate', vaultArgument(args.vaultPath)];
  if (table !== undefined) argv.push('--table', table);
  if (resume) argv.push('--resume');
  if (args.crypto) argv.push('--crypto', args.crypto.spec);
  if (args.newCrypto) argv.push('--new-crypto', args.newCrypto.spec);
  if (args.skipSoftDeleted) argv.push('--skip-soft-deleted');
  if (args.allowTriggers) argv.push('--allow-triggers');
  if (args.scanAnyway) argv.push('--scan-anyway');
  if (args.dryRun) argv.push('--dry-run');
  if (args.backup.kind === 'none') argv.push('--no-backup');
  if (args.backup.kind === 'path') argv.push('--backup', resolve(args.backup.path));
  if (args.backup.kind === 'table') argv.push('--backup-table', args.backup.table);
  if (args.workers !== undefined) argv.push('--workers', String(args.workers));
  if (args.checkpointDir !== undefined) argv.push('--checkpoint-dir', resolve(args.checkpointDir));
  if (args.serverTimeoutSeconds !== undefined) {
    argv.push('--server-timeout', String(args.serverTimeoutSeconds));
  }
  if (args.kdf !== 'auto') argv.push('--kdf', args.kdf);
  if (args.driver !== 'auto') argv.push('--driver', args.driver);
  if (args.minPasswordBytes !== undefined) {
    argv.push('--min-password-bytes', String(args.minPasswordBytes));
  }
  if (args.passwordRules.requireUpper) argv.push('--require-upper');
  if (args.passwordRules.requireLower) argv.push('--require-lower');
  if (args.passwordRules.requireDigit) argv.push('--require-digit');
  if (args.passwordRules.requireSymbol) argv.push('--require-symbol');
  if (args.json) argv.push('--json');
  argv.push(...distributedArguments(args.distributed));
  argv.push(...passwordArguments('--db-password', args.dbPassword.source));
  if (args.dbPassword.optionFile !== undefined) {
    argv.push('--db-option-file', resolve(args.dbPassword.optionFile));
  }
  argv.push(...passwordArguments('--old-password', args.oldPassword));
  argv.push(...passwordArguments('--new-password', args.newPassword));
  return argv;
}

export function resumeCommand(args: RotateArgs, table: string | undefined): string {
  return shellCommand([CLI_NAME, ...resumeArguments(args, table)]);
}

/** The same rotation from the start (nothing to resume: no checkpoint was kept). */
export function restartCommand(args: RotateArgs, table: string | undefined): string {
  return shellCommand([CLI_NAME, ...resumeArguments(args, table, false)]);
}
