/** How an opened vault is shown: a file by its path, a server vault by its connection string without password. */
import { basename } from 'node:path';
import { isServerTarget, parseServerTarget } from '../../engine/index.js';
import type { VaultHandle, VaultSummary } from '../../shared/ipc-contract.js';
import type { HostResults } from './engine-host-protocol.js';

export function vaultSummary(
  handle: VaultHandle,
  vaultPath: string,
  info: HostResults['info'],
): VaultSummary {
  // A server vault is named after its database.
  const shown = isServerTarget(vaultPath) ? parseServerTarget(vaultPath) : null;
  return {
    handle,
    path: shown ? shown.display : vaultPath,
    fileName: shown ? `${shown.database} on ${shown.host}` : basename(vaultPath),
    fileSizeBytes: info.fileSizeBytes,
    driver: info.driver,
    tables: [...info.tables],
    unfinishedRotations: [...info.unfinishedRotations],
    checkpointProblem: info.checkpointProblem,
  };
}
