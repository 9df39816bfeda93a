/**
 * Keyword phrases matched in memory, with exactly Postgres's semantics (the
 * single-subscriber query in candidates.ts matches in SQL and a test holds the
 * two equal). Postgres parses both sides: the paper's words once per window
 * (PaperFeatures.lexemes, from to_tsvector) and each distinct keyword once per
 * run (phraseto_tsquery, one statement per batch for the keywords not seen
 * yet). What is left here is the `@@` of a phrase: every lexeme of the phrase
 * at its offset from the first.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/rows.ts';
import type { PaperFeatures } from './features.ts';

/** One phrase: lexemes with their distance from the first one. Empty: matches nothing (as in Postgres). */
export type Phrase = { lexeme: string; offset: number }[];

/** A keyword as its three accepted forms: the phrase, and with the last word plus s or es. */
export type KeywordQuery = readonly Phrase[];

/** Reads phraseto_tsquery's text form: 'a' <-> 'b' <2> 'c'. */
export function parsePhrase(tsquery: string): Phrase {
  const out: Phrase = [];
  let offset = 0;
  for (const m of tsquery.matchAll(/'((?:[^']|'')*)'|<(\d+|-)>/g)) {
    if (m[1] !== undefined) out.push({ lexeme: m[1].replaceAll("''", "'").replaceAll('\\\\', '\\'), offset });
    else offset += m[2] === '-' ? 1 : Number(m[2]);
  }
  return out;
}

// Called for every paper of a window and every keyword of a reader: no allocation on the way.
export function phraseMatches(terms: PaperFeatures['lexemes'], phrase: Phrase): boolean {
  if (!phrase.length) return false;
  const first = terms.get(phrase[0]!.lexeme);
  if (!first) return false;
  if (phrase.length === 1) return first.length > 0;
  // Anchor on the word with the fewest positions ("the" is everywhere): the phrase starts at anchor − its offset.
  let anchor = 0;
  let fewest = first;
  for (let k = 1; k < phrase.length; k++) {
    const at = terms.get(phrase[k]!.lexeme);
    if (!at) return false;
    if (at.length < fewest.length) {
      anchor = k;
      fewest = at;
    }
  }
  const base = phrase[anchor]!.offset;
  for (const q of fewest) {
    const start = q - base;
    let all = true;
    for (let k = 0; k < phrase.length && all; k++) if (k !== anchor) all = terms.get(phrase[k]!.lexeme)!.includes(start + phrase[k]!.offset);
    if (all) return true;
  }
  return false;
}

export const keywordMatches = (paper: PaperFeatures, query: KeywordQuery) => query.some((phrase) => phraseMatches(paper.lexemes, phrase));

/**
 * Parsed keywords, shared by the batches of a send run. Parsing is one
 * statement for all of a batch's new keywords. Bounded at two thousand
 * (more than a batch brings): a keyword many readers share is parsed again
 * after a reset (one row of one statement), while keeping every reader's own
 * keyword for the whole run cost about a kilobyte each (a hundred megabytes
 * at 100,000 readers).
 */
export class KeywordParser {
  private readonly parsed = new Map<string, KeywordQuery>();

  constructor(private readonly maxEntries = 2_000) {}

  async load(db: Db, keywords: Iterable<string>): Promise<void> {
    const wanted = [...new Set(keywords)];
    let missing = wanted.filter((k) => !this.parsed.has(k));
    if (!missing.length) return;
    // Bounded: start over rather than grow, keeping what this batch needs.
    if (this.parsed.size + missing.length > this.maxEntries) {
      this.parsed.clear();
      missing = wanted;
    }
    const rows = await queryRows<{ k: string; a: string; b: string; c: string }>(
      db,
      sql`SELECT k, phraseto_tsquery('simple', k)::text AS a, phraseto_tsquery('simple', k || 's')::text AS b,
                 phraseto_tsquery('simple', k || 'es')::text AS c
          FROM unnest(${sql.param(missing)}::text[]) AS k`,
      'keywords',
    );
    for (const r of rows) this.parsed.set(r.k, [parsePhrase(r.a), parsePhrase(r.b), parsePhrase(r.c)]);
  }

  /** A keyword passed to `load` before. */
  get(keyword: string): KeywordQuery {
    const q = this.parsed.get(keyword);
    if (!q) throw new Error(`keyword "${keyword}" was not loaded`);
    return q;
  }
}
