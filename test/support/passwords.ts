/**
 * The tests' passwords, one set for every suite, and the leak search over
 * every form a password could take.
 */

/** The fixtures' passwords (test/fixtures/README.md): A holds most records, B some. */
export const FIXTURE_PASSWORD_A = 'pwA-0123456789abcdef';
export const FIXTURE_PASSWORD_B = 'pwB-0123456789abcdef';

/**
 * Passwords of vaults the tests build. Distinctive strings, so that a leak
 * search cannot match by accident; 16+ UTF-8 bytes (VaultStore's policy).
 */
export const OLD_PASSWORD = 'Rel-Old-Pw-7f3a9c21e5';
export const NEW_PASSWORD = 'Rel-New-Pw-b84e05d6aa';
export const OTHER_PASSWORD = 'Rel-Other-Pw-1c9d3e77';

/** Every form a password could leak in: text, UTF-8 hex (both cases), base64, base64url, UTF-16. */
export function secretForms(password: string): string[] {
  const bytes = Buffer.from(password, 'utf8');
  return [
    password,
    bytes.toString('hex'),
    bytes.toString('hex').toUpperCase(),
    bytes.toString('base64').replace(/=+$/, ''),
    bytes.toString('base64url'),
    JSON.stringify(password).slice(1, -1),
    Buffer.from(password, 'utf16le').toString('latin1'),
  ];
}

/** The secret forms found in `text` (empty when clean), labelled for the failure message. */
export function leaksIn(text: string, passwords: readonly string[], where: string): string[] {
  const found: string[] = [];
  for (const password of passwords) {
    for (const form of secretForms(password)) {
      if (text.includes(form))
        found.push(`${where} contains a form of a password: ${JSON.stringify(form)}`);
    }
  }
  return found;
}

/** Same search over raw bytes (database files, binary output). */
export function leaksInBytes(bytes: Buffer, passwords: readonly string[], where: string): string[] {
  const found: string[] = [];
  for (const password of passwords) {
    for (const form of secretForms(password)) {
      if (
        bytes.includes(Buffer.from(form, 'latin1')) ||
        bytes.includes(Buffer.from(form, 'utf8'))
      ) {
        found.push(`${where} contains a form of a password: ${JSON.stringify(form)}`);
      }
    }
  }
  return found;
}
