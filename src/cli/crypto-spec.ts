/**
 * --crypto / --new-crypto: a preset name or "t=3,m=65536,p=4[,k=32,salt=16]"
 * (any order; k = key length 16/24/32, salt = salt size in bytes, the
 * library's CryptoConfig KeyLength and SaltSize). The parameters are not
 * stored in a vault, so the person must tell us the ones the VaultStore
 * application uses. Parsing and limits are the engine's (the app uses the
 * same); a mistake here is a usage error.
 */
import {
  isEngineError,
  parseArgon2Config,
  validateArgon2Config,
  type Argon2Config,
} from '../engine/index.js';
import { UsageError } from './cli-error.js';

/** @param option the flag name, for messages ("--crypto") */
export function parseCryptoSpec(spec: string, option: string): Argon2Config {
  try {
    const config = parseArgon2Config(spec);
    validateArgon2Config(config, option === '--new-crypto' ? 'write' : 'open');
    return config;
  } catch (error) {
    if (isEngineError(error)) throw new UsageError(`${option}: ${error.message}`);
    throw error;
  }
}
