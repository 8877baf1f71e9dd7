/**
 * Preloaded (node --import) into a CLI process by build.test.ts: on exit, writes
 * to stderr which storage and queue packages the process loaded. They are
 * CommonJS (bullmq's ESM build loads ioredis, CommonJS), so even an ESM
 * import() of them shows in require.cache.
 */
import { createRequire } from 'node:module';

const PACKAGES = ['pg', 'mysql2', 'better-sqlite3', 'sql.js', 'ioredis'];
const cache = createRequire(import.meta.url).cache;

process.on('exit', () => {
  const files = Object.keys(cache);
  const loaded = PACKAGES.filter((name) =>
    files.some((file) => file.includes(`/node_modules/${name}/`)),
  );
  process.stderr.write(`loaded-packages: ${JSON.stringify(loaded)}\n`);
});
