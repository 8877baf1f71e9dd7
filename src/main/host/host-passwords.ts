/**
 * The one way passwords reach an engine host thread. IPC carries them as
 * strings; here they become fresh UTF-8 bytes (no normalisation: NFC and NFD
 * are different passwords), are moved (transferred, not copied) to the thread
 * together with the vault's database password, and whatever was not moved is
 * zeroed before this returns, whatever happened meanwhile.
 */
const encoder = new TextEncoder();

export function passwordBytes(password: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(password);
}

/** Each password's bytes, in the order given; an absent one stays absent. */
type BytesOf<P extends readonly (string | undefined)[]> = {
  -readonly [K in keyof P]: P[K] extends string
    ? Uint8Array<ArrayBuffer>
    : Uint8Array<ArrayBuffer> | undefined;
};

export interface HandedPasswords<P extends readonly (string | undefined)[]> {
  readonly vault: BytesOf<P>;
  /** spread into the host's options: a server vault's database password, or nothing (a file) */
  readonly server: { readonly serverPassword?: Uint8Array };
  /** the buffers to move to the thread with the request */
  readonly transfer: ArrayBuffer[];
}

/**
 * Lets `use` start a host thread with these passwords, then zeroes every byte
 * still here (a transferred buffer is detached: nothing of it is left to clear).
 * Takes ownership of `serverPassword`.
 */
export function handPasswords<P extends readonly (string | undefined)[], T>(
  passwords: readonly [...P],
  serverPassword: Uint8Array<ArrayBuffer> | undefined,
  use: (handed: HandedPasswords<P>) => T,
): T {
  const vault = passwords.map((password) =>
    password === undefined ? undefined : passwordBytes(password),
  );
  const all = [...vault, serverPassword].filter((bytes) => bytes !== undefined);
  try {
    return use({
      vault: vault as BytesOf<P>,
      server: serverPassword ? { serverPassword } : {},
      transfer: all.map((bytes) => bytes.buffer),
    });
  } finally {
    for (const bytes of all) if (bytes.byteLength > 0) bytes.fill(0);
  }
}
