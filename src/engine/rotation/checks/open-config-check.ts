/**
 * Argon2id settings that cannot silently half-work. v1 values do not depend on
 * the Argon2id settings, so with a wrong preset the v1 records of a mixed vault
 * open and every v2 record is skipped: a "successful" rotation that left most
 * of the vault under the old password. So v2 and v1 records are sampled apart,
 * and a rotation may start only when some sampled v2 record opens.
 *
 * When none opens, the library's presets are tried on a few v2 records: the
 * one that opens names the settings the application most likely uses.
 */
import { ARGON2_PRESETS, type Argon2Config, type Argon2PresetName } from '../../../core/argon2.js';
import { EngineError } from '../../errors.js';
import type { Argon2BackendName, Argon2BackendPreference } from '../../kdf/types.js';
import { CryptoPool } from '../../pool/crypto-pool.js';
import type { CryptoTaskResult } from '../../pool/protocol.js';
import type { SampledValueKind, VaultRecord, VaultStore } from '../../storage/types.js';
import { describeArgon2Config, sameArgon2Config } from '../plan/argon2-spec.js';
import { NEW_PASSWORD, OLD_PASSWORD } from '../run/pipeline.js';
import type { SampledResults } from './sampled-results.js';
import { choosePoolSize, windowFor } from '../job/pool-size.js';
import { sampleFilter, type RecordScope } from '../job/record-scope.js';
import { scanOnPool } from './scan-on-pool.js';

export interface KindTally {
  readonly sampled: number;
  readonly opened: number;
  readonly malformed: number;
}

export interface OldPasswordSample {
  readonly v2: KindTally;
  readonly v1: KindTally;
}

export interface OldPasswordSampleDetails extends OldPasswordSample {
  /** the v2 records sampled (preset detection tries a few of them) */
  readonly v2Records: readonly VaultRecord[];
  /** tasks that spent an Argon2id derivation opening, and their total time (the pre-flight's estimate) */
  readonly derivations: number;
  readonly deriveMs: number;
  /** re-encryptions done on the way (rotate tasks kept for the pass), and their time */
  readonly writes: number;
  readonly writeDeriveMs: number;
  /** every derivation spent, opening and re-encrypting */
  readonly spent: number;
  /** true when the signal stopped it early (the tallies cover what finished) */
  readonly cancelled: boolean;
}

export interface OldPasswordSampleSettings {
  readonly store: VaultStore;
  /** the records sampled from */
  readonly scope: RecordScope;
  /** a started pool whose password 0 is the old password, open config = the settings to check */
  readonly pool: CryptoPool;
  /** v2 records to test (one derivation each) */
  readonly v2SampleSize: number;
  /** v1 records to test (no derivation: cheap); default v2SampleSize */
  readonly v1SampleSize?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  /** progress: the records about to be tested, then each record's outcome */
  readonly onQueued?: ((records: number) => void) | undefined;
  readonly onTested?: ((outcome: CryptoTaskResult['outcome']['kind']) => void) | undefined;
  /**
   * The run's check: v2 records get the task the pass would run (a rotation
   * re-encrypts what opens) and their results are kept for it. v1 records are
   * only opened (no derivation: the pass redoes them for nothing).
   */
  readonly keep?: SampledResults | undefined;
}

const EMPTY_TALLY: KindTally = { sampled: 0, opened: 0, malformed: 0 };

