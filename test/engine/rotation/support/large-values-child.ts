/**
 * Rotates a vault of large values in a process of its own and reports the
 * process's peak resident memory (worker threads included), as one JSON line.
 * Usage: node --import tsx large-values-child.ts <vault>
 * The passwords are the test's constants (never argv or environment).
 */
import { ARGON2_PRESETS, rotateVault } from '../../../../src/engine/index.js';
import { LARGE_NEW, LARGE_OLD } from './large-values-passwords.js';

const vaultPath = process.argv[2];
if (!vaultPath) throw new Error('usage: large-values-child.ts <vault>');
const result = await rotateVault({
  vaultPath,
  oldPassword: new TextEncoder().encode(LARGE_OLD),
  newPassword: new TextEncoder().encode(LARGE_NEW),
  openConfig: ARGON2_PRESETS.tiny,
  workers: 2,
  backup: false,
});
process.stdout.write(
  `${JSON.stringify({
    status: result.status,
    rotated: result.rotated,
    failed: result.failed,
    // KiB on Linux and macOS
    maxRssKiB: process.resourceUsage().maxRSS,
  })}\n`,
);
