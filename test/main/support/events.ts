/** Collects a VaultService's job events and waits for one of them (a rotation's last one, a check's progress). */
import type { JobEvent, RotationEvent } from '../../../src/shared/ipc-contract.js';
import type { VaultService } from '../../../src/main/host/vault-service.js';

type FinalEvent = Exclude<RotationEvent, { type: 'progress' }>;

/** A rotation's outcome (checks answer their call instead). */
const isFinal = (event: JobEvent): event is FinalEvent =>
  event.type === 'result' || event.type === 'error';

export class EventLog {
  readonly events: JobEvent[] = [];
  private readonly waiters: Array<() => void> = [];
  readonly dispose: () => void;

  constructor(service: VaultService) {
    this.dispose = service.onJobEvent((event) => {
      this.events.push(event);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  progressOf(jobId: string): Extract<RotationEvent, { type: 'progress' }>[] {
    return this.events.filter(
      (event): event is Extract<RotationEvent, { type: 'progress' }> =>
        event.type === 'progress' && event.jobId === jobId,
    );
  }

  /** Resolves with the first event (of `jobId`) that satisfies `match`; throws if the job ends first. */
  async waitFor<E extends JobEvent>(
    jobId: string,
    match: (event: JobEvent) => event is E,
  ): Promise<E>;
  async waitFor(jobId: string, match: (event: JobEvent) => boolean): Promise<JobEvent>;
  async waitFor(jobId: string, match: (event: JobEvent) => boolean): Promise<JobEvent> {
    for (;;) {
      const found = this.events.find((event) => event.jobId === jobId && match(event));
      if (found) return found;
      const ended = this.events.find((event) => event.jobId === jobId && isFinal(event));
      if (ended)
        throw new Error(`job ${jobId} ended before the awaited event: ${JSON.stringify(ended)}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  final(jobId: string): Promise<FinalEvent> {
    return this.waitFor(jobId, isFinal);
  }
}