/** Tests the old password on random v2 and v1 records, sampled separately. */
export async function sampleOldPassword(
  settings: OldPasswordSampleSettings,
): Promise<OldPasswordSampleDetails> {
  const { store, scope, pool } = settings;
  const sample = (kind: SampledValueKind, count: number): Promise<VaultRecord[]> =>
    store.sampleRecords(scope.table, count, { ...sampleFilter(scope), valueKind: kind });
  const v2Records = await sample('v2', settings.v2SampleSize);
  const v1Records = await sample('v1', settings.v1SampleSize ?? settings.v2SampleSize);
  const tallies = { v2: { ...EMPTY_TALLY }, v1: { ...EMPTY_TALLY } };
  let derivations = 0;
  let deriveMs = 0;
  let writes = 0;
  let writeDeriveMs = 0;
  let spent = 0;
  const { keep } = settings;
  const queue: [SampledValueKind, VaultRecord][] = [
    ...v2Records.map((record): [SampledValueKind, VaultRecord] => ['v2', record]),
    ...v1Records.map((record): [SampledValueKind, VaultRecord] => ['v1', record]),
  ];
  const kindOf = new Map<VaultRecord, SampledValueKind>(
    queue.map(([kind, record]) => [record, kind]),
  );
  let index = 0;
  settings.onQueued?.(queue.length);
  const { cancelled } = await scanOnPool({
    pool,
    next: () => queue[index++]?.[1] ?? null,
    taskFor: (record) =>
      keep?.op === 'rotate' && kindOf.get(record) === 'v2'
        ? { op: 'rotate', value: record.value, from: OLD_PASSWORD, to: NEW_PASSWORD }
        : { op: 'open', value: record.value, password: OLD_PASSWORD },
    onResult: (record, result: CryptoTaskResult) => {
      const kind = kindOf.get(record) ?? 'v1';
      const tally = tallies[kind];
      // A rotate task that opened the value re-encrypted it too.
      const outcome = result.outcome.kind === 'rotated' ? 'opened' : result.outcome.kind;
      tally.sampled++;
      if (outcome === 'opened') tally.opened++;
      if (outcome === 'malformed') tally.malformed++;
      spent += result.derivations;
      if (result.outcome.kind === 'rotated') {
        writes++;
        writeDeriveMs += result.writeDeriveMs;
      }
      if (result.derivations > (result.outcome.kind === 'rotated' ? 1 : 0)) {
        derivations++;
        deriveMs += result.openDeriveMs;
      }
      if (kind === 'v2') keep?.keep(record, result);
      settings.onTested?.(outcome);
    },
    window: windowFor(pool.size),
    signal: settings.signal,
  });
  return {
    v2: tallies.v2,
    v1: tallies.v1,
    v2Records,
    derivations,
    deriveMs,
    writes,
    writeDeriveMs,
    spent,
    cancelled,
  };
}

/** True when the sample allows a rotation: no v2 record was tested, or at least one opened. */
export function configOpensV2(sample: OldPasswordSample): boolean {
  const testable = sample.v2.sampled - sample.v2.malformed;
  return testable === 0 || sample.v2.opened > 0;
}

export interface ConfigCheckContext {
  /** the settings the sample was tested with */
  readonly config: Argon2Config;
  /** a preset that opened a sampled v2 record (detectPreset) */
  readonly suggestedPreset?: Argon2PresetName | null | undefined;
  /** how the person sets it, e.g. "--crypto" (CLI); default: words for the app */
  readonly cryptoOption?: string | undefined;
}

function useText(preset: Argon2PresetName, cryptoOption: string | undefined): string {
  return cryptoOption
    ? `run again with ${cryptoOption} ${preset}`
    : `choose the ${preset} preset and check again`;
}

