/**
 * V8 grows a thread's young generation (its semi-spaces) each time enough
 * has survived scavenges, up to tens of MiB, and keeps the pages: a rotation
 * allocates steadily, so over a long pass the host thread's heap reached
 * ~150 MiB committed for ~10 MiB live (issue 20: most of the 232 MiB peak at
 * 1 M records). A small young generation costs more scavenges, each cheap.
 */
import { setFlagsFromString } from 'node:v8';

/** resourceLimits of a thread the engine starts (crypto workers, the app's engine host): 1 MiB semi-spaces. */
export const ENGINE_THREAD_LIMITS = { maxYoungGenerationSizeMb: 3 } as const;

/**
 * For a process whose main thread runs the engine (the CLI): stops the young
 * generation's growth in every thread of the process. Read by V8 at each
 * growth, so it takes effect now, unlike --max-semi-space-size.
 */
export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}

/**
 * For the same process, before it starts workers: V8 gives each new isolate
 * its own copy of the builtins' code next to its code range ("short builtin
 * calls", on machines with 4 GiB or more), 2 MiB resident per crypto worker.
 * Without it a worker calls the builtins in the binary's own pages, which
 * every thread shares. Read at each isolate's creation, so it works when set
 * at run time; the thread that sets it keeps its copy.
 */
export function shareBuiltinsWithWorkers(): void {
  setFlagsFromString('--no-short-builtin-calls');
}
