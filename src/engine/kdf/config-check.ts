import { argon2ConfigProblem, type Argon2Config } from '../../core/argon2.js';
import { EngineError } from '../errors.js';

/**
 * Rejects Argon2id parameters that the backends (and the RFC) refuse, with a
 * message the user can act on (the one check, in core). The tool's sanity
 * caps are checked earlier, by the rotation's validateArgon2Config.
 */
export function assertArgon2Config(config: Argon2Config): void {
  const problem = argon2ConfigProblem(config, 'backend');
  if (problem) throw new EngineError('ARGON2_CONFIG', problem.message);
}
