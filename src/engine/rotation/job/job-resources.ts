/**
 * What a job (rotation, pre-flight, verify) holds and must give back whatever
 * happens: the engine's own copies of the passwords, the open vault, the
 * worker pool and the rotation lock. Used as
 *
 *   const resources = new JobResources([options.password]);
 *   try { ... } finally { await resources.dispose(); }
 *
 * so the open / start / zero / close sequence is written once.
 */
import { CryptoPool, type CryptoPoolOptions } from '../../pool/crypto-pool.js';
import { openVault } from '../../storage/index.js';
import type { OpenVaultOptions, VaultStore } from '../../storage/types.js';
import type { RotationLock } from '../state/rotation-lock.js';

export interface JobResourcesOptions {
  /**
   * Abort the pool's tasks before closing it: after a failure, tasks still in
   * flight need not finish (each worker stops after its current derivation).
   */
  readonly abortPoolOnDispose?: boolean;
}

export class JobResources {
  /** The engine's own copies: the caller keeps (and zeroes) its buffers. Zeroed on dispose. */
  readonly passwords: readonly Uint8Array[];
  private store: VaultStore | null = null;
  private pool: CryptoPool | null = null;
  private lock: RotationLock | null = null;
  private serverLockRelease: (() => Promise<void>) | null = null;

  constructor(
    passwords: readonly Uint8Array[],
    private readonly options: JobResourcesOptions = {},
  ) {
    this.passwords = passwords.map((password) => new Uint8Array(password));
  }

  async openStore(path: string, options: OpenVaultOptions): Promise<VaultStore> {
    // The server password is the caller's copy: the driver reads it while connecting.
    this.store = await openVault(path, options);
    return this.store;
  }

  /** The pool copies the passwords it is given (default: all of this job's). */
  async startPool(
    options: Omit<CryptoPoolOptions, 'passwords'> & { passwords?: readonly Uint8Array[] },
  ): Promise<CryptoPool> {
    this.pool = await CryptoPool.start({
      ...options,
      passwords: options.passwords ?? this.passwords,
    });
    return this.pool;
  }

  /** Released on dispose. */
  hold(lock: RotationLock): RotationLock {
    this.lock = lock;
    return lock;
  }

  /** A server's rotation lock: released on dispose, before the connection closes. */
  holdServerLock(release: () => Promise<void>): void {
    this.serverLockRelease = release;
  }

  /** As soon as the workers hold their copies, so the host thread keeps none longer than needed. */
  zeroPasswords(): void {
    for (const password of this.passwords) password.fill(0);
  }

  /** Zeroes the passwords, closes the pool, then the vault, then releases the lock; each even if one before fails. */
  async dispose(): Promise<void> {
    this.zeroPasswords();
    const { pool, store, lock, serverLockRelease } = this;
    this.pool = this.store = this.lock = this.serverLockRelease = null;
    try {
      if (this.options.abortPoolOnDispose) pool?.abort();
      await pool?.close();
    } finally {
      try {
        try {
          await serverLockRelease?.();
        } finally {
          await store?.close();
        }
      } finally {
        lock?.release();
      }
    }
  }
}
