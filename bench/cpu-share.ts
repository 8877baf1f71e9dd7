/**
 * How much of the machine other processes used while a benchmark section
 * ran: on a shared machine that is what makes a figure noisy. Measured as
 * (machine busy time - this process's CPU time) / (wall time x cores).
 */
import { readFileSync } from 'node:fs';
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

/**
 * CPU time of this process's children that have ended and been waited for
 * (cutime + cstime of /proc/self/stat), in ms; 0 where /proc is absent. A
 * section that runs its work in child processes subtracts it from the
 * machine's busy time to get the other processes' share.
 */
export function endedChildrenCpuMs(): number {
  let stat: string;
  try {
    stat = readFileSync('/proc/self/stat', 'utf8');
  } catch {
    return 0;
  }
  // Fields after the command name (which may hold spaces), counted from field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[13]) + Number(fields[14]);
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** USER_HZ: 100 on every Linux the kernel's ABI allows for /proc's clock ticks. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * The share of the cores (0..1) other processes used while `run` ran: the
 * machine's busy time less this process's and its ended children's.
 */
export async function otherShareDuring<T>(
  run: () => Promise<T>,
): Promise<{ readonly value: T; readonly otherShare: number }> {
  const before = { ...snapshot(), children: endedChildrenCpuMs() };
  const value = await run();
  const after = { ...snapshot(), children: endedChildrenCpuMs() };
  const capacityMs = (after.wallMs - before.wallMs) * cpus().length;
  const otherMs =
    after.machineBusyMs -
    before.machineBusyMs -
    (after.ownMs - before.ownMs) -
    (after.children - before.children);
  return {
    value,
    otherShare: capacityMs > 0 ? Math.min(1, Math.max(0, otherMs / capacityMs)) : 0,
  };
}
