/** Blocking sleep for the synchronous polling loops (the store API is synchronous, like SQLite's busy wait). */
const cell = new Int32Array(new SharedArrayBuffer(4));

export function sleepSync(ms: number): void {
  Atomics.wait(cell, 0, 0, Math.max(0, ms));
}
