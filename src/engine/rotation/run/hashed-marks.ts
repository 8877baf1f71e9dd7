/**
 * The visit ledger's marks for keys it cannot keep in key order (text ids of
 * server tables and WITHOUT ROWID tables, huge rowids, rowids a sweep finds
 * below the cursor): open addressing over a 52-bit hash of each key, in typed
 * arrays, a quarter to half full (24 to 48 bytes a key, where a Map of the key
 * strings took ~200). Two keys whose hashes collide (about n^2 / 2^53: 1 in
 * 18,000 runs of 1,000,000 text ids) share a slot; the ledger then takes a
 * record for its own only if the 30-bit fingerprint of its value matches too.
 */
const EMPTY = 0;
const INITIAL_SLOTS = 1024;

/** FNV-1a and a multiply-xorshift over the UTF-16 code units: 32 + 20 bits, never 0. */
export function keyHash(key: string): number {
  let a = 0x811c9dc5;
  let b = 0x9e3779b9;
  for (let i = 0; i < key.length; i++) {
    const unit = key.charCodeAt(i);
    a = Math.imul(a ^ unit, 0x01000193);
    b = Math.imul(b ^ unit, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0) * 0x100000 + ((b >>> 0) & 0xfffff) + 1;
}

export class HashedMarks {
  private hashes = new Float64Array(INITIAL_SLOTS);
  private marks = new Int32Array(INITIAL_SLOTS);
  private used = 0;

  get size(): number {
    return this.used;
  }

  get bytes(): number {
    return this.hashes.byteLength + this.marks.byteLength;
  }

  /** Sized for `keys` keys at once (at most half full), so it need not grow (and copy) up to there. */
  reserve(keys: number): void {
    let slots = this.hashes.length;
    while ((keys + 1) * 2 > slots) slots *= 2;
    if (slots === this.hashes.length) return;
    this.resize(slots);
  }

  set(key: string, mark: number): void {
    if ((this.used + 1) * 2 > this.hashes.length) this.grow();
    const hash = keyHash(key);
    const at = this.slotOf(hash);
    if (this.hashes[at] === EMPTY) {
      this.hashes[at] = hash;
      this.used++;
    }
    this.marks[at] = mark;
  }

  get(key: string): number | undefined {
    const at = this.slotOf(keyHash(key));
    return this.hashes[at] === EMPTY ? undefined : this.marks[at];
  }

  /** The slot holding `hash`, or the empty slot where it goes (linear probing; slots are a power of 2). */
  private slotOf(hash: number): number {
    const mask = this.hashes.length - 1;
    let at = hash % this.hashes.length;
    while (this.hashes[at] !== EMPTY && this.hashes[at] !== hash) at = (at + 1) & mask;
    return at;
  }

  private grow(): void {
    this.resize(this.hashes.length * 2);
  }

  private resize(slots: number): void {
    const { hashes, marks } = this;
    this.hashes = new Float64Array(slots);
    this.marks = new Int32Array(slots);
    for (let i = 0; i < hashes.length; i++) {
      const hash = hashes[i]!;
      if (hash === EMPTY) continue;
      const at = this.slotOf(hash);
      this.hashes[at] = hash;
      this.marks[at] = marks[i]!;
    }
  }
}
