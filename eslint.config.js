import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import { builtinModules } from 'node:module';

/**
 * The layer table (docs/ARCHITECTURE.md, "Layers"): what each part of the code
 * may import. A row is the importing layer; it may import the layers in
 * `layers` and none of the others, and reaches the engine as `engine` says:
 *   self   it is the engine;          entry  only through src/engine/index.ts;
 *   none   not at all (the types every layer shares are in src/core).
 * `node` allows Node built-ins, `electron` the electron module. Tests, e2e and
 * build scripts are no layer: they may import anything (engine internals too).
 * src/core is the Node-free vocabulary every layer may use (issue 10, step 1).
 * tools/ is development tooling shared by tests and bench (the database
 * server launcher): plain Node, no project code, so it ships nowhere.
 */
// prettier-ignore
const LAYER_TABLE = {
  core:     { files: ['src/core/**'],     engine: 'none',  layers: [],                 node: false, electron: false },
  engine:   { files: ['src/engine/**'],   engine: 'self',  layers: ['core'],           node: true,  electron: false },
  shared:   { files: ['src/shared/**'],   engine: 'none',  layers: ['core'],           node: false, electron: false },
  cli:      { files: ['src/cli/**'],      engine: 'entry', layers: ['core'],           node: true,  electron: false },
  main:     { files: ['src/main/**'],     engine: 'entry', layers: ['core', 'shared'], node: true,  electron: true  },
  preload:  { files: ['src/preload/**'],  engine: 'none',  layers: ['core', 'shared'], node: false, electron: true  },
  renderer: { files: ['src/renderer/**'], engine: 'none',  layers: ['core', 'shared'], node: false, electron: false },
  bench:    { files: ['bench/**'],        engine: 'entry', layers: ['core', 'tools'],  node: true,  electron: false },
  tools:    { files: ['tools/**'],        engine: 'none',  layers: [],                 node: true,  electron: false },
};

/**
 * Relative specifiers that climb out into a folder: '../x/…' from src/ or
 * '../src/x/…' from bench/. Layer folders have unique names, so the name after
 * the climb tells the layer without resolving the path. Code never imports
 * tests, so test/ and e2e/ are targets no row allows.
 */
const climbInto = (folder, after = '(?:/|$)') => `^(?:\\.\\./)+${folder}${after}`;
const TARGETS = {
  core: climbInto('(?:src/)?core'),
  shared: climbInto('(?:src/)?shared'),
  cli: climbInto('(?:src/)?cli'),
  main: climbInto('(?:src/)?main'),
  preload: climbInto('(?:src/)?preload'),
  renderer: climbInto('(?:src/)?renderer'),
  bench: climbInto('bench'),
  tools: climbInto('tools'),
  test: climbInto('test'),
  e2e: climbInto('e2e'),
};
const ENGINE_ANY = climbInto('(?:src/)?engine');
const ENGINE_INTERNAL = climbInto('(?:src/)?engine', '(?:/(?!index\\.js$)|$)');
const NODE_BUILTIN = `^(?:node:|(?:${builtinModules.map((name) => name.replace(/[/.]/g, '\\$&')).join('|')})(?:/|$))`;

function layerPatterns(name, row) {
  const patterns = [];
  for (const [target, regex] of Object.entries(TARGETS)) {
    if (target === name || row.layers.includes(target)) continue;
    patterns.push({
      regex,
      message: `Layer ${name} may not import ${target} (layer table in eslint.config.js).`,
    });
  }
  if (row.engine === 'none') {
    patterns.push({ regex: ENGINE_ANY, message: `Layer ${name} may not import the engine.` });
  } else if (row.engine === 'entry') {
    patterns.push({
      regex: ENGINE_INTERNAL,
      message: `Layer ${name} reaches the engine only through its public entry, engine/index.js.`,
    });
  }
  if (!row.node) {
    patterns.push({
      regex: NODE_BUILTIN,
      message: `Layer ${name} runs without Node: no Node built-ins.`,
    });
  }
  if (!row.electron) {
    patterns.push({
      regex: '^electron(?:/|$)',
      message: `Layer ${name} may not import electron (only main and preload do).`,
    });
  }
  return patterns;
}

const layerRules = Object.entries(LAYER_TABLE).map(([name, row]) => ({
  files: row.files,
  rules: { 'no-restricted-imports': ['error', { patterns: layerPatterns(name, row) }] },
}));

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'test-results/**',
      'bench-results/**',
      'native/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        queueMicrotask: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        structuredClone: 'readonly',
        performance: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  {
    // Type-aware rules (issue 17, guardrails): a promise nobody awaits loses its
    // error, and a switch over a union must name every member. They need the
    // type checker, so they run on TypeScript sources only.
    files: ['**/*.ts', '**/*.tsx', '**/*.mts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error'],
    },
  },
  ...layerRules,
  {
    // One job per file (issue 17): a source module past 400 non-blank lines holds
    // more than one. Sources only: tests are long by nature (each case spelled out
    // in full, with its fixtures), and bench/tools are scripts.
    files: ['src/**/*.{ts,tsx}'],
    rules: { 'max-lines': ['error', { max: 400, skipBlankLines: true }] },
  },
  {
    files: ['src/renderer/**'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        navigator: 'readonly',
        HTMLElement: 'readonly',
      },
    },
    rules: {
      ...reactHooks.configs.recommended.rules,
    },
  },
);
