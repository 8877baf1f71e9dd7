/**
 * `npm run man`: writes docs/vaultstore-admin.1 from the CLI's option table
 * (src/cli/man-page.ts). test/cli/help.test.ts fails while it is stale.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { manPage } from '../src/cli/man-page.js';

const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'vaultstore-admin.1');
writeFileSync(target, manPage());
