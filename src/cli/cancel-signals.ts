/**
 * Ctrl-C / SIGTERM during a job: the first asks the engine to stop through an
 * AbortSignal (finished batches are committed, nothing is half-written); a
 * second Ctrl-C (or SIGTERM) forces the exit. dispose() restores Node's
 * default handling.
 */
export interface SignalSource {
  on(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

export interface CancelHooks {
  /** first signal: tell the person what happens */
  onCancel(signal: 'SIGINT' | 'SIGTERM'): void;
  /** second signal: leave now */
  onForce(): void;
}

export interface CancelHandle {
  readonly signal: AbortSignal;
  dispose(): void;
}

export function handleCancelSignals(
  hooks: CancelHooks,
  source: SignalSource = process,
): CancelHandle {
  const controller = new AbortController();
  const listener = (name: 'SIGINT' | 'SIGTERM') => (): void => {
    if (controller.signal.aborted) {
      hooks.onForce();
      return;
    }
    controller.abort(new Error(`cancelled by ${name}`));
    hooks.onCancel(name);
  };
  const onInterrupt = listener('SIGINT');
  const onTerminate = listener('SIGTERM');
  source.on('SIGINT', onInterrupt);
  source.on('SIGTERM', onTerminate);
  return {
    signal: controller.signal,
    dispose: () => {
      source.off('SIGINT', onInterrupt);
      source.off('SIGTERM', onTerminate);
    },
  };
}
