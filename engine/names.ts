/**
 * "Did you mean …?" for a name the engine does not know: a PyTorch snake_case spelling is mapped
 * to the kit's camelCase, anything else to the nearest known name by edit distance. The engine's
 * option checks use it, and so can the grading kit (`#engine/names`), so both suggest alike.
 */

/** PyTorch's spelling in the kit's: requires_grad → requiresGrad, T_max → tMax, clip_grad_norm_ keeps its `_`. */
export function camelCase(name: string): string {
  const trailing = /_+$/.exec(name)?.[0] ?? '';
  const body = name.slice(0, name.length - trailing.length);
  if (!body.includes('_')) return name;
  const camel = body.toLowerCase().replace(/_+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  return camel + trailing;
}

/** Levenshtein distance (insertions, deletions, substitutions), two rows of memory. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * The known name `name` was most likely meant to be, or undefined when none is close: the camelCase
 * spelling first, then a case-insensitive match, then the nearest within a third of the length
 * (at least 2 edits), ties to the one nearer with case, then to the earlier candidate.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates];
  const camel = camelCase(name);
  if (camel !== name && list.includes(camel)) return camel;
  const lower = camel.toLowerCase();
  const caseless = list.find((c) => c.toLowerCase() === lower);
  if (caseless !== undefined) return caseless;
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  let bestExact = Infinity;
  for (const c of list) {
    const exact = editDistance(name, c);
    const d = Math.min(editDistance(lower, c.toLowerCase()), exact);
    // Equally near without case, the one nearer with case wins: `functionl` → `functional`, not `Function`.
    if (d < bestDistance || (best !== undefined && d === bestDistance && exact < bestExact))
      [best, bestDistance, bestExact] = [c, d, exact];
  }
  return best;
}
