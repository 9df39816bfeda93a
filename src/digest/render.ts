/**
 * Render once, personalise per recipient.
 *
 * `mjml2html` costs milliseconds, so it never runs per digest: it compiles
 * each card once per renderer (one send run), together with the layout around
 * the cards, and every digest is then assembled from compiled parts:
 *
 *   layout head · card · card · … · layout foot
 *
 * with the digest's own words (subject, heading, each card's rank and
 * why-line) escaped into their markers, and the recipient's values left as
 * slots (personalise.ts). A digest is a join of a few dozen strings whatever
 * the number of distinct digests: a million subscribers with a keyword each
 * cost the MJML of the few hundred papers of the window.
 *
 *   const renderer = createDigestRenderer(config);
 *   const compiled = await renderer.compile(emailContent(selection));   // assembly
 *   const mail = personalise(compiled, recipient);                      // µs
 *
 * The layout and cards are compiled in one MJML document (cards separated by
 * mj-raw cut markers, which MJML copies through between the column's rows),
 * so a card's HTML is exactly what MJML makes of it in place.
 */
import mjml2html from 'mjml';
import { clickTrackingOn } from '../profile/click.ts';
import { staticCards, type StaticCard } from './cards.ts';
import { escapeHtml } from './escape.ts';
import { cardMjml, layoutMjml, moreMjml, type LayoutMarkers } from './email-html.ts';
import { cardText, moreText, textLayout, whyText } from './email-text.ts';
import {
  cardSlotNames,
  htmlValues,
  joinPieces,
  namedMarkers,
  recurringText,
  slotNames,
  splitAtNames,
  textValues,
  type CardSlot,
  type Piece,
  type PieceValues,
  type Recipient,
  type RecurringText,
  type SlotName,
} from './personalise.ts';
import type { DigestPaper } from './select.ts';
import { digestWords, senderLine, type Audience, type DigestContent, type DigestWords, type RenderConfig } from './view.ts';

export interface CompiledDigest {
  subject: string;
  preheader: string;
  /** The papers shown (after trimming for size). */
  paperIds: string[];
  html: Piece[];
  text: Piece[];
  /** Papers left out to stay under Gmail's clipping size (the email links the web edition instead). */
  trimmed: number;
}

export interface RenderedDigest {
  subject: string;
  preheader: string;
  html: string;
  text: string;
  paperIds: string[];
}

export interface RenderStats {
  /** mjml2html calls. */
  compiles: number;
  /** Cards compiled (each once). */
  cards: number;
  /** Cards taken from the cache. */
  hits: number;
  /** Cards in the cache now. */
  cached: number;
}

export interface DigestRenderer {
  compile(content: DigestContent): Promise<CompiledDigest>;
  /** Compiles, in one MJML call, the cards of these papers not compiled yet (a send run warms a whole window at once). */
  warm(audience: Audience, papers: readonly DigestPaper[]): Promise<void>;
  /** compile + personalise. */
  render(content: DigestContent, recipient: Recipient): Promise<RenderedDigest>;
  readonly stats: RenderStats;
}

export interface RendererOptions {
  /** Compiled cards kept; the least recently used goes first. */
  maxEntries?: number;
  /** Distinct why-lines kept (default WHYS_KEPT); past it they start again. */
  whyLinesKept?: number;
}

/**
 * Gmail clips an HTML part over 102 KB. The digest's static HTML stays under
 * this, leaving room for the recipient's address and links.
 */
export const HTML_BUDGET_BYTES = 102_000 - 4_000;

// MJML indents generously; the indentation is a third of the bytes. Nothing
// in the template is whitespace-sensitive.
const compact = (html: string) => html.replace(/^[ \t]+/gm, '').replace(/\n{2,}/g, '\n');

