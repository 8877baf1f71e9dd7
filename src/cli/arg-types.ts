/**
 * The argument types every command's parser shares (args.ts re-exports them),
 * in a module of their own so the parsers import no cycle.
 */
import type { ServerTarget } from '../engine/index.js';

export type PasswordSource =
  | { readonly kind: 'env'; readonly variable: string }
  | { readonly kind: 'file'; readonly path: string }
  /** a file option given "-": read from stdin to its end (one password at most) */
  | { readonly kind: 'stdin' }
  | { readonly kind: 'prompt' };

/**
 * Where the database password of a connection string comes from. `source`
 * 'prompt' means no option named one: ~/.my.cnf (MySQL), PGPASSWORD or
 * ~/.pgpass (PostgreSQL), then the prompt (see db-password.ts).
 */
export interface DbPasswordOptions {
  /** --db-password-env VAR / --db-password-file FILE */
  readonly source: PasswordSource;
  /** --db-option-file FILE (MySQL [client] section) */
  readonly optionFile: string | undefined;
}

/** The vault argument and its login, as every command that opens a vault has them. */
export interface VaultArguments {
  readonly vaultPath: string;
  readonly server: ServerTarget | null;
  readonly dbPassword: DbPasswordOptions;
}
