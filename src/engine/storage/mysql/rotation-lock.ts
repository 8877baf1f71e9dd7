/**
 * The rotation's server lock on MySQL/MariaDB: GET_LOCK on a name derived
 * from database and table, held by the store's session, and the error that
 * names the connection holding it.
 */
import { createHash } from 'node:crypto';
import { EngineError } from '../../errors.js';
import { mysqlText } from './backup.js';
import type { MysqlSession } from './session.js';

/** MySQL lock names are at most 64 characters. */
const LOCK_NAME_MAX = 64;

/** The server lock name of one table's rotation (hashed when too long). */
export function rotationLockName(database: string, table: string): string {
  const name = `vaultstore-admin:${database}.${table}`;
  if (name.length <= LOCK_NAME_MAX) return name;
  return `vaultstore-admin:${createHash('sha256').update(`${database}\0${table}`).digest('hex').slice(0, 40)}`;
}

/**
 * Takes the table's rotation lock without waiting (ROTATION_IN_PROGRESS if
 * another session holds it); returns its release, a no-op once the store
 * is closed (`closed()`): the lock went with the connection.
 */
export async function takeRotationLock(
  session: MysqlSession,
  display: string,
  database: string,
  name: string,
  closed: () => boolean,
): Promise<() => Promise<void>> {
  const lockName = rotationLockName(database, name);
  const got = await session.query('SELECT GET_LOCK(?, 0) AS got', [lockName], 'locking');
  if (Number(got[0]?.got) !== 1) {
    const holder = await session.query('SELECT IS_USED_LOCK(?) AS holder', [lockName], 'locking');
    const id = holder[0]?.holder;
    throw new EngineError(
      'ROTATION_IN_PROGRESS',
      `Another rotation of the table ${JSON.stringify(name)} in ${display} is running: the server ` +
        `lock ${JSON.stringify(lockName)} is held by connection ${id === null || id === undefined ? '(unknown)' : mysqlText(id)} ` +
        '(see SHOW PROCESSLIST on the server). Wait for it to finish; if that program died, its lock ' +
        'goes away with its connection.',
    );
  }
  let released = false;
  return async () => {
    if (released || closed()) return;
    released = true;
    await session
      .exclusive(() => session.query('SELECT RELEASE_LOCK(?)', [lockName], 'unlocking'))
      .catch(() => undefined);
  };
}
