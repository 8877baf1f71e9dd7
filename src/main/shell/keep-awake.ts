/**
 * Keeps the machine from sleeping while a rotation runs (a long one at the
 * default preset takes hours; a suspended machine would stall it): Electron's
 * powerSaveBlocker, started with the rotation's first event and stopped with
 * its result or error. 'prevent-app-suspension' lets the screen turn off.
 */
import { isRotationEvent, type JobEvent } from '../../shared/ipc-contract.js';

/** The part of Electron's powerSaveBlocker used here (a fake stands in for it in tests). */
export interface PowerSaveBlockerApi {
  start(type: 'prevent-app-suspension' | 'prevent-display-sleep'): number;
  stop(id: number): void;
}

export interface JobEventSource {
  onJobEvent(listener: (event: JobEvent) => void): () => void;
}

/** Returns the function that unsubscribes and releases a blocker still held. */
export function keepAwakeDuringRotations(
  service: JobEventSource,
  blocker: PowerSaveBlockerApi,
): () => void {
  /** jobId -> blocker id, for each rotation running */
  const held = new Map<string, number>();
  const release = (jobId: string): void => {
    const id = held.get(jobId);
    if (id === undefined) return;
    held.delete(jobId);
    blocker.stop(id);
  };
  const unsubscribe = service.onJobEvent((event) => {
    // Checks (pre-flight, verify) are short and watched: only rotations keep the machine up
    // (a coordinated one too: a sleeping coordinator stalls its sweep rounds and the result).
    if (event.type === 'distributed-progress') {
      if (!held.has(event.jobId)) held.set(event.jobId, blocker.start('prevent-app-suspension'));
      return;
    }
    if (!isRotationEvent(event)) return;
    if (event.type === 'progress') {
      if (!held.has(event.jobId)) held.set(event.jobId, blocker.start('prevent-app-suspension'));
      return;
    }
    release(event.jobId);
  });
  return () => {
    unsubscribe();
    for (const jobId of [...held.keys()]) release(jobId);
  };
}