/** What happened and what to do, for a sample in which no v2 record opened. */
export function wrongConfigMessage(sample: OldPasswordSample, context: ConfigCheckContext): string {
  const { config, suggestedPreset, cryptoOption } = context;
  const tested = sample.v2.sampled - sample.v2.malformed;
  const used = describeArgon2Config(config);
  const none = `The old password opened none of the ${tested} sampled v2 records with the Argon2id settings ${used}`;
  const v1 =
    sample.v1.opened > 0
      ? `, although it opened ${sample.v1.opened} of ${sample.v1.sampled} sampled legacy v1 records (v1 values do not use these settings)`
      : '';
  const settingsHow = cryptoOption
    ? `set them with ${cryptoOption} (a preset name or t=..,m=..,p=..)`
    : 'choose them in the Argon2id settings';
  let advice: string;
  if (suggestedPreset) {
    const { iterations, memoryKiB, parallelism } = ARGON2_PRESETS[suggestedPreset];
    advice =
      `This vault looks like it uses the ${suggestedPreset} preset ` +
      `(t=${iterations}, m=${memoryKiB} KiB, p=${parallelism} opened a sampled v2 record): ` +
      `${useText(suggestedPreset, cryptoOption)}.`;
  } else if (sample.v1.opened > 0) {
    advice =
      'The password is probably right but the Argon2id settings are not the ones the application uses, ' +
      `and none of the library's presets opened a sampled record either: ${settingsHow}. If you are sure the old ` +
      'password protects only legacy v1 records here (every v2 record is under another password), skip this check ' +
      '(CLI: --skip-config-check).';
  } else {
    advice = `The old password is wrong, or the Argon2id settings are not the ones the application uses: ${settingsHow}.`;
  }
  return (
    `${none}${v1}. A rotation now would skip every v2 record, so it was not started and nothing was changed. ` +
    advice
  );
}

/**
 * Throws WRONG_ARGON2_CONFIG when the table has v2 records, some were tested
 * and none opened, whatever the v1 records did.
 */
export function assertConfigOpensV2(sample: OldPasswordSample, context: ConfigCheckContext): void {
  if (configOpensV2(sample)) return;
  throw new EngineError('WRONG_ARGON2_CONFIG', wrongConfigMessage(sample, context));
}

/** The library's presets, cheapest first (tiny is for tests only). */
export const DETECTABLE_PRESETS: readonly Argon2PresetName[] = ['lightweight', 'default', 'high'];
/** A few records: one that opens is proof enough, and each costs one derivation per preset. */
export const DETECT_PRESET_RECORDS = 4;

export interface DetectPresetOptions {
  /** sampled v2 records (the first DETECT_PRESET_RECORDS are tried) */
  readonly records: readonly VaultRecord[];
  /** UTF-8 bytes; copied into each short-lived pool, not zeroed here (the caller owns it) */
  readonly password: Uint8Array;
  /** the settings already tested: skipped */
  readonly inUse: Argon2Config;
  readonly kdfBackend?: Argon2BackendPreference | undefined;
  /** at most this many workers per preset pool (default: cores, memory and records permitting) */
  readonly workers?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  /** default DETECTABLE_PRESETS */
  readonly presets?: readonly Argon2PresetName[] | undefined;
  readonly maxRecords?: number | undefined;
  /** each finished trial (one derivation), so progress moves with the work */
  readonly onTrial?: (() => void) | undefined;
}

/** The records and presets detectPreset would try: trials = records x presets at most. */
export function presetTrialPlan(
  options: Pick<DetectPresetOptions, 'records' | 'inUse' | 'presets' | 'maxRecords'>,
): { records: readonly VaultRecord[]; presets: readonly Argon2PresetName[] } {
  const records = options.records
    .filter((record) => record.value.startsWith('v2:'))
    .slice(0, options.maxRecords ?? DETECT_PRESET_RECORDS);
  const presets = (options.presets ?? DETECTABLE_PRESETS).filter(
    (name) => !sameArgon2Config(ARGON2_PRESETS[name], options.inUse),
  );
  return { records, presets };
}

export interface DetectedPreset {
  readonly preset: Argon2PresetName | null;
  /** Argon2id backend the trial pools ran on (null when no pool started) */
  readonly backend: Argon2BackendName | null;
}

/**
 * Tries each preset (other than the one in use) on a few v2 records, each in
 * its own pool closed before the next starts, and stops at the first preset
 * that opens one. Null when none does or the signal aborted.
 */
