/** Collects a VaultService's rotation events and waits for a job's last one. */
import type { RotationEvent } from '../../../src/shared/ipc-contract.js';
import type { VaultService } from '../../../src/main/host/vault-service.js';

type FinalEvent = Exclude<RotationEvent, { type: 'progress' }>;

export class EventLog {
  readonly events: RotationEvent[] = [];
  private readonly waiters: Array<() => void> = [];
  readonly dispose: () => void;

  constructor(service: VaultService) {
    this.dispose = service.onRotationEvent((event) => {
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
  async waitFor<E extends RotationEvent>(
    jobId: string,
    match: (event: RotationEvent) => event is E,
  ): Promise<E>;
  async waitFor(jobId: string, match: (event: RotationEvent) => boolean): Promise<RotationEvent>;
  async waitFor(jobId: string, match: (event: RotationEvent) => boolean): Promise<RotationEvent> {
    for (;;) {
      const found = this.events.find((event) => event.jobId === jobId && match(event));
      if (found) return found;
      const ended = this.events.find((event) => event.jobId === jobId && event.type !== 'progress');
      if (ended)
        throw new Error(`job ${jobId} ended before the awaited event: ${JSON.stringify(ended)}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  final(jobId: string): Promise<FinalEvent> {
    return this.waitFor(jobId, (event): event is FinalEvent => event.type !== 'progress');
  }
}
