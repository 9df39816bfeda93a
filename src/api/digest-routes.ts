/**
 * Reading the digest outside the inbox: the public web edition of a day
 * (`/digests/:date?topics=…`), Atom and JSON feeds of the daily top papers,
 * and `/preview`: the exact email `paperboy digest preview` writes, for a
 * topic mix (not in production) or, for an admin only, a stored subscriber. Thin: selection, rendering and feeds live in src/digest.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { atomFeed, feedItems, jsonFeed } from '../digest/feeds.ts';
import { previewDigest } from '../digest/preview.ts';
import { createDigestRenderer, unpersonalised } from '../digest/render.ts';
import { webDigestContent } from '../digest/web.ts';
import { topicSlugs, type Topic } from '../papers/topics.ts';
import { loadSecrets } from '../subscribers/secret.ts';
import { AppError } from '../errors.ts';
import { authorizeAdmin } from './admin-auth.ts';
import { badRequest, notFound } from './errors.ts';

// Years before 1970 are refused: no paper is that old, and JavaScript dates read years 0–99 as 1900–1999.
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'not a calendar date')
  .refine((d) => d >= '1970-01-01', 'dates before 1970-01-01 have no digest');

function topicList(value: string | undefined): Topic[] {
  if (!value) return [];
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = list.filter((t) => !(topicSlugs as readonly string[]).includes(t));
  if (unknown.length) throw badRequest(`unknown topic ${unknown.map((t) => `"${t}"`).join(', ')}; one of ${topicSlugs.join(', ')}`);
  return list as Topic[];
}

const topicQuery = z.object({ topic: z.enum(topicSlugs).optional() });
const CACHE = 'public, max-age=300';

export async function digestRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { config, db } = app.deps;
  // Web editions repeat across visitors; one renderer caches their compiled HTML.
  const renderer = createDigestRenderer(config, { maxEntries: 200 });

  app.get('/digests/:date', { schema: { params: z.object({ date: day }), querystring: z.object({ topics: z.string().max(300).optional() }) } }, async (req, reply) => {
    const topics = topicList(req.query.topics);
    const content = await webDigestContent(db, config, { date: req.params.date, topics, now: app.deps.now() });
    if (!content) throw notFound(`no digest for ${req.params.date}${topics.length ? ` in ${topics.join(', ')}` : ''}`);
    const { html } = unpersonalised(await renderer.compile(content));
    return reply.header('cache-control', CACHE).type('text/html; charset=utf-8').send(html);
  });

  const feedMeta = (topic?: Topic) => ({ publicUrl: config.publicUrl, topic, now: app.deps.now(), config });

  app.get('/feed.xml', { schema: { querystring: topicQuery } }, async (req, reply) => {
    const items = await feedItems(db, config, { now: app.deps.now(), topic: req.query.topic });
    return reply.header('cache-control', CACHE).type('application/atom+xml; charset=utf-8').send(atomFeed(items, feedMeta(req.query.topic)));
  });

  app.get('/feed.json', { schema: { querystring: topicQuery } }, async (req, reply) => {
    const items = await feedItems(db, config, { now: app.deps.now(), topic: req.query.topic });
    return reply.header('cache-control', CACHE).type('application/feed+json; charset=utf-8').send(JSON.stringify(jsonFeed(items, feedMeta(req.query.topic))));
  });

  const previewQuery = z.object({
    email: z.string().max(254).optional(),
    topics: z.string().max(300).optional(),
    keywords: z.string().max(1000).optional(),
    date: day.optional(),
    format: z.enum(['html', 'text']).default('html'),
  });

  app.get('/preview', { schema: { querystring: previewQuery } }, async (req, reply) => {
    const q = req.query;
    // A subscriber's preview carries their signed links and preferences: an admin
    // action in every mode, decided before the address is looked up, so the answer
    // to anyone else never depends on whether it is stored.
    if (q.email) {
      const denied = await authorizeAdmin(req, reply);
      if (denied) return denied;
    } else if (config.NODE_ENV === 'production') throw notFound(`no route for GET /preview`);
    const keywords = (q.keywords ?? '').split(',').map((k) => k.trim()).filter(Boolean);
    const input = q.email ? { email: q.email, date: q.date } : { topics: topicList(q.topics), keywords, date: q.date };
    const result = await previewDigest({ db, config, secrets: loadSecrets(config), now: app.deps.now(), renderer }, input);
    if (result.kind === 'unknown-subscriber') throw notFound(`no subscriber with the address ${result.email}`);
    if (result.kind === 'skip') throw new AppError(404, 'no_digest', `no email for ${result.period.period}: ${result.reason}`);
    return q.format === 'text'
      ? reply.type('text/plain; charset=utf-8').send(`Subject: ${result.email.subject}\n\n${result.email.text}`)
      : reply.type('text/html; charset=utf-8').send(result.email.html);
  });
}
