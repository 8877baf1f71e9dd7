/** The Help menu: its items, what each shows (texts are pure; the message box is the shell's). */
import { describe, expect, it } from 'vitest';
import { AUDIT_LOG_FILE } from '../../src/main/host/audit-log.js';
import { appMenuTemplate, type HelpMenu } from '../../src/main/shell/app-menu.js';
import {
  aboutText,
  commandLineText,
  filesText,
  usingTheAppText,
  type HelpText,
} from '../../src/main/shell/help-texts.js';

describe('Help menu', () => {
  it('lists using the app, the CLI, where files go and About, each showing its text', () => {
    const shown: HelpText[] = [];
    const help: HelpMenu = {
      items: [
        { label: 'Using VaultStore Admin', text: usingTheAppText },
        { label: 'Command-Line Tool', text: commandLineText },
        { label: 'Where Backups and Checkpoints Go', text: () => filesText('/home/ada/.config/x') },
        {
          label: 'About VaultStore Admin',
          text: () =>
            aboutText({ version: '1.2.3', electron: '42.0.0', chrome: '140', node: '24' }),
        },
      ],
      show: (text) => shown.push(text),
    };
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      const menu = appMenuTemplate(platform, true, help).find((item) => item.role === 'help');
      const items = menu?.submenu as { label: string; click(): void }[];
      expect(items.map((item) => item.label)).toEqual(help.items.map((item) => item.label));
      shown.length = 0;
      for (const item of items) item.click();
      expect(shown.map((text) => text.title)).toEqual([
        'Using VaultStore Admin',
        'Command-line tool',
        'Where files go',
        'About VaultStore Admin',
      ]);
    }
    const [, cli, files, about] = shown as [HelpText, HelpText, HelpText, HelpText];
    expect(cli.detail).toMatch(/vaultstore-admin rotate/);
    expect(files.detail).toContain('/home/ada/.config/x');
    expect(files.detail).toContain(AUDIT_LOG_FILE);
    expect(files.detail).toMatch(/\.backup-<yyyymmdd-hhmmss>\.db/);
    expect(files.detail).toMatch(/\.rotation-checkpoint\.json/);
    expect(about.message).toBe('VaultStore Admin 1.2.3');
    expect(about.detail).toContain('Electron 42.0.0');
  });

  it('has no Help menu when none is given (and keeps dev tools out of packaged builds)', () => {
    const template = appMenuTemplate('linux', true);
    expect(template.some((item) => item.role === 'help')).toBe(false);
    expect(JSON.stringify(template)).not.toContain('toggleDevTools');
  });
});
