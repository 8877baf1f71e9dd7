/**
 * The Help menu's texts: how to use the app, the command-line tool, where
 * backups, checkpoints and the app's own files go, and About. Pure, so they
 * are tested without Electron; the menu shows each in a message box.
 */
import { AUDIT_LOG_FILE } from '../host/audit-log.js';
import { APP_NAME } from './window-options.js';

export interface HelpText {
  readonly title: string;
  readonly message: string;
  readonly detail: string;
}

export interface AboutFacts {
  readonly version: string;
  readonly electron: string;
  readonly node: string;
  readonly chrome: string;
}

export function usingTheAppText(): HelpText {
  return {
    title: 'Using VaultStore Admin',
    message: 'Rotate the password of a VaultStore vault',
    detail: [
      '1. Open a vault file (or connect to a database) and pick its vault table.',
      '2. Rotate password…: choose the Argon2id preset the application uses, enter the current password and check it, then the new one twice.',
      '3. Keep the application that uses the vault stopped (or on the new password) until the rotation ends.',
      '4. Verify with the new password, and export a report if you need one.',
      '',
      'A cancelled or interrupted rotation resumes where it stopped, with the same passwords. ' +
        'The full guide is README.md; the vault format is docs/vaultstore-format.md in the source.',
    ].join('\n'),
  };
}

export function commandLineText(): HelpText {
  return {
    title: 'Command-line tool',
    message: 'vaultstore-admin: the same engine without a window',
    detail: [
      'vaultstore-admin info <vault.db | connection string>',
      'vaultstore-admin rotate <vault.db | connection string> [--crypto PRESET] [--resume]',
      'vaultstore-admin verify <vault.db | connection string>',
      '',
      'Run any command with --help for its options; --json prints machine-readable output. ' +
        'Passwords are asked without echo, never taken from the command line. ' +
        'The CLI and the app share checkpoints and the rotation lock: a rotation started in one resumes in the other.',
      'Details: docs/cli.md.',
    ].join('\n'),
  };
}

export function filesText(userData: string): HelpText {
  return {
    title: 'Where files go',
    message: 'Backups, checkpoints and the app’s own files',
    detail: [
      'Backup (before the first write): next to the vault file, <name>.backup-<yyyymmdd-hhmmss>.db.',
      'Checkpoint while a rotation is unfinished: next to the vault, <vault file>.rotation-checkpoint.json (with a .rotation.lock while it runs); deleted when the rotation completes.',
      'Vaults in a database server: the checkpoint, lock and backup go to the state folder ($XDG_STATE_HOME/vaultstore-admin, by default ~/.local/state/vaultstore-admin).',
      '',
      `This app’s data folder: ${userData}`,
      `It holds the recent vaults and connections (never a password) and the rotation history (${AUDIT_LOG_FILE}: when, which vault and table, the counts and the result; owner-only).`,
    ].join('\n'),
  };
}

export function aboutText(facts: AboutFacts): HelpText {
  return {
    title: `About ${APP_NAME}`,
    message: `${APP_NAME} ${facts.version}`,
    detail: [
      'Rotates the password of VaultStore vaults: every record re-encrypted, nothing else touched.',
      '',
      `Electron ${facts.electron} · Chromium ${facts.chrome} · Node ${facts.node}`,
      'MIT licence.',
    ].join('\n'),
  };
}
