/** `/` and the form it posts to. */
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { previewPapers } from '../papers/preview.ts';
import { subscribe } from '../subscribers/subscribe.ts';
import { withDefaults } from '../subscribers/preferences.ts';
import { formErrors, submittedValues, subscribeForm } from './form-schemas.ts';
import { checkInboxPage, homePage } from './pages/home-page.ts';
import type { FormValues } from './pages/form.ts';

const PREVIEW_DAYS = 3;
const PREVIEW_CACHE_MS = 60_000;

export function registerHomeRoutes(app: FastifyInstance, limiter: onRequestHookHandler): void {
  const { config } = app.deps;
  const defaults: FormValues = { email: '', topics: config.DEFAULT_TOPICS, keywords: '', frequency: 'daily', timezone: 'UTC', sendHour: 7 };

  // The preview changes with the hourly ingest; a minute's cache keeps a busy
  // front page from ranking the same papers on every request.
  let cached: { at: number; value: ReturnType<typeof previewPapers> } | undefined;
  const preview = () => {
    const now = app.deps.now();
    if (!cached || now.getTime() - cached.at > PREVIEW_CACHE_MS || now.getTime() < cached.at) {
      const value = previewPapers(app.deps.db, { now, gravity: config.TRENDING_GRAVITY, days: PREVIEW_DAYS, limit: config.DIGEST_SIZE });
      cached = { at: now.getTime(), value };
      value.catch(() => (cached = undefined));
    }
    return cached.value;
  };

  app.get('/', async (_req, reply) => {
    reply.type('text/html; charset=utf-8').send(homePage({ values: defaults, preview: await preview() }));
  });

  app.post('/subscribe', { onRequest: limiter }, async (req, reply) => {
    const parsed = subscribeForm.safeParse(req.body ?? {});
    if (!parsed.success) {
      const page = homePage({ values: submittedValues(req.body), errors: formErrors(parsed.error), preview: await preview() });
      return reply.code(400).type('text/html; charset=utf-8').send(page);
    }
    const { email, ...prefs } = parsed.data;
    await subscribe(app.subscribers, { email, preferences: withDefaults(prefs) }, 'page', req.log);
    return reply.type('text/html; charset=utf-8').send(checkInboxPage());
  });
}
