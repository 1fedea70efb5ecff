/** A node type as the palette lists it. */
export interface PaletteEntry<T extends string = string> {
  type: T;
  label: string;
  description: string;
}

const normalize = (s: string) => s.toLowerCase().normalize("NFKD");

/**
 * The palette entries matching `query`, as the search box filters them while you type: every
 * whitespace-separated word must occur in the label, the description or the type name. Matches in
 * the label come first (at its start before elsewhere); ties keep the palette's order. An empty
 * query keeps every entry.
 */
export function filterPalette<T extends string>(
  entries: readonly PaletteEntry<T>[],
  query: string,
): PaletteEntry<T>[] {
  const words = normalize(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...entries];
  const scored: Array<{ entry: PaletteEntry<T>; index: number; score: number }> = [];
  entries.forEach((entry, index) => {
    const label = normalize(entry.label);
    const rest = `${normalize(entry.description)} ${normalize(entry.type)}`;
    let score = 0;
    for (const word of words) {
      const inLabel = label.indexOf(word);
      if (inLabel === 0) score += 4;
      else if (inLabel > 0) score += label[inLabel - 1] === " " ? 3 : 2;
      else if (rest.includes(word)) score += 1;
      else return;
    }
    scored.push({ entry, index, score });
  });
  return scored.sort((a, b) => b.score - a.score || a.index - b.index).map((s) => s.entry);
}
