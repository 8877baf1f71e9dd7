/**
 * The file an attacker wants overwritten: owner-only, with known bytes, in a
 * folder of its own. Planted-link tests point links at it and check it never changes.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

export const VICTIM_BYTES = 'root-only file the attacker wants overwritten\n';

export interface Victim {
  readonly path: string;
  expectIntact(): void;
}

export function makeVictim(root: string): Victim {
  mkdirSync(join(root, 'elsewhere'), { recursive: true });
  const path = join(root, 'elsewhere', 'victim');
  writeFileSync(path, VICTIM_BYTES, { mode: 0o600 });
  return {
    path,
    expectIntact: () => {
      expect(readFileSync(path, 'utf8')).toBe(VICTIM_BYTES);
      expect(statSync(path).mode & 0o777).toBe(0o600);
    },
  };
}
