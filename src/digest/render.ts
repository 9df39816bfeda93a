/**
 * Render once, personalise per recipient.
 *
 * `mjml2html` costs milliseconds; a send run calls it once per distinct digest
 * content (same cards in the same order, same why-lines, template, frequency
 * and date) and keeps the result, split at the per-recipient slots, in a
 * bounded LRU cache that lives as long as the renderer (one send run).
 * Personalising is then `personalise(compiled, recipient)`: a synchronous join.
 *
 *   const renderer = createDigestRenderer(config);
 *   const compiled = await renderer.compile(emailContent(selection));   // cached
 *   const mail = personalise(compiled, recipient);                      // µs
 *
 * Concurrent compiles of one content share a single promise, so a burst of
 * recipients with the same selection still compiles once.
 */
import mjml2html from 'mjml';
import { digestMjml } from './email-html.ts';
import { digestText } from './email-text.ts';
import { createMarkers, htmlValues, joinSlots, splitAtMarkers, textValues, type Recipient, type SplitText } from './personalise.ts';
import { templateVersion } from './template.ts';
import { buildView, contentKey, toCards, type DigestContent, type RenderConfig } from './view.ts';

export interface CompiledDigest {
  /** Content hash: equal for recipients who share this render. */
  key: string;
  subject: string;
  preheader: string;
  paperIds: string[];
  html: SplitText;
  text: SplitText;
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
  /** Compiles avoided because the content was already in the cache. */
  hits: number;
  /** Entries in the cache now. */
  cached: number;
}

export interface DigestRenderer {
  compile(content: DigestContent): Promise<CompiledDigest>;
  /** compile + personalise. */
  render(content: DigestContent, recipient: Recipient): Promise<RenderedDigest>;
  readonly stats: RenderStats;
}

export interface RendererOptions {
  /** Distinct contents kept; the least recently used goes first. */
  maxEntries?: number;
}

const TEMPLATES = ['digest.mjml', 'digest-card.mjml'];

// MJML indents generously; the indentation is a third of the bytes and Gmail
// clips messages over 102 KB. Nothing in the template is whitespace-sensitive.
const compact = (html: string) => html.replace(/^[ \t]+/gm, '').replace(/\n{2,}/g, '\n');

export function personalise(compiled: CompiledDigest, recipient: Recipient): RenderedDigest {
  return {
    subject: compiled.subject,
    preheader: compiled.preheader,
    html: joinSlots(compiled.html, htmlValues(recipient)),
    text: joinSlots(compiled.text, textValues(recipient)),
    paperIds: compiled.paperIds,
  };
}

/** The output of a content with no personal slots: the web edition. */
export function unpersonalised(compiled: CompiledDigest): { html: string; text: string } {
  if (compiled.html.slots.length || compiled.text.slots.length) throw new Error('this digest has personal slots; use personalise()');
  return { html: compiled.html.parts.join(''), text: compiled.text.parts.join('') };
}

export function createDigestRenderer(config: RenderConfig, options: RendererOptions = {}): DigestRenderer {
  const maxEntries = options.maxEntries ?? 1000;
  const markers = createMarkers();
  const version = templateVersion(...TEMPLATES);
  const cache = new Map<string, Promise<CompiledDigest>>();
  const stats: RenderStats = { compiles: 0, hits: 0, cached: 0 };

  async function build(key: string, content: DigestContent, cards: ReturnType<typeof toCards>): Promise<CompiledDigest> {
    const view = buildView(content, cards, config, markers);
    stats.compiles++;
    const result = await mjml2html(digestMjml(view), { validationLevel: 'strict', keepComments: false, fonts: {} });
    return {
      key,
      subject: view.subject,
      preheader: view.preheader,
      paperIds: cards.map((c) => c.id),
      html: splitAtMarkers(compact(result.html), markers),
      text: splitAtMarkers(digestText(view), markers),
    };
  }

  function compile(content: DigestContent): Promise<CompiledDigest> {
    if (!content.papers.length) throw new Error('a digest needs at least one paper; an empty selection is a skip');
    const cards = toCards(content.papers);
    const key = contentKey(content, cards, version);
    const hit = cache.get(key);
    if (hit) {
      stats.hits++;
      cache.delete(key);
      cache.set(key, hit);
      return hit;
    }
    const pending = build(key, content, cards);
    cache.set(key, pending);
    // A failed compile must not stay cached as a rejected promise.
    pending.catch(() => cache.delete(key));
    while (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
    stats.cached = cache.size;
    return pending;
  }

  return {
    compile,
    async render(content, recipient) {
      return personalise(await compile(content), recipient);
    },
    get stats() {
      return { ...stats, cached: cache.size };
    },
  };
}
