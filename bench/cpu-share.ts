/**
 * How much of the machine other processes used while a benchmark section
 * ran: on a shared machine that is what makes a figure noisy. Measured as
 * (machine busy time - this process's CPU time) / (wall time x cores).
 */
import { cpus } from 'node:os';

interface Snapshot {
  readonly machineBusyMs: number;
  readonly ownMs: number;
  readonly wallMs: number;
}

/** CPU time all processes used since boot, summed over the cores, in ms. */
export function machineBusyMs(): number {
  let busy = 0;
  for (const { times } of cpus()) busy += times.user + times.nice + times.sys + times.irq;
  return busy;
}

function snapshot(): Snapshot {
  const own = process.cpuUsage();
  return {
    machineBusyMs: machineBusyMs(),
    ownMs: (own.user + own.system) / 1000,
    wallMs: performance.now(),
  };
}

export class SectionCpuMeter {
  /** share of the machine (0..1) other processes used during each section */
  readonly otherShare: Record<string, number> = {};
  private current: { name: string; start: Snapshot } | null = null;

  /**
   * Starts measuring `name` (and ends the section before). Sections whose
   * work runs in a child process (vsref, memory) would count it as "other":
   * pass measured=false for them.
   */
  start(name: string, measured = true): void {
    this.end();
    this.current = measured ? { name, start: snapshot() } : null;
  }

  end(): void {
    if (!this.current) return;
    const { name, start } = this.current;
    const stop = snapshot();
    const capacityMs = (stop.wallMs - start.wallMs) * cpus().length;
    const otherMs = stop.machineBusyMs - start.machineBusyMs - (stop.ownMs - start.ownMs);
    this.otherShare[name] = capacityMs > 0 ? Math.min(1, Math.max(0, otherMs / capacityMs)) : 0;
    this.current = null;
  }
}
