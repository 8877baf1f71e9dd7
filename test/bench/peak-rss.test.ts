/**
 * bench/peak-rss.ts: a child process's own peak RSS, not the maxRSS it
 * inherits from its parent (Linux keeps the high-water mark across fork and
 * exec: the seed's table reported the benchmark's own 260 MiB for a
 * rotation's child, issue 20).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';

const execFileAsync = promisify(execFile);
const MIB = 1024;

describe.runIf(process.platform === 'linux')('ownPeakRssKiB', () => {
  it("is the child's own peak, where maxRSS carries the parent's", async () => {
    // resident in this (parent) process when the child starts
    const held = Buffer.alloc(512 * 1024 * 1024, 1);
    const script =
      `const { ownPeakRssKiB } = await import(${JSON.stringify(join(repoRoot, 'bench', 'peak-rss.ts'))});` +
      'console.log(JSON.stringify({ own: ownPeakRssKiB(), maxRss: process.resourceUsage().maxRSS }));';
    const { stdout } = await execFileAsync(
      process.execPath,
      ['--input-type=module', '-e', script],
      { cwd: repoRoot, timeout: 60_000 },
    );
    expect(held.length).toBeGreaterThan(0);
    const { own, maxRss } = JSON.parse(stdout) as { own: number; maxRss: number };
    // the parent's 512 MiB show in maxRSS; a bare node process is far below that
    expect(maxRss).toBeGreaterThan(512 * MIB);
    expect(own).toBeLessThan(256 * MIB);
    expect(own).toBeGreaterThan(0);
  });
});
