/**
 * Recently opened vaults: absolute paths only, most recent first, in one JSON
 * file of the app's data folder. Nothing else about a vault is ever stored.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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

  /** Write-then-rename so a crash never leaves half a file. */
  private write(paths: string[]): void {
    mkdirSync(this.dataDir, { recursive: true });
    const contents: RecentVaultsFile = { version: 1, paths };
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(contents, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, this.file);
  }
}
