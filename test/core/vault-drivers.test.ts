import { describe, expect, it } from 'vitest';
import { VAULT_DRIVER_TEXT, vaultDriverText } from '../../src/core/vault-drivers.js';
import { SERVER_DRIVERS, VAULT_DRIVERS, VAULT_DRIVER_PREFERENCES } from '../../src/engine/index.js';

describe('driver words (core) and the driver registry (engine)', () => {
  it('name the same drivers', () => {
    const files = VAULT_DRIVERS.map((driver) => driver.name);
    const servers = SERVER_DRIVERS.map((driver) => driver.name);
    expect([...files, ...servers].sort()).toEqual(Object.keys(VAULT_DRIVER_TEXT).sort());
    // --driver chooses among the file drivers; a server's driver follows from its connection string
    expect(VAULT_DRIVER_PREFERENCES).toEqual(['auto', ...files]);
    for (const name of files) expect(VAULT_DRIVER_TEXT[name].holds).toBe('file');
    for (const name of servers) expect(VAULT_DRIVER_TEXT[name].holds).toBe('server');
  });

  it('give each descriptor its words from core', () => {
    for (const driver of [...VAULT_DRIVERS, ...SERVER_DRIVERS]) {
      const text = VAULT_DRIVER_TEXT[driver.name];
      expect({ label: driver.label, summary: driver.summary }).toEqual({
        label: text.label,
        summary: text.summary,
      });
      expect(text.badge).toContain(driver.name);
    }
  });

  it('spells out a name it does not know (an older report) instead of failing', () => {
    expect(vaultDriverText('sql.js').label).toBe(VAULT_DRIVER_TEXT['sql.js'].label);
    expect(vaultDriverText('toString').label).toBe('toString');
    expect(vaultDriverText('future-driver')).toMatchObject({
      label: 'future-driver',
      fallback: false,
    });
  });
});
