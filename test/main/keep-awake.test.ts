/**
 * keepAwakeDuringRotations against a real VaultService rotation (engine-host
 * thread, tiny Argon2id); only Electron's powerSaveBlocker is a fake, at the
 * boundary, recording what the shell asked of it.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VaultService } from '../../src/main/host/vault-service.js';
import {
  keepAwakeDuringRotations,
  type PowerSaveBlockerApi,
} from '../../src/main/shell/keep-awake.js';
import type { JobEvent } from '../../src/shared/ipc-contract.js';
import { makeTempDir, type TempDir } from '../support/fixtures.js';
import { EventLog } from './support/events.js';
import { makeVault, OLD_PASSWORD, tinyRotation } from './support/vaults.js';

class FakeBlocker implements PowerSaveBlockerApi {
  readonly calls: string[] = [];
  readonly active = new Set<number>();
  private next = 1;
  start(type: 'prevent-app-suspension' | 'prevent-display-sleep'): number {
    const id = this.next++;
    this.calls.push(`start ${type} -> ${id}`);
    this.active.add(id);
    return id;
  }
  stop(id: number): void {
    this.calls.push(`stop ${id}`);
    this.active.delete(id);
  }
}

let temp: TempDir;
beforeEach(() => {
  temp = makeTempDir('vsa-keep-awake-');
});
afterEach(() => temp.dispose());

describe('keeping the machine awake during a rotation', () => {
  it('holds one blocker from the rotation’s first event to its result; a pre-flight holds none', async () => {
    const service = new VaultService({ dataDir: join(temp.path, 'data'), workers: 1 });
    const log = new EventLog(service);
    const blocker = new FakeBlocker();
    const stop = keepAwakeDuringRotations(service, blocker);
    /** whether a blocker was held when each progress event arrived */
    const heldDuringProgress: boolean[] = [];
    const watch = service.onJobEvent((event) => {
      if (event.type === 'progress') heldDuringProgress.push(blocker.active.size === 1);
    });
    try {
      const vault = makeVault(temp.path);
      const opened = await service.openChosenPath(vault.path);
      if (!opened.ok) throw new Error(opened.error.message);
      const common = {
        vault: opened.value.handle,
        table: vault.table,
        crypto: { preset: 'tiny' },
      } as const;

      const checked = await service.preflight({
        ...common,
        oldPassword: OLD_PASSWORD,
        includeSoftDeleted: true,
      });
      expect(checked.ok).toBe(true);
      expect(blocker.calls).toEqual([]);

      const started = await service.startRotation(
        tinyRotation(opened.value.handle, vault.table, { backup: false }),
      );
      if (!started.ok) throw new Error(started.error.message);
      const final = await log.final(started.value.jobId);
      expect(final.type).toBe('result');
      expect(heldDuringProgress.length).toBeGreaterThan(0);
      expect(heldDuringProgress.every(Boolean)).toBe(true);
      expect(blocker.calls).toEqual(['start prevent-app-suspension -> 1', 'stop 1']);
      expect(blocker.active.size).toBe(0);
    } finally {
      watch();
      stop();
      log.dispose();
      await service.dispose();
    }
  });

  it('releases a blocker still held when the shell stops listening (quit mid-rotation)', () => {
    let listener: ((event: JobEvent) => void) | null = null;
    const source = {
      onJobEvent(next: (event: JobEvent) => void) {
        listener = next;
        return () => {
          listener = null;
        };
      },
    };
    const blocker = new FakeBlocker();
    const stop = keepAwakeDuringRotations(source, blocker);
    const progress = { phase: 'rotating', scanned: 1, total: 10 } as never;
    listener!({ type: 'progress', jobId: 'a', progress });
    listener!({ type: 'progress', jobId: 'a', progress });
    expect(blocker.active.size).toBe(1);
    stop();
    expect(listener).toBeNull();
    expect(blocker.calls).toEqual(['start prevent-app-suspension -> 1', 'stop 1']);
  });
});
