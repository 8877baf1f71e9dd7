import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rotateVault, type RotationProgress } from '../../../../src/engine/index.js';
import { copyFixture, makeTempDir, type TempDir } from '../../../support/fixtures.js';
import { NEW_PASSWORD, PW_A, bytes, tiny } from '../support/rotation-checks.js';

const COUNTERS = ['scanned', 'rotated', 'skipped', 'failed', 'bytes'] as const;

async function rotateWithEvents(db: string, progressIntervalMs: number) {
  const events: RotationProgress[] = [];
  const result = await rotateVault({
    vaultPath: db,
    oldPassword: bytes(PW_A),
    newPassword: bytes(NEW_PASSWORD),
    openConfig: tiny,
    batchSize: 8,
    progressIntervalMs,
    onProgress: (event) => events.push(event),
  });
  return { result, events };
}

describe('progress events', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => dir.dispose());

  it('are monotonic, go through the phases, and the final one equals the result', async () => {
    const { result, events } = await rotateWithEvents(copyFixture('tiny200', dir.path), 0);
    expect(events.length).toBeGreaterThan(result.scanned);
    for (let i = 1; i < events.length; i++) {
      for (const counter of COUNTERS) {
        expect(events[i]![counter], `${counter} at event ${i}`).toBeGreaterThanOrEqual(
          events[i - 1]![counter],
        );
      }
      expect(events[i]!.elapsedMs).toBeGreaterThanOrEqual(events[i - 1]!.elapsedMs);
    }
    const phases = events
      .map((event) => event.phase)
      .filter((phase, i, all) => phase !== all[i - 1]);
    expect(phases).toEqual([
      'validating',
      'rotating',
      'backing-up',
      'rotating',
      'finishing',
      'done',
    ]);

    const last = events.at(-1)!;
    expect(last).toMatchObject({
      phase: 'done',
      total: result.scanned,
      scanned: result.scanned,
      rotated: result.rotated,
      skipped: result.skipped,
      failed: result.failed,
      etaMs: 0,
    });
    expect(last.ratePerSecond).toBeGreaterThan(0);
    // bytes: the new values written, each longer than zero
    expect(last.bytes).toBeGreaterThan(result.rotated * 'v2:'.length);
    for (const event of events) expect(JSON.stringify(event)).not.toMatch(/pwA-|New-Password/);
  });

  it('are throttled: with a long interval only phase changes and the final event are sent', async () => {
    const { result, events } = await rotateWithEvents(copyFixture('tiny200', dir.path), 60_000);
    expect(events.map((event) => event.phase)).toEqual([
      'validating',
      'rotating',
      'backing-up',
      'rotating',
      'finishing',
      'done',
    ]);
    expect(events.at(-1)).toMatchObject({ scanned: result.scanned, rotated: result.rotated });
  });

  it('end with a failed event when the job fails', async () => {
    const events: RotationProgress[] = [];
    await expect(
      rotateVault({
        vaultPath: `${dir.path}/missing.db`,
        oldPassword: bytes(PW_A),
        newPassword: bytes(NEW_PASSWORD),
        openConfig: tiny,
        onProgress: (event) => events.push(event),
      }),
    ).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    expect(events.map((event) => event.phase)).toEqual(['validating', 'failed']);
  });
});
