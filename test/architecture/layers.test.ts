/**
 * The layer table in eslint.config.js, tested with the real ESLint and the
 * project's own config: a probe import across each forbidden boundary must
 * fail lint, and the imports the layers are built on must pass.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { probeLinter, root, ruleMessages } from './support/probe-lint.js';

const RULE = 'no-restricted-imports';

interface Probe {
  /** where the probe file pretends to live (need not exist) */
  readonly file: string;
  /** the import statement under test */
  readonly code: string;
}

/** One probe per forbidden pair: importer -> target. */
const FORBIDDEN: Record<string, Probe> = {
  'engine -> cli': {
    file: 'src/engine/rotation/probe.ts',
    code: "import { x } from '../../cli/format.js';",
  },
  'engine -> main': {
    file: 'src/engine/probe.ts',
    code: "import { x } from '../main/vault-service.js';",
  },
  'engine -> preload': {
    file: 'src/engine/probe.ts',
    code: "import { x } from '../preload/index.js';",
  },
  'engine -> renderer': {
    file: 'src/engine/probe.ts',
    code: "import { x } from '../renderer/api.js';",
  },
  'engine -> shared': {
    file: 'src/engine/probe.ts',
    code: "import type { x } from '../shared/ipc-contract.js';",
  },
  'engine -> electron': {
    file: 'src/engine/pool/probe.ts',
    code: "import { app as x } from 'electron';",
  },
  'engine -> test': {
    file: 'src/engine/probe.ts',
    code: "import { x } from '../../test/support/fixtures.js';",
  },
  'shared -> engine (value, internal)': {
    file: 'src/shared/probe.ts',
    code: "import { ARGON2_PRESETS as x } from '../engine/kdf/index.js';",
  },
  'shared -> engine (types)': {
    file: 'src/shared/probe.ts',
    code: "import type { RotationResult as x } from '../engine/rotation/types.js';",
  },
  'shared -> engine (value, entry)': {
    file: 'src/shared/probe.ts',
    code: "import { rotateVault as x } from '../engine/index.js';",
  },
  'shared -> main': {
    file: 'src/shared/probe.ts',
    code: "import type { x } from '../main/vault-service.js';",
  },
  'shared -> cli': { file: 'src/shared/probe.ts', code: "import { x } from '../cli/format.js';" },
  'shared -> preload': {
    file: 'src/shared/probe.ts',
    code: "import { x } from '../preload/index.js';",
  },
  'shared -> renderer': {
    file: 'src/shared/probe.ts',
    code: "import { x } from '../renderer/lib/format.js';",
  },
  'shared -> node:fs': {
    file: 'src/shared/probe.ts',
    code: "import { readFileSync as x } from 'node:fs';",
  },
  'shared -> electron': {
    file: 'src/shared/probe.ts',
    code: "import { ipcMain as x } from 'electron';",
  },
  'cli -> main': {
    file: 'src/cli/commands/probe.ts',
    code: "import { x } from '../../main/vault-service.js';",
  },
  'cli -> renderer': {
    file: 'src/cli/probe.ts',
    code: "import { x } from '../renderer/lib/format.js';",
  },
  'cli -> shared': {
    file: 'src/cli/probe.ts',
    code: "import { x } from '../shared/ipc-validation.js';",
  },
  'cli -> electron': { file: 'src/cli/probe.ts', code: "import { app as x } from 'electron';" },
  'cli -> engine internal (value)': {
    file: 'src/cli/probe.ts',
    code: "import { x } from '../engine/rotation/rotate-vault.js';",
  },
  'cli -> engine internal (type)': {
    file: 'src/cli/progress/probe.ts',
    code: "import type { RotationProgress as x } from '../../engine/rotation/types.js';",
  },
  'cli -> engine folder': { file: 'src/cli/probe.ts', code: "import { x } from '../engine';" },
  'main -> renderer': {
    file: 'src/main/probe.ts',
    code: "import { x } from '../renderer/lib/format.js';",
  },
  'main -> preload': {
    file: 'src/main/probe.ts',
    code: "import { x } from '../preload/vault-admin-api.js';",
  },
  'main -> cli': { file: 'src/main/probe.ts', code: "import { x } from '../cli/format.js';" },
  'main -> engine internal': {
    file: 'src/main/probe.ts',
    code: "import { x } from '../engine/storage/index.js';",
  },
  'preload -> main': {
    file: 'src/preload/probe.ts',
    code: "import { x } from '../main/ipc-router.js';",
  },
  'preload -> engine': {
    file: 'src/preload/probe.ts',
    code: "import type { x } from '../engine/index.js';",
  },
  'preload -> renderer': {
    file: 'src/preload/probe.ts',
    code: "import { x } from '../renderer/api.js';",
  },
  'preload -> node:fs': {
    file: 'src/preload/probe.ts',
    code: "import { readFileSync as x } from 'node:fs';",
  },
  'renderer -> engine (entry)': {
    file: 'src/renderer/probe.ts',
    code: "import { rotateVault as x } from '../engine/index.js';",
  },
  'renderer -> engine (types)': {
    file: 'src/renderer/store/probe.ts',
    code: "import type { RotationResult as x } from '../../engine/rotation/types.js';",
  },
  'renderer -> main': {
    file: 'src/renderer/components/probe.tsx',
    code: "import { x } from '../../main/security.js';",
  },
  'renderer -> preload': {
    file: 'src/renderer/probe.ts',
    code: "import { x } from '../preload/vault-admin-api.js';",
  },
  'renderer -> cli': {
    file: 'src/renderer/probe.ts',
    code: "import { x } from '../cli/format.js';",
  },
  'renderer -> node:fs': {
    file: 'src/renderer/lib/probe.ts',
    code: "import { readFileSync as x } from 'node:fs';",
  },
  'renderer -> fs (bare built-in)': {
    file: 'src/renderer/lib/probe.ts',
    code: "import { readFileSync as x } from 'fs';",
  },
  'renderer -> node:path/posix': {
    file: 'src/renderer/probe.ts',
    code: "import { join as x } from 'node:path/posix';",
  },
  'renderer -> electron': {
    file: 'src/renderer/probe.ts',
    code: "import { ipcRenderer as x } from 'electron';",
  },
  'renderer -> electron/renderer': {
    file: 'src/renderer/probe.ts',
    code: "import { ipcRenderer as x } from 'electron/renderer';",
  },
  'bench -> engine internal': {
    file: 'bench/probe.ts',
    code: "import { x } from '../src/engine/codec/index.js';",
  },
  'bench -> main': {
    file: 'bench/probe.ts',
    code: "import { x } from '../src/main/vault-service.js';",
  },
  'bench -> electron': { file: 'bench/probe.ts', code: "import { app as x } from 'electron';" },
  'bench -> test': {
    file: 'bench/probe.ts',
    code: "import { x } from '../test/support/servers/index.js';",
  },
  'engine -> tools': {
    file: 'src/engine/storage/probe.ts',
    code: "import { x } from '../../../tools/db-servers/server-process.js';",
  },
  'tools -> engine': {
    file: 'tools/db-servers/probe.ts',
    code: "import { x } from '../../src/engine/index.js';",
  },
  'tools -> bench': {
    file: 'tools/db-servers/probe.ts',
    code: "import { x } from '../../bench/vaultstore-ddl.js';",
  },
  'tools -> test': {
    file: 'tools/db-servers/probe.ts',
    code: "import { x } from '../../test/support/as-nobody.js';",
  },
  'core -> engine': {
    file: 'src/core/probe.ts',
    code: "import type { x } from '../engine/index.js';",
  },
  'core -> shared': {
    file: 'src/core/probe.ts',
    code: "import type { x } from '../shared/ipc-contract.js';",
  },
  'core -> node:fs': {
    file: 'src/core/probe.ts',
    code: "import { readFileSync as x } from 'node:fs';",
  },
  're-export across a boundary (renderer -> main)': {
    file: 'src/renderer/probe.ts',
    code: "export { x } from '../main/security.js';",
  },
};

