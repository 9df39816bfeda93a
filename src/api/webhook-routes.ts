/**
 * POST /webhooks/bounce: bounce and complaint reports from the mail relay or
 * an ESP, `{ email, type: "hard" | "soft" | "complaint" }`, authenticated with
 * `Authorization: Bearer WEBHOOK_TOKEN`. Without WEBHOOK_TOKEN the route does
 * not exist (404), so an unconfigured install cannot be made to suppress
 * anyone. An unknown address answers 202 like a known one: the relay learns
 * nothing about who is subscribed.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { recordBounce } from '../delivery/bounces.ts';
import { sameSecret } from '../secret-compare.ts';
import { espWebhookRoutes } from './esp-webhook-routes.ts';
import { notFound, unauthorized } from './errors.ts';

const body = z.strictObject({
  email: z.string().trim().min(3).max(254),
  type: z.enum(['hard', 'soft', 'complaint']),
  /** Free text from the relay (diagnostic code etc.), kept in the audit trail. */
  reason: z.string().max(500).optional(),
});

export const webhookRoutes: FastifyPluginAsyncZod = async (app) => {
  // The ESPs' own formats, each in its own context (they keep bodies raw until authenticated).
  await app.register(espWebhookRoutes);
  app.post(
    '/webhooks/bounce',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Report a bounce or complaint (Bearer WEBHOOK_TOKEN)',
        body,
        response: { 202: z.object({ status: z.literal('accepted') }) },
      },
    },
    async (req, reply) => {
      const { config, db } = app.deps;
      if (!config.WEBHOOK_TOKEN) throw notFound(`no route for POST /webhooks/bounce`);
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!token || !sameSecret(token, config.WEBHOOK_TOKEN)) throw unauthorized('a valid Bearer WEBHOOK_TOKEN is required');
      const result = await recordBounce(db, { email: req.body.email }, req.body.type, {
        limit: config.BOUNCE_LIMIT,
        via: 'bounce',
        detail: { source: 'webhook', ...(req.body.reason ? { reason: req.body.reason } : {}) },
      });
      req.log.info({ type: req.body.type, known: Boolean(result), suppressed: result?.suppressed ?? false }, 'bounce report');
      return reply.code(202).send({ status: 'accepted' });
    },
  );
};
