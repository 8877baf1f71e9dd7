/** Vaults named on the command line or handed to the running app: real files in a temp folder. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { launchVaultPath, vaultArgument } from '../../src/main/shell/launch-vault.js';
import { makeTempDir, type TempDir } from '../support/fixtures.js';

let temp: TempDir;
beforeEach(() => {
  temp = makeTempDir('vsa-launch-');
});
afterEach(() => temp.dispose());

describe('a vault named at launch', () => {
  it('takes the first argument after the program that is not a switch', () => {
    expect(vaultArgument(['/opt/VaultStore Admin/vaultstore-admin', 'app.db'], true)).toBe(
      'app.db',
    );
    // Unpackaged: electron and the app folder come first.
    expect(vaultArgument(['/x/electron', '.', '--inspect', 'vaults/app.db'], false)).toBe(
      'vaults/app.db',
    );
    // second-instance argv carries Chromium's switches too
    expect(
      vaultArgument(
        ['/opt/app', '--allow-file-access-from-files', '--original-process-start-time=1'],
        true,
      ),
    ).toBeNull();
    expect(vaultArgument(['/opt/app'], true)).toBeNull();
  });

  it('resolves it against the caller’s folder and accepts only an existing file', () => {
    const dir = join(temp.path, 'vaults');
    mkdirSync(dir);
    writeFileSync(join(dir, 'app.db'), 'SQLite format 3\0');
    expect(launchVaultPath('vaults/app.db', temp.path)).toEqual({
      ok: true,
      value: join(dir, 'app.db'),
    });
    expect(launchVaultPath(join(dir, 'app.db'), '/elsewhere')).toEqual({
      ok: true,
      value: join(dir, 'app.db'),
    });
    const missing = launchVaultPath('vaults/none.db', temp.path);
    expect(missing.ok).toBe(false);
    if (!missing.ok) {
      expect(missing.error.code).toBe('FILE_NOT_FOUND');
      expect(missing.error.message).toContain(join(dir, 'none.db'));
    }
    const folder = launchVaultPath('vaults', temp.path);
    expect(folder.ok || folder.error.code).toBe('FILE_NOT_FOUND');
  });
});