const WORDS = ['subject', 'preheader', 'kicker', 'heading', 'intro'] as const;
type Name = keyof LayoutMarkers;
type DigestWord = (typeof WORDS)[number];
/** The digest's own words: what a compiled part leaves open per digest (a card's rank and why-line besides). */
type Word = DigestWord | 'rank' | 'why';
/**
 * A template with its markers resolved once, when it is compiled: recipient
 * slots and a card's feedback slots become the (shared, read-only) pieces
 * they stand for, so a digest is assembled by pushing them, and only the
 * digest's words are looked up per digest.
 */
type Filled = (Piece | { word: Word })[];

interface CompiledCard {
  html: Filled;
  text: Filled;
  /** The card's static HTML and, in an email, its signed links at their longest: its share of Gmail's clipping budget. */
  htmlBytes: number;
}

interface Layout {
  head: Filled;
  more: Filled;
  foot: Filled;
  bytes: number;
}

/**
 * An upper bound of a card's three signed feedback links in the HTML: each
 * `${publicUrl}/feedback?token=` + base64url of a JSON claim (subscriber and
 * paper ids, time, and what Follow follows: for More and Less a 22-character
 * commitment to it) + "." + the action's letter + "." + a 28-character MAC
 * slice, escaped (profile/feedback-token.ts). 44 characters cover the MAC of
 * either kind of token.
 */
function feedbackBytes(card: StaticCard, publicUrl: string, tracked: boolean): number {
  const claim = (extra: number) => Math.ceil(((60 + Buffer.byteLength(card.id) + extra) * 4) / 3) + 44;
  const url = (extra: number) => publicUrl.length + 40 + claim(extra);
  // A tracked title link (profile/click.ts) is a signed URL of the same kind, in place of the card's own.
  const follow = card.feedback.follow;
  return 2 * url(follow ? 25 : 0) + (follow ? url(20 + 2 * Buffer.byteLength(follow)) : 0) + (tracked ? url(0) : 0);
}

const byteLength = (t: Filled) => t.reduce((n, p) => n + (typeof p === 'string' ? Buffer.byteLength(p) : 0), 0);
const isSlot = (name: string): name is SlotName => (slotNames as readonly string[]).includes(name);
const isCardSlot = (name: string): name is CardSlot => (cardSlotNames as readonly string[]).includes(name);
const RANKS: RecurringText[] = Array.from({ length: 100 }, (_, i) => recurringText(String(i + 1)));
const rankPiece = (rank: number): RecurringText => RANKS[rank - 1] ?? recurringText(String(rank));

/** A why-line as both outputs print it, and its HTML's bytes. */
interface WhyLine {
  html: RecurringText;
  text: RecurringText;
  htmlBytes: number;
}
/**
 * Why-lines kept. Readers share them ("Trending: 48 upvotes", "From NVIDIA,
 * which you follow", the same liked paper naming the same features), so
 * each distinct one is escaped, wrapped and measured once, and encoded once
 * by the composer.
 */
const WHYS_KEPT = 10_000;

export function personalise(compiled: CompiledDigest, recipient: Recipient): RenderedDigest {
  return {
    subject: compiled.subject,
    preheader: compiled.preheader,
    html: joinPieces(compiled.html, htmlValues(recipient)),
    text: joinPieces(compiled.text, textValues(recipient)),
    paperIds: compiled.paperIds,
  };
}

/** The output of a content with no personal slots: the web edition. */
export function unpersonalised(compiled: CompiledDigest): { html: string; text: string } {
  const slotted = (p: Piece[]) => p.some((x) => typeof x !== 'string' && !('text' in x));
  if (slotted(compiled.html) || slotted(compiled.text)) throw new Error('this digest has personal slots; use personalise()');
  const none: PieceValues = { slots: {} as Record<SlotName, string>, card: () => '' };
  return { html: joinPieces(compiled.html, none), text: joinPieces(compiled.text, none) };
}

