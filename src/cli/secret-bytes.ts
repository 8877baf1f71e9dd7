/**
 * A growable byte buffer for a password being typed: every copy it leaves
 * behind is zeroed, and take() hands the bytes over exactly once.
 */
export class SecretBytes {
  private storage = new Uint8Array(64);
  private size = 0;

  get length(): number {
    return this.size;
  }

  push(byte: number): void {
    if (this.size === this.storage.length) {
      const bigger = new Uint8Array(this.storage.length * 2);
      bigger.set(this.storage);
      this.storage.fill(0);
      this.storage = bigger;
    }
    this.storage[this.size++] = byte;
  }

  /** Removes the last UTF-8 character (a lead byte and its continuation bytes). */
  popCharacter(): boolean {
    if (this.size === 0) return false;
    do {
      this.size -= 1;
      const byte = this.storage[this.size] ?? 0;
      this.storage[this.size] = 0;
      if ((byte & 0xc0) !== 0x80) break;
    } while (this.size > 0);
    return true;
  }

  clear(): void {
    this.storage.fill(0);
    this.size = 0;
  }

  /** The bytes typed, in a new array the caller must zero; this buffer is cleared. */
  take(): Uint8Array {
    const bytes = this.storage.slice(0, this.size);
    this.clear();
    return bytes;
  }
}

export function zeroBytes(...buffers: readonly (Uint8Array | null | undefined)[]): void {
  for (const buffer of buffers) buffer?.fill(0);
}

/** Constant-time enough for a person typing twice: compares every byte. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}
