/**
 * The preferences page's learned-profile forms (src/api/pages/learned-profile.ts),
 * all with the preferences token. A change answers with a redirect back to the
 * preferences page, where it shows; a bad entry answers 400 with the learned
 * part alone, naming the problem and keeping what was typed.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ruleKinds, ruleStances } from '../db/schema.ts';
import { ProfileError } from '../profile/errors.ts';
import { loadProfile } from '../profile/profile.ts';
import { forgetClick, removeRule, setRule, undoVote } from '../profile/store.ts';
import { subscriberIdFromToken } from '../subscribers/lifecycle.ts';
import { learnedPage, type LearnedOptions } from './pages/learned-profile.ts';

const ruleForm = z.object({ kind: z.enum(['organisation', 'author', 'topic']), value: z.string(), stance: z.enum(ruleStances) });
const keywordForm = z.object({ keyword: z.string() });
const removeRuleForm = z.object({ kind: z.enum(ruleKinds), value: z.string().min(1) });
const paperForm = z.object({ paper: z.string().min(1) });

function tokenOf(req: FastifyRequest): string {
  const t = (req.query as Record<string, unknown>).token;
  return typeof t === 'string' ? t : '';
}

export function registerLearnedProfileRoutes(app: FastifyInstance): void {
  const ctx = app.subscribers;
  const idFor = (req: FastifyRequest) => subscriberIdFromToken(ctx, 'preferences', tokenOf(req));
  const back = (req: FastifyRequest, reply: FastifyReply) => reply.redirect(`/preferences?token=${encodeURIComponent(tokenOf(req))}#learned`, 303);

  /** Runs a change; a ProfileError (bad entry) shows the learned part again with it. */
  const change = async (req: FastifyRequest, reply: FastifyReply, values: LearnedOptions['values'], run: (id: string) => Promise<unknown>) => {
    const id = idFor(req);
    try {
      await run(id);
    } catch (err) {
      if (!(err instanceof ProfileError)) throw err;
      const page = learnedPage({ profile: await loadProfile(ctx.db, id), token: tokenOf(req), errors: [err.message], values }, `/preferences?token=${encodeURIComponent(tokenOf(req))}`);
      return reply.code(400).type('text/html; charset=utf-8').send(page);
    }
    return back(req, reply);
  };

  const parse = <T>(schema: z.ZodType<T>, body: unknown): T => {
    const parsed = schema.safeParse(body ?? {});
    if (!parsed.success) throw new ProfileError(400, 'invalid_rule', `the form is incomplete: ${parsed.error.issues.map((i) => i.path.join('.') || 'body').join(', ')}`);
    return parsed.data;
  };

  app.post('/preferences/learned/rule', (req, reply) => {
    const body = req.body as Record<string, string> | undefined;
    return change(req, reply, { kind: body?.kind, value: body?.value }, async (id) => {
      const f = parse(ruleForm, body);
      await setRule(ctx.db, id, f.kind, f.value, f.stance, ctx.now());
    });
  });

  app.post('/preferences/learned/keyword', (req, reply) => {
    const body = req.body as Record<string, string> | undefined;
    return change(req, reply, { keyword: body?.keyword }, async (id) => {
      const f = parse(keywordForm, body);
      // "not: diffusion" typed whole is the same as "diffusion".
      await setRule(ctx.db, id, 'keyword', f.keyword.replace(/^\s*not:\s*/i, ''), 'mute', ctx.now());
    });
  });

  app.post('/preferences/learned/rule/remove', (req, reply) =>
    change(req, reply, {}, async (id) => {
      const f = parse(removeRuleForm, req.body);
      await removeRule(ctx.db, id, f.kind, f.value);
    }),
  );

  app.post('/preferences/learned/vote/remove', (req, reply) =>
    change(req, reply, {}, async (id) => undoVote(ctx.db, id, parse(paperForm, req.body).paper)),
  );

  app.post('/preferences/learned/click/remove', (req, reply) =>
    change(req, reply, {}, async (id) => forgetClick(ctx.db, id, parse(paperForm, req.body).paper)),
  );
}
