/**
 * Native ESP webhooks, each authenticated the way its provider signs:
 *
 *   POST /webhooks/ses       Amazon SNS signature + SES_SNS_TOPIC_ARNS (SubscriptionConfirmation handled)
 *   POST /webhooks/sendgrid  ECDSA over timestamp + raw body, SENDGRID_WEBHOOK_PUBLIC_KEY
 *   POST /webhooks/mailgun   HMAC-SHA256 of timestamp + token, MAILGUN_WEBHOOK_SIGNING_KEY
 *   POST /webhooks/postmark  basic auth or Bearer, POSTMARK_WEBHOOK_TOKEN
 *
 * A route whose key is unset does not exist (404). The body is kept raw
 * until it is authenticated (preValidation), so a request that fails gets 401
 * before anything in it is validated; then it is parsed and validated (400).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { applyEspEvents, type EspEvent } from '../bounces/esp/events.ts';
import { mailgunBody, mailgunEvents, verifyMailgun } from '../bounces/esp/mailgun.ts';
import { postmarkBody, postmarkEvents, verifyPostmark } from '../bounces/esp/postmark.ts';
import { sendgridBody, sendgridEvents, sendgridKey, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySendgrid } from '../bounces/esp/sendgrid.ts';
import { sesEvents } from '../bounces/esp/ses.ts';
import { createSnsVerifier, httpsGet, isSnsUrl, snsMessage } from '../bounces/esp/sns.ts';
import type { BounceSource } from '../bounces/handle.ts';
import { badRequest, forbidden, notFound, unauthorized } from './errors.ts';

/** SendGrid batches up to thousands of events in one POST. */
const BODY_LIMIT = 2 * 1024 * 1024;
const accepted = z.object({ status: z.enum(['accepted', 'confirmed']), applied: z.number().int() });

type Raw = { raw: string; json: unknown };
const rawOf = (req: FastifyRequest) => req.body as unknown as Raw;

export const espWebhookRoutes: FastifyPluginAsyncZod = async (app) => {
  const { config } = app.deps;
  // Raw text first (SNS posts JSON as text/plain); parsed once authenticated.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, body, done) => {
    let json: unknown;
    try {
      json = JSON.parse(body as string);
    } catch {
      json = undefined;
    }
    done(null, { raw: body as string, json } satisfies Raw);
  });

  const deps = () => ({ db: app.deps.db, limit: config.BOUNCE_LIMIT, log: app.log, metrics: app.metrics?.bounces });
  const apply = async (source: Exclude<BounceSource, 'smtp'>, r: { events: EspEvent[]; ignored: number }) => {
    await applyEspEvents(deps(), source, r.events, r.ignored);
    return { status: 'accepted' as const, applied: r.events.length };
  };

  /** One route: 404 without its key, 401 unless `authenticate` passes, then the parsed body is validated. */
  function route<B extends z.ZodType>(
    path: string,
    summary: string,
    key: string | undefined,
    body: B,
    authenticate: (req: FastifyRequest, raw: Raw) => string | null | Promise<string | null>,
    handle: (body: z.infer<B>) => Promise<z.infer<typeof accepted>>,
  ) {
    app.post(
      path,
      {
        bodyLimit: BODY_LIMIT,
        schema: { tags: ['webhooks'], summary, body, response: { 200: accepted, 202: accepted } },
        onRequest: async () => {
          if (!key) throw notFound(`no route for POST ${path}`);
        },
        preValidation: async (req) => {
          const raw = rawOf(req);
          const why = raw && typeof raw.raw === 'string' ? await authenticate(req, raw) : 'no body';
          if (why) throw unauthorized(why);
          if (raw.json === undefined) throw badRequest('the body is not JSON');
          req.body = raw.json as typeof req.body;
        },
      },
      async (req, reply) => {
        const result = await handle(req.body as z.infer<B>);
        return reply.code(result.status === 'confirmed' ? 200 : 202).send(result);
      },
    );
  }

  const topics = (config.SES_SNS_TOPIC_ARNS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const verifySns = createSnsVerifier(app.deps.snsHttpsGet ?? httpsGet);
  const get = app.deps.snsHttpsGet ?? httpsGet;
  route('/webhooks/ses', 'Amazon SES bounces and complaints through SNS (signed by SNS)', config.SES_SNS_TOPIC_ARNS, snsMessage,
    async (_req, { json }) => {
      const m = snsMessage.safeParse(json);
      if (!m.success) return 'not a signed SNS message';
      return verifySns(m.data);
    },
    async (m) => {
      // Anyone can have SNS sign for their own topic: only ours count.
      if (!topics.includes(m.TopicArn)) throw forbidden(`topic ${m.TopicArn} is not in SES_SNS_TOPIC_ARNS`);
      if (m.Type === 'SubscriptionConfirmation') {
        if (!isSnsUrl(m.SubscribeURL)) throw badRequest('SubscribeURL is not an SNS https URL');
        await get(m.SubscribeURL);
        app.log.info({ topic: m.TopicArn }, 'SNS subscription confirmed');
        return { status: 'confirmed', applied: 0 };
      }
      if (m.Type === 'UnsubscribeConfirmation') return { status: 'accepted', applied: 0 };
      return apply('ses', sesEvents(m.Message));
    },
  );

  const sgKey = config.SENDGRID_WEBHOOK_PUBLIC_KEY ? sendgridKey(config.SENDGRID_WEBHOOK_PUBLIC_KEY) : undefined;
  route('/webhooks/sendgrid', 'SendGrid event webhook (ECDSA-signed)', config.SENDGRID_WEBHOOK_PUBLIC_KEY, sendgridBody,
    (req, { raw }) => (verifySendgrid(sgKey!, raw, req.headers[SIGNATURE_HEADER] as string | undefined, req.headers[TIMESTAMP_HEADER] as string | undefined) ? null : 'a valid SendGrid signature is required'),
    (events) => apply('sendgrid', sendgridEvents(events)),
  );

  route('/webhooks/mailgun', 'Mailgun webhook (HMAC-signed)', config.MAILGUN_WEBHOOK_SIGNING_KEY, mailgunBody,
    (_req, { json }) => (verifyMailgun(config.MAILGUN_WEBHOOK_SIGNING_KEY!, json) ? null : 'a valid Mailgun signature is required'),
    (body) => apply('mailgun', mailgunEvents(body)),
  );

  route('/webhooks/postmark', 'Postmark bounce and spam-complaint webhook (basic auth or Bearer)', config.POSTMARK_WEBHOOK_TOKEN, postmarkBody,
    (req) => (verifyPostmark(config.POSTMARK_WEBHOOK_TOKEN!, req.headers.authorization) ? null : 'POSTMARK_WEBHOOK_TOKEN is required (basic-auth password or Bearer)'),
    (body) => apply('postmark', postmarkEvents(body)),
  );
};
