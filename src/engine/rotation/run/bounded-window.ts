/**
 * The bounded window under the rotation pipeline and the scans: take items
 * from a source, run at most `window` tasks (and about `maxInFlightBytes`
 * bytes) at once, hand each result out in source order (ordered) or as it
 * arrives (unordered). When the signal aborts it stops dispatching, calls
 * `onAbort` once (the pool's shared abort flag), and waits for the tasks in
 * flight; a task that reports it was aborted stops an ordered window (no
 * result may be handed out past it) and is dropped by an unordered one.
 */

export interface BoundedWindowOptions<Item, Result> {
  /** the next item, or null when there are none left (a promise where the source must read first) */
  readonly next: () => Item | null | Promise<Item | null>;
  /** whether the source is used up (default: `next` returned null) */
  readonly isDone?: () => boolean;
  readonly start: (item: Item) => Promise<Result>;
  /** ordered: results handed out strictly in source order; unordered: as they arrive */
  readonly ordered: boolean;
  /** tasks in flight at most */
  readonly window: number;
  /** bytes in flight at most (items and results); at least one task runs whatever its size */
  readonly maxInFlightBytes?: number;
  readonly itemBytes?: (item: Item) => number;
  /** bytes a result adds while it waits to be handed out (ordered) */
  readonly resultBytes?: (result: Result) => number;
  /** a result of a task the abort stopped before it finished */
  readonly isAborted?: (result: Result) => boolean;
  /** every result as it arrives, handed out or not (derivation counts) */
  readonly onArrival?: (result: Result) => void;
  /** a finished item; an ordered window awaits a returned promise before the next one */
  readonly onResult: (item: Item, result: Result) => void | Promise<void>;
  readonly signal: AbortSignal | undefined;
  /** once, when the signal aborts */
  readonly onAbort?: () => void;
}

export interface BoundedWindowOutcome<Result> {
  /** stopped before every item was handed out */
  readonly cancelled: boolean;
  /** results that arrived but were not handed out (ordered: behind an unfinished item) */
  readonly leftOver: readonly Result[];
}

interface Slot<Item, Result> {
  readonly item: Item;
  bytes: number;
  /** set when the task's result arrives (any value, even a falsy one) */
  done?: { readonly result: Result };
}

export async function runBoundedWindow<Item, Result>(
  options: BoundedWindowOptions<Item, Result>,
): Promise<BoundedWindowOutcome<Result>> {
  const { signal, ordered } = options;
  const maxInFlightBytes = options.maxInFlightBytes ?? Number.POSITIVE_INFINITY;
  /** dispatched and not yet handed out, by sequence number */
  const pending = new Map<number, Slot<Item, Result>>();
  /** unordered: sequence numbers of arrived results, in arrival order */
  const arrived: number[] = [];
  let nextSeq = 0;
  let head = 0;
  let inFlightBytes = 0;
  let exhausted = false;
  let stopping = false;
  let dropped = false;
  /** tasks whose result has not arrived: only they can wake the loop */
  let unresolved = 0;
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  const wakeUp = (): void => {
    const resume = wake;
    wake = null;
    resume?.();
  };
  const done = (): boolean => exhausted || (options.isDone?.() ?? false);

  const dispatch = async (): Promise<void> => {
    while (
      !stopping &&
      !exhausted &&
      pending.size < options.window &&
      (pending.size === 0 || inFlightBytes < maxInFlightBytes)
    ) {
      const next = options.next();
      const item = next instanceof Promise ? await next : next;
      if (item === null) {
        exhausted = true;
        break;
      }
      const seq = nextSeq++;
      const slot: Slot<Item, Result> = { item, bytes: options.itemBytes?.(item) ?? 0 };
      pending.set(seq, slot);
      inFlightBytes += slot.bytes;
      unresolved++;
      options.start(item).then(
        (result) => {
          unresolved--;
          options.onArrival?.(result);
          if (!ordered && options.isAborted?.(result)) {
            pending.delete(seq);
            inFlightBytes -= slot.bytes;
            dropped = true;
          } else {
            slot.done = { result };
            const extra = options.resultBytes?.(result) ?? 0;
            slot.bytes += extra;
            inFlightBytes += extra;
            if (!ordered) arrived.push(seq);
          }
          wakeUp();
        },
        (error: unknown) => {
          unresolved--;
          failure ??= error;
          wakeUp();
        },
      );
    }
  };

  /** The next slot whose result may be handed out, or null. */
  const takeReady = (): [number, Slot<Item, Result>] | null => {
    const seq = ordered ? head : arrived[0];
    if (seq === undefined) return null;
    const slot = pending.get(seq);
    if (!slot?.done) return null;
    if (ordered && options.isAborted?.(slot.done.result)) {
      stopping = true;
      return null;
    }
    if (ordered) head++;
    else arrived.shift();
    return [seq, slot];
  };

  signal?.addEventListener('abort', wakeUp);
  try {
    for (;;) {
      if (signal?.aborted && !stopping) {
        stopping = true;
        options.onAbort?.();
      }
      await dispatch();

      for (let ready = takeReady(); ready; ready = failure ? null : takeReady()) {
        const [seq, slot] = ready;
        pending.delete(seq);
        inFlightBytes -= slot.bytes;
        const handled = options.onResult(slot.item, slot.done!.result);
        if (handled) await handled;
      }
      if (failure) throw failure;

      if (pending.size === 0 && (stopping || done())) break;
      if (stopping && unresolved === 0) break;
      // Results that arrived while a result was handled out were taken above: refill instead of waiting.
      if (unresolved === 0) continue;
      await new Promise<void>((resolve) => (wake = resolve));
    }
    const leftOver = [...pending.values()].flatMap((slot) => (slot.done ? [slot.done.result] : []));
    return { cancelled: dropped || (stopping && (pending.size > 0 || !done())), leftOver };
  } finally {
    signal?.removeEventListener('abort', wakeUp);
  }
}
