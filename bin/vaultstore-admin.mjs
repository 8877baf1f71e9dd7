#!/usr/bin/env node
// The package's bin: runs the bundled CLI (built by `npm run build:cli`, also on `npm install`).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundle = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'out',
  'cli',
  'vaultstore-admin.mjs',
);

if (existsSync(bundle)) {
  await import(pathToFileURL(bundle).href);
} else {
  process.stderr.write(
    `vaultstore-admin is not built (${bundle} is missing).\nRun "npm run build:cli" in the project folder, then try again.\n`,
  );
  process.exitCode = 1;
}
