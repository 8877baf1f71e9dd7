/**
 * No import cycle inside src/, type-only imports included: a cycle is a pair
 * (or a tangle) of modules that cannot be understood, tested or moved one
 * without the other (issue 17: types.ts importing the driver registry once
 * tied 20 storage files together). The graph is read from the real sources;
 * the finder itself is checked on small real trees with known cycles.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../support/fixtures.js';
import { findCycles, importGraph } from './support/import-graph.js';

const root = resolve(import.meta.dirname, '../..');

describe('import cycles in src/', () => {
  const graph = importGraph(join(root, 'src'));

  it('reads every module and resolves every relative import', () => {
    expect(graph.edges.size).toBeGreaterThan(100);
    expect(graph.unresolved).toEqual([]);
    // resolution as the project writes it: `.js` names the .ts source, a folder its index
    expect(graph.edges.get('engine/storage/index.ts')).toContain('engine/storage/open-vault.ts');
    expect(graph.edges.get('engine/index.ts')).toEqual(
      expect.arrayContaining(['engine/storage/index.ts', 'engine/rotation/index.ts']),
    );
  });

  it('has none', () => {
    const cycles = findCycles(graph.edges).map(
      ({ files, path }) => `${path.join(' -> ')} (${files.length} files: ${files.join(', ')})`,
    );
    expect(cycles, 'break each cycle: move what both sides need into a module of its own').toEqual(
      [],
    );
  });
});

describe('the cycle finder', () => {
  let temp: TempDir;
  beforeEach(() => {
    temp = makeTempDir('vsa-import-cycles-');
  });
  afterEach(() => temp.dispose());

  function tree(files: Record<string, string>): string {
    for (const [path, text] of Object.entries(files)) {
      const file = join(temp.path, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
    return temp.path;
  }

  it('finds a cycle closed by a type-only import', () => {
    const { edges } = importGraph(
      tree({
        'a.ts': "import { b } from './b.js';\nexport const a = b;\n",
        'b.ts': "import type { A } from './a.js';\nexport const b = 1;\nexport type B = A;\n",
      }),
    );
    expect(findCycles(edges)).toEqual([
      { files: ['a.ts', 'b.ts'], path: ['a.ts', 'b.ts', 'a.ts'] },
    ]);
  });

  it('follows re-exports, dynamic imports, folder indexes and .tsx, and names the whole tangle', () => {
    const { edges, unresolved } = importGraph(
      tree({
        'store/index.ts': "export * from './types.js';\n",
        'store/types.ts': "export type T = import('../view.js').View;\n",
        'view.tsx': "export const load = () => import('./store');\nexport type View = 1;\n",
        'leaf.ts': "import './store/index.js';\nimport 'node:fs';\nimport './style.css';\n",
      }),
    );
    expect(unresolved).toEqual([]);
    expect(edges.get('leaf.ts')).toEqual(['store/index.ts']);
    const [cycle, ...others] = findCycles(edges);
    expect(others).toEqual([]);
    expect(cycle?.files).toEqual(['store/index.ts', 'store/types.ts', 'view.tsx']);
    expect(cycle?.path).toEqual(['store/index.ts', 'store/types.ts', 'view.tsx', 'store/index.ts']);
  });

  it('finds a module that imports itself, and nothing in a tree without cycles', () => {
    expect(findCycles(new Map([['self.ts', ['self.ts']]]))).toEqual([
      { files: ['self.ts'], path: ['self.ts', 'self.ts'] },
    ]);
    const { edges } = importGraph(
      tree({
        'a.ts':
          "import { b } from './b.js';\nimport { c } from './c.js';\nexport const a = b + c;\n",
        'b.ts': "import { c } from './c.js';\nexport const b = c;\n",
        'c.ts': 'export const c = 1;\n',
      }),
    );
    expect(findCycles(edges)).toEqual([]);
  });

  it('reports a relative import that names no module', () => {
    const { unresolved } = importGraph(tree({ 'a.ts': "import { x } from './missing.js';\n" }));
    expect(unresolved).toEqual(['a.ts: ./missing.js']);
  });
});