export async function detectPreset(options: DetectPresetOptions): Promise<DetectedPreset> {
  const { records, presets: candidates } = presetTrialPlan(options);
  let backend: Argon2BackendName | null = null;
  if (records.length === 0) return { preset: null, backend };
  for (const name of candidates) {
    if (options.signal?.aborted) return { preset: null, backend };
    const pool = await CryptoPool.start({
      size: choosePoolSize(options.workers, [ARGON2_PRESETS[name]], records.length),
      passwords: [options.password],
      openConfig: ARGON2_PRESETS[name],
      kdfBackend: options.kdfBackend,
    });
    try {
      backend = pool.backend;
      let opened = false;
      let index = 0;
      // A local controller: the first record that opens stops the others.
      const stop = new AbortController();
      const forward = (): void => stop.abort();
      options.signal?.addEventListener('abort', forward);
      if (options.signal?.aborted) stop.abort();
      try {
        await scanOnPool({
          pool,
          next: () => records[index++] ?? null,
          taskFor: (record) => ({ op: 'open', value: record.value, password: OLD_PASSWORD }),
          onResult: (_record, result) => {
            options.onTrial?.();
            if (result.outcome.kind !== 'opened') return;
            opened = true;
            stop.abort();
          },
          window: windowFor(pool.size),
          signal: stop.signal,
        });
      } finally {
        options.signal?.removeEventListener('abort', forward);
      }
      if (opened) return { preset: name, backend };
    } finally {
      await pool.close();
    }
  }
  return { preset: null, backend };
}

/** v2 (and v1) records tested before a rotation is refused: the widened sample. */
export const WIDE_V2_SAMPLE = 64;

/**
 * The half-working case: legacy v1 records open (they do not use the Argon2id
 * settings) while no tested v2 record does.
 */
export function settingsHalfWork(sample: OldPasswordSample): boolean {
  return !configOpensV2(sample) && sample.v1.opened > 0;
}

/** Records the sample could test (malformed values open with no password). */
export function testableCount(sample: OldPasswordSample): number {
  return sample.v2.sampled - sample.v2.malformed + (sample.v1.sampled - sample.v1.malformed);
}

/** Some records were tested and none opened, v2 or v1. */
export function opensNothing(sample: OldPasswordSample): boolean {
  return testableCount(sample) > 0 && sample.v2.opened + sample.v1.opened === 0;
}

/**
 * sampleOldPassword, then, when the sample would refuse the rotation (v1
 * records open and no v2 record does, or nothing opens at all), a wider
 * sample: a vault in which the old password owns few records must not be
 * refused because a small sample missed them all. The widening is bounded
 * (WIDE_V2_SAMPLE derivations) and skipped when the first sample already
 * held every record of the table.
 */
export async function sampleOldPasswordWidely(
  settings: OldPasswordSampleSettings,
): Promise<OldPasswordSampleDetails> {
  const first = await sampleOldPassword(settings);
  const v1Asked = settings.v1SampleSize ?? settings.v2SampleSize;
  // Fewer records than asked for: the sample held all of them, a wider one would test the same.
  const v2All = first.v2.sampled < settings.v2SampleSize;
  const v1All = first.v1.sampled < v1Asked;
  const halfWork = settingsHalfWork(first);
  if (first.cancelled || !(halfWork || opensNothing(first))) return first;
  const v2Wider = !v2All && settings.v2SampleSize < WIDE_V2_SAMPLE;
  // v1 records cost no derivation; when some open already, the question is only about v2.
  const v1Wider = !halfWork && !v1All && v1Asked < WIDE_V2_SAMPLE;
  if (!v2Wider && !v1Wider) return first;
  const wide = await sampleOldPassword({
    ...settings,
    v2SampleSize: v2Wider ? WIDE_V2_SAMPLE : 0,
    v1SampleSize: v1Wider ? WIDE_V2_SAMPLE : 0,
  });
  return {
    ...wide,
    v2: v2Wider ? wide.v2 : first.v2,
    v1: v1Wider ? wide.v1 : first.v1,
    v2Records: v2Wider ? wide.v2Records : first.v2Records,
    derivations: first.derivations + wide.derivations,
    deriveMs: first.deriveMs + wide.deriveMs,
    writes: first.writes + wide.writes,
    writeDeriveMs: first.writeDeriveMs + wide.writeDeriveMs,
    spent: first.spent + wide.spent,
  };
}
