/**
 * The peak RSS of this process itself. On Linux, process.resourceUsage().maxRSS
 * of a child process starts at its parent's RSS: the kernel keeps the
 * high-water mark across fork and exec, so a child the benchmark starts after
 * generating a 1,000,000-record vault reported the benchmark's own ~260 MiB
 * (issue 20). /proc/self/status's VmHWM belongs to the process's own memory
 * (new at exec); maxRSS where there is no /proc.
 */
import { readFileSync } from 'node:fs';

/** KiB */
export function ownPeakRssKiB(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]);
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS;
}
