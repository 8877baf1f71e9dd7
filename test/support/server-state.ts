/** What a CLI rotation of a server vault keeps in its state folder ($XDG_STATE_HOME/vaultstore-admin). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestDatabase } from './servers/index.js';

interface StateCheckpoint {
  readonly counts?: { readonly rotated?: number };
  readonly inFlight?: readonly unknown[];
}

/** The one checkpoint in the state folder; null when there is none (or it is being replaced). */
function stateCheckpoint(stateDir: string): StateCheckpoint | null {
  const folder = join(stateDir, 'vaultstore-admin');
  if (!existsSync(folder)) return null;
  for (const name of readdirSync(folder)) {
    if (!name.endsWith('.rotation-checkpoint.json')) continue;
    try {
      return JSON.parse(readFileSync(join(folder, name), 'utf8')) as StateCheckpoint;
    } catch {
      return null; // being replaced right now
    }
  }
  return null;
}

/** The rotated count of the checkpoint in the state folder; null when there is none. */
export function checkpointRotated(stateDir: string): number | null {
  const checkpoint = stateCheckpoint(stateDir);
  return checkpoint === null ? null : (checkpoint.counts?.rotated ?? 0);
}

/** Records of the batch the checkpoint says is being committed (0: none). */
export function checkpointInFlight(stateDir: string): number {
  return stateCheckpoint(stateDir)?.inFlight?.length ?? 0;
}

/** Waits until the server has no session of the tool left (a dropped one ends when its socket does). */
export async function toolSessionsGone(db: TestDatabase): Promise<void> {
  const count = async (): Promise<number> => {
    const rows =
      db.kind === 'postgres'
        ? await db.admin.query<{ n: string }>(
            `SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'vaultstore-admin' AND datname = $1`,
            [db.database],
          )
        : await db.admin.query<{ n: string }>(
            'SELECT count(*) AS n FROM information_schema.PROCESSLIST WHERE USER = ?',
            [db.user],
          );
    return Number(rows[0]?.n ?? 0);
  };
  while ((await count()) > 0) await new Promise((resolve) => setTimeout(resolve, 20));
}
