/**
 * VaultStore does not normalise passwords: "é" typed as one code point (NFC)
 * and as "e" + combining accent (NFD) are different passwords. When a
 * password opens nothing, this tells the person whether that could be why.
 */

/** A sentence when the password has characters with two Unicode spellings; null otherwise. */
export function unicodeNormalizationHint(password: Uint8Array): string | null {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(password);
  } catch {
    return null;
  }
  const nfc = text.normalize('NFC');
  const nfd = text.normalize('NFD');
  if (nfc === nfd) return null;
  const form =
    text === nfc
      ? 'composed (NFC)'
      : text === nfd
        ? 'decomposed (NFD)'
        : 'a mix of composed and decomposed';
  const other = text === nfc ? 'decomposed (NFD)' : 'composed (NFC)';
  return (
    `The password contains accented or combined characters and was entered in ${form} form. ` +
    'VaultStore compares passwords byte for byte without Unicode normalisation, so if the vault was ' +
    `written with the ${other} spelling of the same characters it will not open. Try entering it the other way ` +
    '(e.g. from another keyboard or system).'
  );
}