/** The imports the layers are built on. */
const ALLOWED: Record<string, Probe> = {
  'engine -> its own modules': {
    file: 'src/engine/rotation/probe.ts',
    code: "import { x } from '../storage/index.js';",
  },
  'engine -> node:fs': {
    file: 'src/engine/probe.ts',
    code: "import { readFileSync as x } from 'node:fs';",
  },
  'engine -> a package': { file: 'src/engine/probe.ts', code: "import x from 'better-sqlite3';" },
  'engine -> core': { file: 'src/engine/probe.ts', code: "import { x } from '../core/index.js';" },
  'shared -> core': { file: 'src/shared/probe.ts', code: "import { x } from '../core/index.js';" },
  'cli -> engine entry': {
    file: 'src/cli/commands/probe.ts',
    code: "import { rotateVault as x } from '../../engine/index.js';",
  },
  'cli -> node:fs': {
    file: 'src/cli/probe.ts',
    code: "import { readFileSync as x } from 'node:fs';",
  },
  'main -> engine entry': {
    file: 'src/main/probe.ts',
    code: "import { openVault as x } from '../engine/index.js';",
  },
  'main -> shared': {
    file: 'src/main/probe.ts',
    code: "import { IPC_CHANNELS as x } from '../shared/ipc-contract.js';",
  },
  'main -> electron': { file: 'src/main/probe.ts', code: "import { app as x } from 'electron';" },
  'preload -> shared': {
    file: 'src/preload/probe.ts',
    code: "import { IPC_CHANNELS as x } from '../shared/ipc-contract.js';",
  },
  'preload -> electron': {
    file: 'src/preload/probe.ts',
    code: "import { contextBridge as x } from 'electron';",
  },
  'renderer -> shared': {
    file: 'src/renderer/components/probe.tsx',
    code: "import type { VaultAdminApi as x } from '../../shared/ipc-contract.js';",
  },
  'renderer -> its own modules': {
    file: 'src/renderer/components/probe.tsx',
    code: "import { x } from '../lib/format.js';",
  },
  'renderer -> its main.tsx (not src/main)': {
    file: 'src/renderer/probe.ts',
    code: "import { x } from './main.js';",
  },
  'renderer -> a package': {
    file: 'src/renderer/probe.ts',
    code: "import { useState as x } from 'react';",
  },
  'renderer -> core': {
    file: 'src/renderer/probe.ts',
    code: "import { x } from '../core/index.js';",
  },
  'bench -> engine entry': {
    file: 'bench/probe.ts',
    code: "import { rotateVault as x } from '../src/engine/index.js';",
  },
  'bench -> tools': {
    file: 'bench/probe.ts',
    code: "import { x } from '../tools/db-servers/server-process.js';",
  },
  'tools -> node:child_process': {
    file: 'tools/db-servers/probe.ts',
    code: "import { spawn as x } from 'node:child_process';",
  },
  'test -> tools': {
    file: 'test/support/servers/probe.ts',
    code: "import { x } from '../../../tools/db-servers/binaries.js';",
  },
  'test -> engine internal': {
    file: 'test/engine/probe.test.ts',
    code: "import { x } from '../../src/engine/codec/v2.js';",
  },
  'e2e -> main': {
    file: 'e2e/probe.ts',
    code: "import { x } from '../src/main/vault-service.js';",
  },
};

