/**
 * "Did you mean …?" for a mistyped command: the known names within two edits of the word
 * (or that the word is a prefix of), closest first, at most three.
 */
export function suggestionsFor(word: string, known: readonly string[]): string[] {
  // Command names are lower-case words: compared as typed.
  return known
    .map((name) => ({ name, distance: name.startsWith(word) && word.length >= 2 ? 0 : editDistance(word, name) }))
    .filter((c) => c.distance <= Math.min(2, Math.max(1, Math.floor(c.name.length / 3))))
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))
    .slice(0, 3)
    .map((c) => c.name);
}

/** ' Did you mean "x"?' (or "x" or "y"), or '' when nothing is close. */
export function didYouMean(word: string, known: readonly string[], prefix = ''): string {
  const found = suggestionsFor(word, known);
  if (found.length === 0) return '';
  return ` Did you mean ${found.map((name) => `"${prefix}${name}"`).join(' or ')}?`;
}

/** Levenshtein distance with one row of memory. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
