/**
 * The one-line summary of a card: the paper's ai_summary when it has one, else
 * the abstract's first sentence; either is cut to the budget at a sentence
 * boundary (never mid-word; only a first sentence longer than the budget is
 * cut at a word, with an ellipsis).
 */
const BUDGET = 280;
// Words ending in a full stop that do not end a sentence.
const ABBREVIATIONS = new Set(['e.g', 'i.e', 'al', 'vs', 'fig', 'figs', 'eq', 'eqs', 'cf', 'etc', 'approx', 'resp', 'sec', 'no', 'ref']);

/** Sentence ends: [.!?] and an optional closing quote or bracket, then space and a capital, digit or opener. */
function sentenceEnds(text: string): number[] {
  const ends: number[] = [];
  for (const m of text.matchAll(/[.!?]["')\]]?(?=\s+["'(\[]?[A-Z0-9])/g)) {
    const before = text.slice(0, m.index).match(/(\S+)$/)?.[1]?.toLowerCase() ?? '';
    if (m[0].startsWith('.') && (ABBREVIATIONS.has(before) || /^[a-z]$/i.test(before))) continue;
    ends.push(m.index + m[0].length);
  }
  ends.push(text.length);
  return ends;
}

export function cutAtSentence(text: string, budget = BUDGET): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean.length <= budget) return clean;
  let cut = 0;
  for (const end of sentenceEnds(clean)) {
    if (end > budget) break;
    cut = end;
  }
  if (cut > 0) return clean.slice(0, cut);
  const space = clean.lastIndexOf(' ', budget - 1);
  const head = clean.slice(0, space > 0 ? space : budget).replace(/[\s,;:.–—-]+$/, '');
  return `${head}…`;
}

/** The first sentence of a text (all of it if it has one sentence). */
export function firstSentence(text: string): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  return clean.slice(0, sentenceEnds(clean)[0]);
}

export function cardSummary(paper: { aiSummary: string | null; summary: string }): string {
  return cutAtSentence(paper.aiSummary?.trim() || firstSentence(paper.summary));
}
