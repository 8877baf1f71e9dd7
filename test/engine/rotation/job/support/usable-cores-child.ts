/** Prints the engine's view of this process's CPUs as JSON (cpu-quota.test.ts runs it inside a cgroup). */
import { availableParallelism } from 'node:os';
import { cgroupCpuLimit, usableCores } from '../../../../../src/engine/index.js';

process.stdout.write(
  `${JSON.stringify({ available: availableParallelism(), limit: cgroupCpuLimit(), usable: usableCores() })}\n`,
);
