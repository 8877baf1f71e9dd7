/** The worker pool that does every record's crypto off the host thread. */
export { CryptoPool, CRYPTO_WORKER_SOURCE } from './crypto-pool.js';
export type { CryptoPoolOptions, CryptoPoolStats } from './crypto-pool.js';
export type { CryptoOutcome, CryptoTask, CryptoTaskResult } from './protocol.js';
