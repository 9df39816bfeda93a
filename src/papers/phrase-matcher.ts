/**
 * Counts phrase mentions in text, for the topic tagger. Ingest tags every
 * paper it sees (a backfill is a hundred thousand of them), so this is the
 * hottest loop of an ingest and is written for speed:
 *
 * - The text is read once, character by character, and each word becomes a
 *   32-bit hash of its lower-cased letters, not a new string. Regular
 *   expressions were measured slower: an alternation of every phrase costs
 *   twice this whole pass, and splitting into word strings alone costs more.
 * - Phrases are found by the hash of their first word in an array slot, so
 *   a word that starts no phrase (most of them) costs one read. A hash hit is
 *   confirmed against the text itself: a collision costs time, never a match.
 *
 * Words are runs of ASCII letters and digits, which gives word boundaries for
 * free: "URL" is one word, so it holds no "RL", and "Quality-Efficiency" is
 * two, so it holds "efficiency". Phrases match case-insensitively and their
 * last word may take a plural "s" or "es"; acronyms match exactly as written.
 */

export interface PhraseSpec {
  /** Index of the topic the phrase is evidence for. */
  topic: number;
  text: string;
  /** Acronyms: case-sensitive, no plural. */
  exact: boolean;
}

interface Phrase {
  topic: number;
  exact: boolean;
  /** Lower-cased words for phrases, as written for acronyms. */
  words: string[];
  /** Lower-cased hashes, the form every word of the text is hashed in. */
  hashes: Int32Array;
}

export interface PhraseIndex {
  phrases: (Phrase[] | undefined)[];
  acronyms: (Phrase[] | undefined)[];
  /** Per topic, the word its last counted mention ended at; scratch space reused by each call. */
  phrasesUntil: number[];
  acronymsUntil: number[];
}

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
// Stored hashes are odd, so 0 can mean "no such form" (see lessS below).
const hashWord = (w: string) => [...w.toLowerCase()].reduce((h, ch) => Math.imul(h ^ ch.charCodeAt(0), FNV_PRIME), FNV_OFFSET) | 1;
const WORD = /[A-Za-z0-9]+/g;
// An array slot per hash's low bits: full 32-bit hashes are not small
// integers to V8, so a Map keyed by them would box every lookup.
const SLOT_MASK = 4095;

export function buildPhraseIndex(specs: readonly PhraseSpec[], topicCount: number): PhraseIndex {
  const index: PhraseIndex = {
    phrases: new Array(SLOT_MASK + 1).fill(undefined),
    acronyms: new Array(SLOT_MASK + 1).fill(undefined),
    phrasesUntil: new Array(topicCount).fill(0),
    acronymsUntil: new Array(topicCount).fill(0),
  };
  for (const { topic, text, exact } of specs) {
    const words = (exact ? text : text.toLowerCase()).match(WORD);
    if (!words) throw new Error(`phrase "${text}" has no words`);
    // Acronyms are only looked up for words with a capital letter in them.
    if (exact && words[0] === words[0]!.toLowerCase()) throw new Error(`acronym "${text}" must contain a capital letter`);
    const hashes = Int32Array.from(words.map(hashWord));
    const table = exact ? index.acronyms : index.phrases;
    const slot = hashes[0]! & SLOT_MASK;
    table[slot] = [...(table[slot] ?? []), { topic, exact, words, hashes }];
  }
  // Longest first, so "large language model" is one mention, not also "language model".
  for (const list of [...index.phrases, ...index.acronyms]) list?.sort((a, b) => b.words.length - a.words.length);
  return index;
}

// The words of the text being read. Module-level and reused: matching is
// synchronous, so no two calls overlap, and a fresh array per text would
// cost more than reading it.
let text = '';
let count = 0;
let start = new Int32Array(512);
let end = new Int32Array(512);
/** Lower-cased hash; the same without a final "s", and without a final "es" (0: the word has no such ending). */
let lower = new Int32Array(512);
let lessS = new Int32Array(512);
let lessEs = new Int32Array(512);
let hasCapital = new Uint8Array(512);

function grow(): void {
  const twice = <T extends Int32Array | Uint8Array>(a: T): T => {
    const b = new (a.constructor as new (n: number) => T)(a.length * 2);
    b.set(a);
    return b;
  };
  [start, end, lower, lessS, lessEs, hasCapital] = [twice(start), twice(end), twice(lower), twice(lessS), twice(lessEs), twice(hasCapital)];
}

