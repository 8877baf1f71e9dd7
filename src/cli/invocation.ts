/**
 * What a parsed command line is: one typed invocation per command (args.ts
 * builds it; the commands read it).
 */
import type {
  Argon2BackendPreference,
  Argon2Config,
  ServerTarget,
  VaultDriverPreference,
} from '../engine/index.js';
import type { DbPasswordOptions, PasswordSource } from './arg-types.js';
import type {
  CancelArgs,
  DistributedRotateArgs,
  StatusArgs,
  WorkerArgs,
} from './distributed-args.js';
import type { HelpTopic } from './options.js';

export type BackupChoice =
  | { readonly kind: 'default' }
  | { readonly kind: 'none' }
  | { readonly kind: 'path'; readonly path: string }
  /** a vault in a database server: a new table in the same database */
  | { readonly kind: 'table'; readonly table: string };

/** A --crypto value as typed (for the resume command) and what it means. */
export interface CryptoChoice {
  readonly spec: string;
  readonly config: Argon2Config;
}

/** The library's PasswordRequireUppercase/Lowercase/Numbers/Symbols, as flags. */
export interface PasswordRuleFlags {
  readonly requireUpper: boolean;
  readonly requireLower: boolean;
  readonly requireDigit: boolean;
  readonly requireSymbol: boolean;
}

export interface InfoArgs {
  /** a vault file's path or a connection string (postgres://..., mysql://...) */
  readonly vaultPath: string;
  /** the parsed connection string; null for a vault file */
  readonly server: ServerTarget | null;
  readonly dbPassword: DbPasswordOptions;
  readonly json: boolean;
  readonly driver: VaultDriverPreference;
  /** where rotations keep their checkpoints (rotate --checkpoint-dir), to find unfinished ones */
  readonly checkpointDir: string | undefined;
}

export interface RotateArgs {
  /** a vault file's path or a connection string (postgres://..., mysql://...) */
  readonly vaultPath: string;
  /** the parsed connection string; null for a vault file */
  readonly server: ServerTarget | null;
  readonly dbPassword: DbPasswordOptions;
  readonly table: string | undefined;
  /** undefined: the "default" preset */
  readonly crypto: CryptoChoice | undefined;
  /** undefined: same as crypto */
  readonly newCrypto: CryptoChoice | undefined;
  readonly skipSoftDeleted: boolean;
  readonly dryRun: boolean;
  readonly backup: BackupChoice;
  readonly workers: number | undefined;
  readonly resume: boolean;
  /** discard an unfinished rotation and start over */
  readonly restart: boolean;
  readonly allowTriggers: boolean;
  readonly skipConfigCheck: boolean;
  /** test every record although no sampled record opened with the old password */
  readonly scanAnyway: boolean;
  readonly json: boolean;
  readonly kdf: Argon2BackendPreference;
  readonly driver: VaultDriverPreference;
  readonly checkpointDir: string | undefined;
  /** --server-timeout SECONDS: how long one statement may go unanswered (servers) */
  readonly serverTimeoutSeconds: number | undefined;
  readonly minPasswordBytes: number | undefined;
  /** --require-upper/-lower/-digit/-symbol: the vault's character rules for the new password */
  readonly passwordRules: PasswordRuleFlags;
  readonly oldPassword: PasswordSource;
  readonly newPassword: PasswordSource;
  /** --queue and what goes with it; null: a rotation on this machine */
  readonly distributed: DistributedRotateArgs | null;
}

export interface VerifyArgs {
  /** a vault file's path or a connection string (postgres://..., mysql://...) */
  readonly vaultPath: string;
  /** the parsed connection string; null for a vault file */
  readonly server: ServerTarget | null;
  readonly dbPassword: DbPasswordOptions;
  readonly table: string | undefined;
  readonly crypto: CryptoChoice | undefined;
  readonly sample: number | undefined;
  /** --fail-if-any-open: the password must open nothing (exit 7 if a record opens) */
  readonly failIfAnyOpen: boolean;
  readonly skipSoftDeleted: boolean;
  readonly workers: number | undefined;
  readonly json: boolean;
  readonly kdf: Argon2BackendPreference;
  readonly driver: VaultDriverPreference;
  readonly password: PasswordSource;
}

export type Invocation =
  | { readonly command: 'help'; readonly topic: HelpTopic | null; readonly asked: boolean }
  | { readonly command: 'version' }
  | { readonly command: 'info'; readonly args: InfoArgs }
  | { readonly command: 'rotate'; readonly args: RotateArgs }
  | { readonly command: 'verify'; readonly args: VerifyArgs }
  | { readonly command: 'worker'; readonly args: WorkerArgs }
  | { readonly command: 'status'; readonly args: StatusArgs }
  | { readonly command: 'cancel'; readonly args: CancelArgs };