export function createDigestRenderer(config: RenderConfig, options: RendererOptions = {}): DigestRenderer {
  const maxEntries = options.maxEntries ?? 2000;
  const whysKept = options.whyLinesKept ?? WHYS_KEPT;
  const markers: LayoutMarkers = namedMarkers([...WORDS, 'rank', 'why', ...slotNames, ...cardSlotNames]);
  const cut = namedMarkers(['cut']).cut;
  const sender = senderLine(config);
  // CLICK_TRACKING=on: email titles link through the recipient's counted-click redirect, and the footer says so.
  const tracked = (audience: Audience) => audience === 'email' && clickTrackingOn(config);
  const cards = new Map<string, Promise<CompiledCard>>();
  const layouts = new Map<Audience, Promise<Layout>>();
  const stats: RenderStats = { compiles: 0, cards: 0, hits: 0, cached: 0 };
  const whyLines = new Map<string, WhyLine>();
  const whyLine = (reason: string): WhyLine => {
    let w = whyLines.get(reason);
    if (!w) {
      if (whyLines.size >= whysKept) whyLines.clear();
      const html = escapeHtml(reason);
      whyLines.set(reason, (w = { html: recurringText(html), text: recurringText(whyText(reason)), htmlBytes: Buffer.byteLength(html) }));
    }
    return w;
  };

  const slotPieces = new Map(slotNames.map((slot) => [slot, { slot }] as const));
  /** A compiled part's markers resolved (see Filled); a card's slots need the card. */
  const split = (s: string, card?: StaticCard): Filled =>
    splitAtNames(s, markers).map((p) => {
      if (typeof p === 'string') return p;
      if (isSlot(p.name)) return slotPieces.get(p.name)!;
      if (isCardSlot(p.name)) {
        if (!card) throw new Error(`card slot ${p.name} outside a card`);
        return { card: p.name, paper: card.feedback };
      }
      return { word: p.name as Word };
    });
  const moreTextTemplate = split(moreText(markers));
  const textLayouts = new Map<string, { head: Filled; foot: Filled }>();
  const textFor = (audience: Audience, kicker: string) => {
    let t = textLayouts.get(`${audience}|${kicker}`);
    if (!t) {
      const { head, foot } = textLayout(audience, kicker, config.publicUrl, sender, markers, tracked(audience));
      textLayouts.set(`${audience}|${kicker}`, (t = { head: split(head), foot: split(foot) }));
    }
    return t;
  };

  /** One MJML document: the layout around the given cards, cut apart after compiling. */
  function compileCards(audience: Audience, batch: StaticCard[]): Promise<{ layout: Layout; cards: CompiledCard[] }> {
    stats.compiles++;
    stats.cards += batch.length;
    const cuts = `<mj-raw>${cut}</mj-raw>`;
    const body = [cuts, ...batch.map((c) => cardMjml(c, markers, audience === 'email', tracked(audience)) + cuts), moreMjml(markers), cuts].join('\n');
    return mjml2html(layoutMjml(audience, config.publicUrl, sender, markers, body, tracked(audience)), { validationLevel: 'strict', keepComments: false, fonts: {} }).then(
      (result) => {
        const parts = compact(result.html).split(cut);
        if (parts.length !== batch.length + 3) throw new Error('compiled digest lost a card boundary');
        const [head, foot, more] = [split(parts[0]!), split(parts.at(-1)!), split(parts.at(-2)!)];
        return {
          layout: { head, foot, more, bytes: byteLength(head) + byteLength(foot) + byteLength(more) },
          cards: batch.map((c, i) => {
            const html = split(parts[i + 1]!, c);
            const links = audience === 'email' ? feedbackBytes(c, config.publicUrl, tracked(audience)) : 0;
            return { html, text: split(cardText(c, markers, audience === 'email', tracked(audience)), c), htmlBytes: byteLength(html) + links };
          }),
        };
      },
    );
  }

  /** The compiled cards of a digest: from the cache, the missing ones in one MJML call. */
  function cardsFor(audience: Audience, shown: readonly StaticCard[]): Promise<CompiledCard[]> {
    const key = (c: StaticCard) => `${audience}|${c.fingerprint}`;
    const missing = [...new Map(shown.filter((c) => !cards.has(key(c))).map((c) => [c.fingerprint, c])).values()];
    if (missing.length || !layouts.has(audience)) {
      const compiled = compileCards(audience, missing);
      if (!layouts.has(audience)) {
        const layout = compiled.then((r) => r.layout);
        layouts.set(audience, layout);
        layout.catch(() => layouts.delete(audience));
      }
      missing.forEach((c, i) => {
        const card = compiled.then((r) => r.cards[i]!);
        cards.set(key(c), card);
        // A failed compile must not stay cached as a rejected promise.
        card.catch(() => cards.delete(key(c)));
      });
    }
    stats.hits += shown.length - missing.length;
    const found = shown.map((c) => {
      const k = key(c);
      const hit = cards.get(k)!;
      cards.delete(k);
      cards.set(k, hit);
      return hit;
    });
    while (cards.size > maxEntries) cards.delete(cards.keys().next().value!);
    return Promise.all(found);
  }

  /** A filled template's pieces, with the digest's words (escaped for the output) in their places. */
  function fill(t: Filled, words: Record<DigestWord, string>, out: Piece[], rank?: RecurringText, why?: RecurringText): void {
    for (const p of t) {
      if (typeof p === 'string' || !('word' in p)) out.push(p);
      else if (p.word === 'rank') out.push(rank!);
      else if (p.word === 'why') out.push(why!);
      else out.push({ text: words[p.word] });
    }
  }

  async function compile(content: DigestContent): Promise<CompiledDigest> {
    if (!content.papers.length) throw new Error('a digest needs at least one paper; an empty selection is a skip');
    const all = staticCards(content.papers);
    const compiled = await cardsFor(content.audience, all);
    const layout = await layouts.get(content.audience)!;
    const email = content.audience === 'email';
    const whys = content.papers.map((p) => whyLine(p.reason));

    // Cards that would take the HTML past Gmail's clipping size give way to a
    // link to the web edition (email only; a web page is never clipped).
    const escapedWords = (w: DigestWords) => Object.fromEntries(WORDS.map((k) => [k, escapeHtml(w[k])])) as Record<DigestWord, string>;
    let words = digestWords(content, all.map((c) => c.title));
    let htmlWords = escapedWords(words);
    let shown = all.length;
    let bytes = layout.bytes + WORDS.reduce((n, k) => n + 2 * Buffer.byteLength(htmlWords[k]), 0);
    for (let i = 0; i < all.length; i++) {
      bytes += compiled[i]!.htmlBytes + whys[i]!.htmlBytes + 2;
      if (email && i > 0 && bytes > HTML_BUDGET_BYTES) {
        shown = i;
        break;
      }
    }
    if (shown < all.length) {
      words = digestWords(content, all.slice(0, shown).map((c) => c.title));
      htmlWords = escapedWords(words);
    }
    const { head, foot } = textFor(content.audience, words.kicker);

    const html: Piece[] = [];
    const text: Piece[] = [];
    fill(layout.head, htmlWords, html);
    fill(head, words, text);
    for (let i = 0; i < shown; i++) {
      const rank = rankPiece(i + 1);
      fill(compiled[i]!.html, htmlWords, html, rank, whys[i]!.html);
      fill(compiled[i]!.text, words, text, rank, whys[i]!.text);
    }
    if (shown < all.length) {
      fill(layout.more, htmlWords, html);
      fill(moreTextTemplate, words, text);
    }
    fill(layout.foot, htmlWords, html);
    fill(foot, words, text);
    return { subject: words.subject, preheader: words.preheader, paperIds: all.slice(0, shown).map((c) => c.id), html, text, trimmed: all.length - shown };
  }

  return {
    compile,
    async warm(audience, papers) {
      await cardsFor(audience, staticCards(papers));
    },
    async render(content, recipient) {
      return personalise(await compile(content), recipient);
    },
    get stats() {
      return { ...stats, cached: cards.size };
    },
  };
}
