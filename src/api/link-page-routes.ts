/**
 * The pages behind the links in emails. A GET only shows a page; the button on
 * it POSTs, so mail scanners that fetch every link change nothing. The one
 * exception by design is RFC 8058: a POST to /unsubscribe with the body
 * `List-Unsubscribe=One-Click` unsubscribes at once and answers 200, no redirect.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { subscriberLink } from '../subscribers/links.ts';
import { applyTransition, findSubscriber, subscriberIdFromToken, transitions, updatePreferences } from '../subscribers/lifecycle.ts';
import { neverConfirmed, staleConfirmLink } from '../subscribers/errors.ts';
import type { TokenPurpose } from '../subscribers/tokens.ts';
import { formErrors, preferencesForm, submittedValues } from './form-schemas.ts';
import { confirmedPage, confirmPage, preferencesPage, resubscribedPage, unsubscribedPage, unsubscribePage } from './pages/manage-pages.ts';

const send = (reply: FastifyReply, page: string, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(page);

/** Links may gain tracking parameters on the way; only `token` matters. */
function tokenOf(req: FastifyRequest): string | undefined {
  const t = (req.query as Record<string, unknown>).token;
  return typeof t === 'string' ? t : undefined;
}

function isOneClick(body: unknown): boolean {
  return Boolean(body && typeof body === 'object' && (body as Record<string, unknown>)['List-Unsubscribe'] === 'One-Click');
}

export function registerLinkPageRoutes(app: FastifyInstance): void {
  const ctx = app.subscribers;
  const signer = { secrets: ctx.secrets, publicUrl: app.deps.config.publicUrl };
  const idFor = (req: FastifyRequest, purpose: TokenPurpose) => subscriberIdFromToken(ctx, purpose, tokenOf(req));
  const here = (path: string, req: FastifyRequest) => `${path}?token=${encodeURIComponent(tokenOf(req) ?? '')}`;
  const link = (purpose: TokenPurpose, id: string) => subscriberLink(signer, purpose, id, ctx.now());

  app.get('/confirm', async (req, reply) => {
    const subscriber = await findSubscriber(ctx, idFor(req, 'confirm'));
    return send(reply, confirmPage(subscriber.email, here('/confirm', req)));
  });

  app.post('/confirm', async (req, reply) => {
    const id = idFor(req, 'confirm');
    const result = await applyTransition(ctx, id, transitions.confirm, 'page');
    if (result.status !== 'active' && result.status !== 'paused') throw staleConfirmLink();
    return send(reply, confirmedPage(link('preferences', id), !result.changed));
  });

  const showPreferences = async (req: FastifyRequest, reply: FastifyReply, extra: Partial<Parameters<typeof preferencesPage>[0]> = {}, status = 200) => {
    const id = idFor(req, 'preferences');
    const subscriber = await findSubscriber(ctx, id);
    const page = preferencesPage({
      subscriber,
      token: tokenOf(req) ?? '',
      unsubscribeUrl: link('unsubscribe', id),
      exportUrl: `/api/preferences/export?token=${encodeURIComponent(tokenOf(req) ?? '')}`,
      ...extra,
    });
    return send(reply, page, status);
  };

  app.get('/preferences', (req, reply) => showPreferences(req, reply));

  app.post('/preferences', async (req, reply) => {
    const id = idFor(req, 'preferences');
    const parsed = preferencesForm.safeParse(req.body ?? {});
    if (!parsed.success) {
      return showPreferences(req, reply, { errors: formErrors(parsed.error), values: submittedValues(req.body) }, 400);
    }
    await updatePreferences(ctx, id, parsed.data, 'page');
    return showPreferences(req, reply, { saved: true });
  });

  for (const [path, t] of [['/preferences/pause', transitions.pause], ['/preferences/resume', transitions.resume]] as const) {
    app.post(path, async (req, reply) => {
      await applyTransition(ctx, idFor(req, 'preferences'), t, 'page');
      return showPreferences(req, reply, { saved: true });
    });
  }

  app.get('/unsubscribe', async (req, reply) => {
    const subscriber = await findSubscriber(ctx, idFor(req, 'unsubscribe'));
    return send(reply, unsubscribePage(subscriber.email, here('/unsubscribe', req)));
  });

  app.post('/unsubscribe', async (req, reply) => {
    const id = idFor(req, 'unsubscribe');
    if (isOneClick(req.body)) {
      await applyTransition(ctx, id, transitions.unsubscribe, 'one-click');
      return reply.code(200).type('text/plain; charset=utf-8').send('unsubscribed\n');
    }
    await applyTransition(ctx, id, transitions.unsubscribe, 'page');
    return send(reply, unsubscribedPage(here('/resubscribe', req)));
  });

  app.post('/resubscribe', async (req, reply) => {
    const id = idFor(req, 'unsubscribe');
    const result = await applyTransition(ctx, id, transitions.resubscribe, 'page');
    if (result.status === 'unsubscribed') throw neverConfirmed();
    return send(reply, resubscribedPage(link('preferences', id)));
  });
}