let eslint: ESLint;

beforeAll(() => {
  eslint = probeLinter();
});

/** The layer-rule messages ESLint reports for the probe, with the project's config. */
function layerErrors(probe: Probe): Promise<string[]> {
  return ruleMessages(eslint, RULE, probe.file, `${probe.code}\nexport { x };\n`);
}

describe('layer table (eslint.config.js)', () => {
  it.each(Object.entries(FORBIDDEN))('rejects %s', async (_pair, probe) => {
    const errors = await layerErrors(probe);
    expect(errors, `${probe.file}: ${probe.code}`).toHaveLength(1);
  });

  it.each(Object.entries(ALLOWED))('accepts %s', async (_pair, probe) => {
    expect(await layerErrors(probe), `${probe.file}: ${probe.code}`).toEqual([]);
  });

  it('says which layer broke which rule', async () => {
    const [message] = await layerErrors(FORBIDDEN['cli -> engine internal (value)'] as Probe);
    expect(message).toMatch(/Layer cli reaches the engine only through its public entry/);
  });

  it('gives every folder of src/ a row, so a new folder cannot escape the table', async () => {
    const folders = readdirSync(join(root, 'src'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(folders).toContain('engine');
    for (const folder of folders) {
      const config = (await eslint.calculateConfigForFile(
        join(root, 'src', folder, 'probe.ts'),
      )) as {
        rules?: Record<string, unknown>;
      };
      const setting = config.rules?.[RULE] as [unknown, { patterns?: unknown[] }] | undefined;
      expect(setting?.[1]?.patterns?.length ?? 0, `src/${folder} has no layer row`).toBeGreaterThan(
        0,
      );
    }
  });
});
