/**
 * Ctrl-C, SIGTERM and SIGHUP (the terminal or SSH session went away) during a
 * job: the first asks the engine to stop through an AbortSignal (finished
 * batches are committed, the checkpoint written, nothing is half-written); a
 * second one forces the exit. dispose() restores Node's default handling.
 */
export const CANCEL_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type CancelSignal = (typeof CANCEL_SIGNALS)[number];

export interface SignalSource {
  on(event: CancelSignal, listener: () => void): unknown;
  off(event: CancelSignal, listener: () => void): unknown;
}

export interface CancelHooks {
  /** first signal: tell the person what happens */
  onCancel(signal: CancelSignal): void;
  /** second signal: leave now */
  onForce(): void;
}

export interface CancelHandle {
  readonly signal: AbortSignal;
  dispose(): void;
}

/** What a person reads when a signal cancels a job. */
export function cancellingMessage(signal: CancelSignal): string {
  switch (signal) {
    case 'SIGINT':
      return 'Cancelling… (press Ctrl-C again to force)';
    case 'SIGTERM':
      return 'Cancelling (SIGTERM)… (a second signal forces the exit)';
    case 'SIGHUP':
      return 'Cancelling: the terminal or SSH session closed (SIGHUP)… (a second signal forces the exit)';
  }
}

export function handleCancelSignals(
  hooks: CancelHooks,
  source: SignalSource = process,
): CancelHandle {
  const controller = new AbortController();
  const listeners = CANCEL_SIGNALS.map((name) => {
    const listener = (): void => {
      if (controller.signal.aborted) {
        hooks.onForce();
        return;
      }
      controller.abort(new Error(`cancelled by ${name}`));
      hooks.onCancel(name);
    };
    source.on(name, listener);
    return [name, listener] as const;
  });
  return {
    signal: controller.signal,
    dispose: () => {
      for (const [name, listener] of listeners) source.off(name, listener);
    },
  };
}
