/**
 * What each job asks its engine host to do: the IPC request, the app's engine
 * settings and the chosen vault become one HostRequest. The passwords it names
 * are handed over by VaultService (host-passwords.ts), never kept here.
 */
import {
  ARGON2_PRESETS,
  validateRotationInput,
  type Argon2BackendPreference,
  type Argon2Config,
  type VaultDriverPreference,
} from '../../engine/index.js';
import type {
  Argon2Choice,
  PreflightRequest,
  RotationRequest,
  VerifyRequest,
} from '../../shared/ipc-contract.js';
import type { HostRequest } from './engine-host-protocol.js';
import type { HandedPasswords } from './host-passwords.js';
import type { JobKind } from './job-registry.js';

/** The app's engine settings every job gets (VaultServiceOptions holds them). */
export interface EngineSettings {
  /** where rotation checkpoints live; default: next to the vault (where the CLI looks too) */
  readonly checkpointDir?: string;
  /** engine worker pool size; default: the engine's (one per core) */
  readonly workers?: number;
  readonly driver?: VaultDriverPreference;
  /** Electron build of better-sqlite3 (see native-sqlite.ts) */
  readonly nativeBinding?: string;
  readonly kdfBackend?: Argon2BackendPreference;
  /** records per write transaction (engine default 64); tests use small batches to cancel mid-job */
  readonly batchSize?: number;
  /** minimum ms between progress events of every job (engine default 100) */
  readonly progressIntervalMs?: number;
}

/** A job before its checks: the passwords to hand over, and how its request is built with them. */
export interface JobPlan<P extends readonly (string | undefined)[], R extends HostRequest> {
  readonly kind: JobKind & R['type'];
  readonly passwords: readonly [...P];
  /** may throw an EngineError to refuse the input (nothing has started then) */
  readonly request: (vaultPath: string, handed: HandedPasswords<P>) => R;
}

type Request<T extends HostRequest['type']> = Extract<HostRequest, { type: T }>;

export function argon2ConfigOf(choice: Argon2Choice): Argon2Config {
  return choice.preset === 'custom' ? { ...choice.config } : { ...ARGON2_PRESETS[choice.preset] };
}

/** A read-only look at a vault: tables, counts, unfinished rotation. */
export function infoRequest(
  vaultPath: string,
  server: HandedPasswords<[]>['server'],
  settings: EngineSettings,
): Request<'info'> {
  const { checkpointDir, driver, nativeBinding } = settings;
  return { type: 'info', options: { ...server, vaultPath, checkpointDir, driver, nativeBinding } };
}

export function preflightPlan(
  request: PreflightRequest,
  settings: EngineSettings,
): JobPlan<[string, string | undefined], Request<'preflight'>> {
  return {
    kind: 'preflight',
    passwords: [request.oldPassword, request.newPassword],
    request: (vaultPath, { vault: [oldPassword, newPassword], server }) => ({
      type: 'preflight',
      options: {
        ...server,
        vaultPath,
        table: request.table,
        oldPassword,
        ...(newPassword && { newPassword }),
        openConfig: argon2ConfigOf(request.crypto),
        includeSoftDeleted: request.includeSoftDeleted,
        ...jobSettings(settings),
      },
    }),
  };
}

export function verifyPlan(
  request: VerifyRequest,
  settings: EngineSettings,
): JobPlan<[string], Request<'verify'>> {
  return {
    kind: 'verify',
    passwords: [request.password],
    request: (vaultPath, { vault: [password], server }) => ({
      type: 'verify',
      options: {
        ...server,
        vaultPath,
        table: request.table,
        password,
        config: argon2ConfigOf(request.crypto),
        sampleSize: request.sampleSize,
        ...jobSettings(settings),
      },
    }),
  };
}

/** Input mistakes (same password, policy, Argon2id limits) are refused while the request is built. */
export function rotationPlan(
  r: RotationRequest,
  settings: EngineSettings,
): JobPlan<[string, string], Request<'rotate'>> {
  return {
    kind: 'rotate',
    passwords: [r.oldPassword, r.newPassword],
    request: (vaultPath, { vault: [oldPassword, newPassword], server }) => {
      const openConfig = argon2ConfigOf(r.crypto);
      const writeConfig = r.newCrypto ? argon2ConfigOf(r.newCrypto) : undefined;
      const newPasswordPolicy = r.newPasswordPolicy;
      validateRotationInput({
        oldPassword,
        newPassword,
        openConfig,
        writeConfig,
        newPasswordPolicy,
      });
      return {
        type: 'rotate',
        options: {
          ...server,
          vaultPath,
          table: r.table,
          oldPassword,
          newPassword,
          openConfig,
          writeConfig,
          newPasswordPolicy,
          includeSoftDeleted: r.includeSoftDeleted,
          backup: r.backup,
          dryRun: r.dryRun,
          resume: r.resume,
          restart: r.restart ?? false,
          scanAnyway: r.scanAnyway ?? false,
          checkpointDir: settings.checkpointDir,
          batchSize: settings.batchSize,
          ...jobSettings(settings),
        },
      };
    },
  };
}

/** The settings of the jobs that open records (the read-only look needs none of the KDF's). */
function jobSettings(settings: EngineSettings): {
  workers?: number | undefined;
  kdfBackend?: Argon2BackendPreference | undefined;
  driver?: VaultDriverPreference | undefined;
  nativeBinding?: string | undefined;
  progressIntervalMs?: number | undefined;
} {
  const { workers, kdfBackend, driver, nativeBinding, progressIntervalMs } = settings;
  return { workers, kdfBackend, driver, nativeBinding, progressIntervalMs };
}
