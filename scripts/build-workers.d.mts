/** Types of build-workers.mjs (a plain .mjs so the config and tests share it with plain Node). */
export const UNBUNDLED_PACKAGES: readonly string[];
export const MODULE_URL_NAME: string;
export function appWorkerEntries(src?: string): Record<string, string>;
export function buildWorkers(
  entries: Record<string, string>,
  options: { outdir: string },
): Promise<{ outdir: string; entries: string[] }>;
