/**
 * Where the Debian packages `postgresql` and `mariadb-server` put their
 * programs, or why a server cannot run here (the tests skip with that reason,
 * or fail under CI: see serverUnavailable in test/support/servers/index.ts;
 * the benchmark skips its servers section with it).
 */
import { accessSync, constants, readdirSync } from 'node:fs';
import { join } from 'node:path';

export type ServerKind = 'postgres' | 'mysql';

export interface PostgresPrograms {
  readonly kind: 'postgres';
  readonly initdb: string;
  readonly postgres: string;
}

export interface MariadbPrograms {
  readonly kind: 'mysql';
  readonly installDb: string;
  readonly mariadbd: string;
}

export type ServerPrograms = PostgresPrograms | MariadbPrograms;

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string, extra: readonly string[] = []): string | null {
  const dirs = [...(process.env.PATH ?? '').split(':'), ...extra].filter(Boolean);
  for (const dir of dirs) if (executable(join(dir, name))) return join(dir, name);
  return null;
}

/** The newest PostgreSQL under /usr/lib/postgresql/<version>/bin (Debian's layout). */
function findPostgres(): PostgresPrograms | string {
  const root = '/usr/lib/postgresql';
  let versions: string[] = [];
  try {
    versions = readdirSync(root)
      .filter((name) => /^\d+$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
  } catch {
    // no PostgreSQL installed: the reason below
  }
  for (const version of versions) {
    const bin = join(root, version, 'bin');
    if (executable(join(bin, 'initdb')) && executable(join(bin, 'postgres'))) {
      return { kind: 'postgres', initdb: join(bin, 'initdb'), postgres: join(bin, 'postgres') };
    }
  }
  return `PostgreSQL is not installed (no ${root}/<version>/bin/initdb; Debian package "postgresql")`;
}

function findMariadb(): MariadbPrograms | string {
  const sbin = ['/usr/sbin', '/usr/local/sbin'];
  const mariadbd = onPath('mariadbd', sbin) ?? onPath('mysqld', sbin);
  const installDb = onPath('mariadb-install-db') ?? onPath('mysql_install_db');
  if (!mariadbd || !installDb) {
    return 'MariaDB is not installed (no mariadbd and mariadb-install-db; Debian package "mariadb-server")';
  }
  return { kind: 'mysql', installDb, mariadbd };
}

/** The programs for `kind`, or a sentence saying why they are missing. */
export function findServerPrograms(kind: ServerKind): ServerPrograms | string {
  return kind === 'postgres' ? findPostgres() : findMariadb();
}

/** util-linux `setpriv`: switches user and ties the server's life to ours (parent-death signal). */
export const setprivPath: string | null = onPath('setpriv', ['/usr/bin', '/bin']);
