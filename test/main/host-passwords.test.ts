/** handPasswords: the one way passwords reach an engine host, zeroed whatever happens. */
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { handPasswords, passwordBytes } from '../../src/main/host/host-passwords.js';

describe('handPasswords', () => {
  it('moves the bytes it hands over: nothing of them is left in this thread', () => {
    const { port1, port2 } = new MessageChannel();
    try {
      const kept: Uint8Array[] = [];
      handPasswords(['old', undefined, 'néw'], passwordBytes('db secret'), (handed) => {
        const [oldPassword, absent, newPassword] = handed.vault;
        expect(absent).toBeUndefined();
        expect(new TextDecoder().decode(newPassword)).toBe('néw');
        expect(handed.server.serverPassword).toBeDefined();
        expect(handed.transfer).toHaveLength(3);
        kept.push(oldPassword, newPassword, handed.server.serverPassword!);
        port1.postMessage(handed, handed.transfer);
      });
      for (const bytes of kept) expect(bytes.byteLength).toBe(0);
    } finally {
      port1.close();
      port2.close();
    }
  });

  it('zeroes every byte not moved when starting the host fails', () => {
    const kept: Uint8Array[] = [];
    const server = passwordBytes('db secret');
    expect(() =>
      handPasswords(['old password'], server, (handed) => {
        kept.push(...handed.vault, server);
        throw new Error('the input is refused before any thread starts');
      }),
    ).toThrow('refused');
    expect(kept.map((bytes) => bytes.byteLength)).toEqual([12, 9]);
    for (const bytes of kept) expect(bytes.every((byte) => byte === 0)).toBe(true);
  });

  it('keeps no normalisation: NFC and NFD are different passwords', () => {
    expect(passwordBytes('\u00e9')).not.toEqual(passwordBytes('e\u0301'));
  });
});
