/**
 * Cleanups held together and run once, newest first (VS Code's DisposableStore,
 * made async): what a job or the app's lifetime set up is undone in one place
 * instead of nested try/finally blocks and unsubscribe functions thrown away.
 */

/** Undoes one thing; may be async (a thread to terminate, a rotation to wait for). */
export type Disposer = () => void | PromiseLike<void>;

export class DisposableStore {
  private readonly disposers: Disposer[] = [];
  private disposal: Promise<void> | null = null;

  /** @param reportLate where a cleanup added after dispose() reports its failure (nobody awaits it) */
  constructor(
    private readonly reportLate: (error: unknown) => void = (error) =>
      console.error('cleanup after dispose failed:', error),
  ) {}

  get isDisposed(): boolean {
    return this.disposal !== null;
  }

  /** Keeps `disposer` for dispose(); once the store is disposed it runs at once instead (nothing leaks). */
  add(disposer: Disposer): void {
    if (this.disposal === null) {
      this.disposers.push(disposer);
      return;
    }
    runAll([disposer]).catch(this.reportLate);
  }

  /**
   * Runs every cleanup once, newest first, each after the one before has finished,
   * all of them even when some fail; then rejects with the failure (an AggregateError
   * when several failed). Later calls return the same promise.
   */
  dispose(): Promise<void> {
    this.disposal ??= runAll(this.disposers.splice(0).reverse());
    return this.disposal;
  }
}

async function runAll(disposers: readonly Disposer[]): Promise<void> {
  const errors: unknown[] = [];
  for (const disposer of disposers) {
    try {
      await disposer();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} cleanups failed`);
}
