/**
 * Recently opened vaults: absolute paths only, most recent first, in one JSON
 * file of the app's data folder. Nothing else about a vault is ever stored.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivateFileAtomically } from '../../engine/index.js';

export const RECENT_VAULTS_FILE = 'recent-vaults.json';
export const MAX_RECENT_VAULTS = 10;

interface RecentVaultsFile {
  version: 1;
  paths: string[];
}

export class RecentVaults {
  private readonly file: string;

  constructor(private readonly dataDir: string) {
    this.file = join(dataDir, RECENT_VAULTS_FILE);
  }

  /** A missing or damaged file reads as an empty list (it is only a convenience). */
  list(): string[] {
    try {
      const parsed: unknown = JSON.parse(readFileSync(this.file, 'utf8'));
      const paths = (parsed as Partial<RecentVaultsFile> | null)?.paths;
      if (!Array.isArray(paths)) return [];
      return paths
        .filter((path): path is string => typeof path === 'string')
        .slice(0, MAX_RECENT_VAULTS);
    } catch {
      return [];
    }
  }

  /** Moves `path` to the front. */
  remember(path: string): string[] {
    const paths = [path, ...this.list().filter((known) => known !== path)].slice(
      0,
      MAX_RECENT_VAULTS,
    );
    this.write(paths);
    return paths;
  }

  forget(path: string): string[] {
    const paths = this.list().filter((known) => known !== path);
    this.write(paths);
    return paths;
  }

  /**
   * Write-then-rename so a crash never leaves half a file; the temporary is
   * private, random and exclusive. A link at the file's name is replaced by
   * the new list, never written through: the list is the app's own file.
   */
  private write(paths: string[]): void {
    mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    const contents: RecentVaultsFile = { version: 1, paths };
    writePrivateFileAtomically(this.file, `${JSON.stringify(contents, null, 2)}\n`);
  }
}
