/**
 * A shard job's deterministic id (enqueueing twice is one job) and the check
 * of job data read back from Redis: whoever can write to the queue must not
 * be able to hand a worker anything but a rotation id and three small numbers.
 */
import { EngineError } from '../../errors.js';
import type { ShardJob, ShardPhase } from './types.js';

/** Key prefix of everything this tool keeps in Redis. */
export const QUEUE_PREFIX = 'vsa';

const ROTATION_ID = /^[A-Za-z0-9_-]{1,64}$/;
const PHASES: readonly ShardPhase[] = ['pass', 'sweep'];
const MAX_INDEX = 1_000_000_000;

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_INDEX;
}

/** The job's data if it is a well-formed ShardJob (extra fields dropped), else null. */
export function parseShardJob(data: unknown): ShardJob | null {
  if (typeof data !== 'object' || data === null) return null;
  const { rotation, phase, round, shard } = data as Record<string, unknown>;
  if (typeof rotation !== 'string' || !ROTATION_ID.test(rotation)) return null;
  if (!PHASES.includes(phase as ShardPhase) || !isIndex(round) || !isIndex(shard)) return null;
  return { rotation, phase: phase as ShardPhase, round, shard };
}

/** The job as the engine built it; a malformed one is a bug (INTERNAL). */
export function checkShardJob(job: ShardJob): ShardJob {
  const parsed = parseShardJob(job);
  if (!parsed) {
    throw new EngineError(
      'INTERNAL',
      'A shard job must be {rotation: [A-Za-z0-9_-]{1,64}, phase: pass|sweep, round, shard}.',
    );
  }
  return parsed;
}

export function checkRotationId(rotation: string): string {
  if (!ROTATION_ID.test(rotation)) {
    throw new EngineError('INTERNAL', 'A rotation id is 1-64 characters of [A-Za-z0-9_-].');
  }
  return rotation;
}

/**
 * `rotation.phase.round.shard`: BullMQ refuses ':' in custom ids and ids that are
 * integers; a rotation id never holds '.', so the id is unambiguous.
 */
export function shardJobId(job: ShardJob): string {
  return `${job.rotation}.${job.phase}.${job.round}.${job.shard}`;
}
