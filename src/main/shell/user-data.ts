/**
 * The user-data override (VAULTSTORE_ADMIN_USER_DATA): tests and developers
 * point an unpackaged app at another data folder. A packaged app ignores it,
 * so nobody can redirect an installed app's recent list and settings through
 * the environment.
 */
import { isAbsolute } from 'node:path';

export const USER_DATA_ENV = 'VAULTSTORE_ADMIN_USER_DATA';

export interface UserDataDecision {
  /** the folder to use instead of Electron's default; null: keep the default */
  readonly use: string | null;
  /** why a set variable was not used (logged at startup) */
  readonly ignored?: string;
}

export function userDataOverride(
  env: Readonly<Record<string, string | undefined>>,
  isPackaged: boolean,
): UserDataDecision {
  const value = env[USER_DATA_ENV];
  if (!value) return { use: null };
  if (isPackaged)
    return { use: null, ignored: `${USER_DATA_ENV} is ignored: it works only in development.` };
  if (!isAbsolute(value))
    return {
      use: null,
      ignored: `${USER_DATA_ENV} is ignored: it must be an absolute folder path.`,
    };
  return { use: value };
}
