/**
 * The papers shown under the subscribe form: today's trending ones, or, when
 * nothing was stored within the window (a fresh clone with the seed papers, an
 * ingest that has stalled), the latest papers stored, ranked as of their day.
 */
import { isNull, max } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { papers } from '../db/schema.ts';
import { topPapers, type RankedPaper } from './queries.ts';

export interface PaperPreview {
  papers: RankedPaper[];
  /** Set when these are the latest stored papers rather than today's: the day they are from. */
  latestFrom: Date | null;
}

export async function previewPapers(db: Db, q: { now: Date; gravity: number; days: number; limit: number }): Promise<PaperPreview> {
  const current = await topPapers(db, q);
  if (current.length) return { papers: current, latestFrom: null };
  const [row] = await db.select({ latest: max(papers.dailyAt) }).from(papers).where(isNull(papers.withdrawnAt));
  const latest = row?.latest ? new Date(row.latest) : null;
  if (!latest || latest > q.now) return { papers: [], latestFrom: null };
  // Rank as of the end of the latest paper's day, over the same window length.
  const asOf = new Date(Math.floor(latest.getTime() / 86_400_000 + 1) * 86_400_000 - 1);
  return { papers: await topPapers(db, { ...q, now: asOf }), latestFrom: latest };
}
