/**
 * --backup-table on MySQL/MariaDB. Built as an unfinished, marked table
 * under another name, renamed and marked complete only once every row is in
 * (backup-table-marker.ts): CREATE TABLE commits on its own in MySQL, so a
 * lost connection must not leave an empty table under the backup's name.
 */
import { EngineError } from '../../errors.js';
import {
  completeBackupComment,
  markedByRotation,
  unfinishedBackupComment,
  unfinishedBackupName,
} from '../server/backup-table-marker.js';
import { mysqlText } from './backup.js';
import type { MysqlSession } from './session.js';
import { quoteMysqlIdentifier } from './sql.js';

/** Copies the table `sourceName` to `newTable` (run inside the store's exclusive operation). */
export async function backupToTable(
  session: MysqlSession,
  display: string,
  sourceName: string,
  newTable: string,
  tag: string,
): Promise<void> {
  const action = 'backing up';
  const source = quoteMysqlIdentifier(sourceName);
  const target = quoteMysqlIdentifier(newTable);
  const building = unfinishedBackupName(newTable, tag);
  const existing = await tableComment(session, newTable);
  if (existing === completeBackupComment(tag)) return; // this rotation's, made by a stopped run
  if (existing !== null && existing !== unfinishedBackupComment(tag)) {
    throw backupTableExistsError(newTable, display);
  }
  // What a stopped run of this rotation left: never a backup, rebuilt.
  for (const name of [newTable, building]) {
    if (markedByRotation(await tableComment(session, name), tag)) {
      await session.query(`DROP TABLE ${quoteMysqlIdentifier(name)}`, [], action);
    }
  }
  const partial = quoteMysqlIdentifier(building);
  await session.query(`CREATE TABLE ${partial} LIKE ${source}`, [], action);
  try {
    await session.query(
      `ALTER TABLE ${partial} COMMENT = ?`,
      [unfinishedBackupComment(tag)],
      action,
    );
    // One statement: a consistent read of every row.
    await session.query(`INSERT INTO ${partial} SELECT * FROM ${source}`, [], action);
    await session.query(`RENAME TABLE ${partial} TO ${target}`, [], action);
  } catch (error) {
    // Marked unfinished (or never filled): dropped now if the connection allows, else by the resume.
    await session.query(`DROP TABLE IF EXISTS ${partial}`, [], action).catch(() => undefined);
    const cause = (error as { cause?: { errno?: unknown } }).cause;
    if (cause?.errno === 1050) throw backupTableExistsError(newTable, display);
    throw error;
  }
  await session.query(`ALTER TABLE ${target} COMMENT = ?`, [completeBackupComment(tag)], action);
}

/** The comment of a table of this database, or null when there is no such table. */
async function tableComment(session: MysqlSession, name: string): Promise<string | null> {
  const rows = await session.query(
    'SELECT TABLE_COMMENT AS comment FROM information_schema.TABLES ' +
      'WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
    [name],
    'backing up',
  );
  return rows[0] === undefined ? null : mysqlText(rows[0].comment);
}

function backupTableExistsError(newTable: string, display: string): EngineError {
  return new EngineError(
    'USAGE',
    `The backup table ${JSON.stringify(newTable)} already exists in ${display}: nothing was ` +
      'written. Choose another name for --backup-table, or drop that table if it is an old backup ' +
      'you no longer need.',
  );
}
