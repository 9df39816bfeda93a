/**
 * Feedback links from a digest's cards (src/profile/links.ts) and the tracked
 * paper link (src/profile/click.ts).
 *
 * A GET never changes anything: Safe Links, Proofpoint and Mimecast fetch
 * every link of an email before the reader does. The GET page holds a form
 * that a script posts at once (its button does the same without scripts);
 * the POST records and answers with what changed and an Undo. Every write is
 * idempotent, so a reload or a double click records one vote.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { clickTrackingOn, paperPage } from '../profile/click.ts';
import { verifyFeedback, type FeedbackClaim } from '../profile/feedback-token.ts';
import { paperTitle, recordClick, recordVote, removeRule, setRule, undoVote } from '../profile/store.ts';
import { invalidLink } from '../subscribers/errors.ts';
import { findSubscriber } from '../subscribers/lifecycle.ts';
import { subscriberLink } from '../subscribers/links.ts';
import { feedbackPage, feedbackScript, notedPage, redirectPage, undonePage, type FeedbackChoice } from './pages/feedback-pages.ts';
import { registerLearnedProfileRoutes } from './learned-profile-routes.ts';

const send = (reply: FastifyReply, page: string, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(page);

/** The token from the form field `token` (POST) or `?token=` (GET, HEAD). */
function tokenOf(req: FastifyRequest): unknown {
  const body = req.body as Record<string, unknown> | undefined;
  return req.method === 'POST' ? body?.token : (req.query as Record<string, unknown>).token;
}

export function registerFeedbackRoutes(app: FastifyInstance): void {
  const ctx = app.subscribers;
  const { db } = ctx;
  const preferencesUrl = (id: string) => subscriberLink({ secrets: ctx.secrets, publicUrl: app.deps.config.publicUrl }, 'preferences', id, ctx.now());

  const claimOf = async (req: FastifyRequest, action?: 'click'): Promise<{ claim: FeedbackClaim; token: string }> => {
    const token = tokenOf(req);
    const check = verifyFeedback(ctx.secrets, token);
    if (!check.ok || (action === 'click') !== (check.action === 'click')) throw invalidLink();
    await findSubscriber(ctx, check.subscriberId);
    return { claim: check, token: token as string };
  };

  const choiceOf = async (claim: FeedbackClaim): Promise<FeedbackChoice> =>
    claim.action === 'follow'
      ? { action: 'follow', kind: claim.target!.kind, value: claim.target!.value }
      : { action: claim.action as 'more' | 'less', title: await paperTitle(db, claim.paperId) };

  app.get('/assets/feedback.js', (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(feedbackScript),
  );

  app.get('/feedback', async (req, reply) => {
    const { claim, token } = await claimOf(req);
    return send(reply, feedbackPage(await choiceOf(claim), token));
  });

  app.post('/feedback', async (req, reply) => {
    const { claim, token } = await claimOf(req);
    const now = ctx.now();
    if (claim.action === 'follow') await setRule(db, claim.subscriberId, claim.target!.kind, claim.target!.value, 'follow', now);
    else await recordVote(db, claim.subscriberId, claim.paperId, claim.action as 'more' | 'less', now);
    req.log.info({ subscriberId: claim.subscriberId, action: claim.action }, 'feedback recorded');
    return send(reply, notedPage(await choiceOf(claim), token, preferencesUrl(claim.subscriberId)));
  });

  app.post('/feedback/undo', async (req, reply) => {
    const { claim } = await claimOf(req);
    if (claim.action === 'follow') await removeRule(db, claim.subscriberId, claim.target!.kind, claim.target!.value, 'follow');
    else await undoVote(db, claim.subscriberId, claim.paperId, claim.action as 'more' | 'less');
    return send(reply, undonePage(await choiceOf(claim), preferencesUrl(claim.subscriberId)));
  });

  // The tracked paper link. With CLICK_TRACKING=off links already sent still
  // reach the paper, and nothing is counted.
  app.get('/r', async (req, reply) => {
    const { claim, token } = await claimOf(req, 'click');
    if (!clickTrackingOn(app.deps.config)) return reply.redirect(paperPage(claim.paperId), 302);
    return send(reply, redirectPage(token, paperPage(claim.paperId)));
  });

  app.post('/r', async (req, reply) => {
    const { claim } = await claimOf(req, 'click');
    if (clickTrackingOn(app.deps.config)) await recordClick(db, claim.subscriberId, claim.paperId, ctx.now());
    return reply.code(204).send();
  });

  registerLearnedProfileRoutes(app);
}
