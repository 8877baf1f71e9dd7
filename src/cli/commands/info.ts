/** `vaultstore-admin info`: the vault tables of a file and their counts (read-only). */
import { openVault, type VaultInfo } from '../../engine/index.js';
import type { InfoArgs } from '../args.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { formatBytes, formatCount, formatTable } from '../format.js';
import { writeJsonLine, writeLine, type CliIo } from '../io.js';
import { printable } from '../terminal-text.js';

export function infoText(info: VaultInfo): string[] {
  const lines = [
    `${printable(info.path)} (${formatBytes(info.fileSizeBytes)}, driver ${info.driver})`,
  ];
  if (info.tables.length === 0) {
    lines.push(
      'No vault table in this file (a vault table has the columns id, vault_token, vault_value, created_at, updated_at, expires_at, soft_deleted_at).',
    );
    return lines;
  }
  const header = ['table', 'records', 'soft-deleted', 'expired', 'v2', 'v1', 'other'];
  const rows = info.tables.map((table) => [
    printable(table.name),
    ...[table.records, table.softDeleted, table.expired, table.v2, table.v1, table.other].map(
      formatCount,
    ),
  ]);
  lines.push(...formatTable([header, ...rows]));
  return lines;
}

export async function runInfo(args: InfoArgs, io: CliIo): Promise<ExitCode> {
  const store = await openVault(args.vaultPath, { readOnly: true, driver: args.driver });
  try {
    const info = await store.info();
    if (args.json) writeJsonLine(io.stdout, info);
    else for (const line of infoText(info)) writeLine(io.stdout, line);
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
