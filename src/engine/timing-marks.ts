/**
 * Opt-in timing marks: the moments a job's steps begin and end (vault
 * opened, worker pool ready, ...), published on a diagnostics channel so a
 * shell can print them (the CLI with VAULTSTORE_ADMIN_TIMINGS=1: the
 * benchmark's per-phase breakdown). With nobody subscribed a mark costs one
 * check and keeps nothing. A mark is a fixed label and a time: never a
 * value, a password or a path.
 */
import { channel, subscribe, unsubscribe } from 'node:diagnostics_channel';

const TIMING_CHANNEL = 'vaultstore-admin:timing';
const timing = channel(TIMING_CHANNEL);

export type TimingLabel =
  'vault-open' | 'vault-opened' | 'pool-start' | 'pool-ready' | 'pool-closed' | `phase:${string}`;

export interface TimingMark {
  readonly label: TimingLabel;
  /** ms since this thread started (performance.now()) */
  readonly at: number;
}

export function markTiming(label: TimingLabel): void {
  if (timing.hasSubscribers) timing.publish({ label, at: performance.now() } satisfies TimingMark);
}

/** Calls `listener` with each mark of this thread; returns the function that stops it. */
export function onTimingMarks(listener: (mark: TimingMark) => void): () => void {
  const handler = (message: unknown): void => listener(message as TimingMark);
  subscribe(TIMING_CHANNEL, handler);
  return () => {
    unsubscribe(TIMING_CHANNEL, handler);
  };
}
