/**
 * "did you mean --table?": the closest known name to a typo, by
 * Damerau-Levenshtein distance (a swap of two neighbours counts once), when
 * it is close enough to be a typo rather than another word.
 */

/** Edits (insert, delete, replace, swap neighbours) that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const columns = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: columns }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < columns; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** Up to a third of the word may be wrong (at most three edits; none in a word of one or two letters). */
function tolerance(word: string): number {
  return word.length < 3 ? 0 : Math.min(3, Math.max(1, Math.floor(word.length / 3)));
}

/**
 * The candidate closest to `typed` (case-insensitive), or null when none is
 * close. A candidate that starts with what was typed (an abbreviation such
 * as --skip-soft) counts as close when the prefix is unique.
 */
export function closestName(typed: string, candidates: readonly string[]): string | null {
  const word = typed.toLowerCase();
  if (word === '') return null;
  const prefixed = candidates.filter((name) => name.toLowerCase().startsWith(word));
  if (word.length >= 3 && prefixed.length === 1) return prefixed[0]!;
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const name of candidates) {
    const distance = editDistance(word, name.toLowerCase());
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return best !== null && bestDistance <= tolerance(word) ? best : null;
}

/** " Did you mean --table?" or "" (for appending to a message). */
export function didYouMean(typed: string, candidates: readonly string[], prefix = ''): string {
  const name = closestName(typed, candidates);
  return name === null ? '' : ` Did you mean ${prefix}${name}?`;
}