function read(s: string): void {
  text = s;
  count = 0;
  let inWord = false, from = 0, h = 0, capital = 0;
  for (let i = 0; i <= s.length; i++) {
    let c = i < s.length ? s.charCodeAt(i) : 32;
    const upper = c - 65 >>> 0 < 26;
    if (upper || c - 97 >>> 0 < 26 || c - 48 >>> 0 < 10) {
      if (upper) {
        c |= 32;
        capital = 1;
      }
      if (!inWord) {
        inWord = true;
        from = i;
        h = FNV_OFFSET;
      }
      h = Math.imul(h ^ c, FNV_PRIME);
    } else if (inWord) {
      inWord = false;
      if (count === start.length) grow();
      const n = count++;
      start[n] = from;
      end[n] = i;
      lower[n] = h | 1;
      hasCapital[n] = capital;
      capital = 0;
      // A plural-looking word also gets the hashes without its "s" and "es";
      // rehashing those few words is cheaper than tracking every character.
      lessS[n] = lessEs[n] = 0;
      if (i - from > 1 && (s.charCodeAt(i - 1) | 32) === 115) {
        let g = FNV_OFFSET;
        for (let k = from; k < i - 2; k++) g = Math.imul(g ^ (s.charCodeAt(k) | 32), FNV_PRIME);
        const beforeS = s.charCodeAt(i - 2) | 32;
        lessS[n] = Math.imul(g ^ beforeS, FNV_PRIME) | 1;
        if (i - from > 2 && beforeS === 101) lessEs[n] = g | 1;
      }
    }
  }
}

/**
 * Word i is `word` (lower-cased unless `exact`), once `less` final characters
 * are dropped. Compares character codes: a word holds only ASCII letters and
 * digits, so `| 32` lower-cases it without making a string.
 */
function wordIs(i: number, word: string, exact: boolean, less = 0): boolean {
  const from = start[i]!;
  if (end[i]! - less - from !== word.length) return false;
  const fold = exact ? 0 : 32;
  for (let k = 0; k < word.length; k++) if ((text.charCodeAt(from + k) | fold) !== word.charCodeAt(k)) return false;
  return true;
}

function matchesAt(p: Phrase, i: number): boolean {
  const last = p.words.length - 1;
  if (i + last >= count) return false;
  for (let k = 0; k < last; k++) {
    if (lower[i + k] !== p.hashes[k] || !wordIs(i + k, p.words[k]!, p.exact)) return false;
  }
  const j = i + last, word = p.words[last]!, hash = p.hashes[last]!;
  if (lower[j] === hash && wordIs(j, word, p.exact)) return true;
  if (p.exact) return false;
  return (lessS[j] === hash && wordIs(j, word, false, 1)) || (lessEs[j] === hash && wordIs(j, word, false, 2));
}

/** Counts the mentions that start at word i with a first word hashed `key` (never 0). */
function visit(table: (Phrase[] | undefined)[], key: number, i: number, score: number[], weight: number, coveredUntil: number[]): void {
  const list = table[key & SLOT_MASK];
  if (list === undefined) return;
  for (const p of list) {
    if (p.hashes[0] !== key || i < coveredUntil[p.topic]! || !matchesAt(p, i)) continue;
    score[p.topic]! += weight;
    coveredUntil[p.topic] = i + p.words.length;
  }
}

/**
 * Adds `weight` to `score[topic]` for each mention in `s`. Mentions of one
 * topic do not overlap; phrases and acronyms are counted separately.
 */
export function countMentions(index: PhraseIndex, s: string, score: number[], weight: number): void {
  read(s);
  const phrasesUntil = index.phrasesUntil.fill(0);
  const acronymsUntil = index.acronymsUntil.fill(0);
  const { phrases, acronyms } = index;
  for (let i = 0; i < count; i++) {
    const h = lower[i]!;
    // Most words start nothing: one slot read each, no call.
    if (phrases[h & SLOT_MASK] !== undefined) visit(phrases, h, i, score, weight, phrasesUntil);
    if (lessS[i] !== 0) {
      visit(phrases, lessS[i]!, i, score, weight, phrasesUntil);
      if (lessEs[i] !== 0) visit(phrases, lessEs[i]!, i, score, weight, phrasesUntil);
    }
    if (hasCapital[i] && acronyms[h & SLOT_MASK] !== undefined) visit(acronyms, h, i, score, weight, acronymsUntil);
  }
}
