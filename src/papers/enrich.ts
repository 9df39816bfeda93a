/**
 * Enrichment from each paper's own page. The Daily Papers listing often lacks
 * code links and never says what the paper links to on the Hub, so for papers
 * in the digest window paperboy asks
 *   GET {base}/api/papers/{id}        code link and stars, project page, ai_summary, withdrawal
 *   GET {base}/api/arxiv/{id}/repos   the models, datasets and Spaces citing it
 * once when a paper first appears and again at most daily while it stays in
 * the window. Answers are cached in the papers row (enriched_at says when);
 * requests go through the listing's client, so they share its concurrency and
 * rate budget. A failure leaves the row (and so the card) as it was, and the
 * paper is tried again on the next run.
 */
import { and, asc, gt, isNull, lt, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.ts';
import { papers } from '../db/schema.ts';
import { silentLogger, type Logger } from '../log.ts';
import { readOptionalFields } from './entry-fields.ts';
import type { HfClient } from './sources/hf-client.ts';

const DAY_MS = 86_400_000;
/** Papers asked about per run: two requests each, well inside one 5-minute window (500 requests anonymously). */
export const ENRICH_PER_RUN = 100;

export interface EnrichCounts {
  enriched: number;
  failed: number;
  /** In the window and enriched less than a day before this run: not asked this time. */
  fresh: number;
}

export interface EnrichOptions {
  now: Date;
  /** Papers that appeared on Daily Papers within this many days. */
  windowDays: number;
  log?: Logger;
  limit?: number;
}

const linkedRepos = z.object({
  models: z.array(z.unknown()).optional(),
  datasets: z.array(z.unknown()).optional(),
  spaces: z.array(z.unknown()).optional(),
});

async function enrichOne(db: Db, client: HfClient, id: string, now: Date, log: Logger): Promise<void> {
  const path = encodeURIComponent(id);
  const [page, repos] = await Promise.all([
    client.getJson(`/api/papers/${path}`, undefined, { allowNotFound: true }),
    client.getJson(`/api/arxiv/${path}/repos`, undefined, { allowNotFound: true }),
  ]);
  const { fields, dropped } = readOptionalFields({ paper: page ?? {} });
  for (const d of dropped) log.warn({ id, field: d.field, reason: d.reason }, 'dropped malformed field of a paper page');
  const linked = linkedRepos.safeParse(repos ?? {});
  const counts = linked.success ? linked.data : {};
  const v = fields.values;
  await db
    .update(papers)
    .set({
      // What the page does not say stays as the listing left it.
      githubRepo: sql`coalesce(${v.githubRepo}, ${papers.githubRepo})`,
      githubStars: sql`coalesce(${v.githubStars}::int, ${papers.githubStars})`,
      projectPage: sql`coalesce(${v.projectPage}, ${papers.projectPage})`,
      aiSummary: sql`coalesce(${v.aiSummary}, ${papers.aiSummary})`,
      withdrawnAt: sql`coalesce(${papers.withdrawnAt}, ${v.withdrawnAt?.toISOString() ?? null}::timestamptz)`,
      ...(repos !== null && linked.success
        ? { models: counts.models?.length ?? 0, datasets: counts.datasets?.length ?? 0, spaces: counts.spaces?.length ?? 0 }
        : {}),
      enrichedAt: now,
    })
    .where(sql`${papers.id} = ${id}`);
}

/** Enriches the window's papers not enriched in the last day, at most `limit` per run. */
export async function enrichWindow(db: Db, client: HfClient, opts: EnrichOptions): Promise<EnrichCounts> {
  const log = opts.log ?? silentLogger;
  const since = new Date(opts.now.getTime() - opts.windowDays * DAY_MS);
  const inWindow = and(gt(papers.dailyAt, since), isNull(papers.withdrawnAt));
  const due = await db
    .select({ id: papers.id })
    .from(papers)
    .where(and(inWindow, or(isNull(papers.enrichedAt), lt(papers.enrichedAt, new Date(opts.now.getTime() - DAY_MS)))))
    // Never-enriched papers first, then the longest unrefreshed.
    .orderBy(sql`${papers.enrichedAt} ASC NULLS FIRST`, asc(papers.id))
    .limit(opts.limit ?? ENRICH_PER_RUN);
  const [{ n } = { n: 0 }] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(papers)
    .where(and(inWindow, gt(papers.enrichedAt, new Date(opts.now.getTime() - DAY_MS))));
  const results = await Promise.allSettled(due.map(({ id }) => enrichOne(db, client, id, opts.now, log)));
  let failed = 0;
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') return;
    failed++;
    log.warn({ id: due[i]!.id, err: (r.reason as Error).message }, 'could not enrich paper; its card stays as it was');
  });
  return { enriched: due.length - failed, failed, fresh: Number(n) };
}
