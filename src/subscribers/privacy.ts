/**
 * The subscriber's data rights: export everything stored about them, and erase
 * it. Erasing deletes the row; deliveries and audit events go with it through
 * their ON DELETE CASCADE foreign keys, so nothing is left that names them.
 */
import { and, asc, eq, getTableColumns, sql } from 'drizzle-orm';
import { auditEvents, deliveries, papers, profileClicks, profileRules, profileVotes, sentPapers, subscribers } from '../db/schema.ts';
import type { SubscriberDeps } from './deps.ts';
import { goneLink } from './errors.ts';
import { findSubscriber, type Subscriber } from './lifecycle.ts';

export interface SubscriberExport {
  subscriber: Subscriber;
  /** Each with the papers chosen or sent (the ledger's, for a sent one it still holds). */
  deliveries: (Omit<typeof deliveries.$inferSelect, 'chosenPapers'> & { paperIds: string[] })[];
  auditEvents: (typeof auditEvents.$inferSelect)[];
  /** Votes and clicks name their paper by id; its title is added so the export reads on its own. */
  profile: {
    votes: (typeof profileVotes.$inferSelect & { title: string | null })[];
    rules: (typeof profileRules.$inferSelect)[];
    clicks: (typeof profileClicks.$inferSelect & { title: string | null })[];
  };
}

const { chosenPapers: _chosen, ...deliveryColumns } = getTableColumns(deliveries);

export async function exportSubscriber(deps: Pick<SubscriberDeps, 'db'>, id: string): Promise<SubscriberExport> {
  const subscriber = await findSubscriber(deps, id);
  const [sent, events, votes, rules, clicks] = await Promise.all([
    // A sent delivery's papers are in the no-repeat ledger (its row lets go of them), while the ledger keeps them.
    deps.db
      .select({ ...deliveryColumns, paperIds: sql<string[]>`coalesce(string_to_array(${deliveries.chosenPapers}, ' '), ${sentPapers.paperIds}, '{}')` })
      .from(deliveries)
      .leftJoin(sentPapers, and(eq(sentPapers.subscriberId, deliveries.subscriberId), eq(sentPapers.period, deliveries.period)))
      .where(eq(deliveries.subscriberId, id))
      .orderBy(asc(deliveries.createdAt)),
    deps.db.select().from(auditEvents).where(eq(auditEvents.subscriberId, id)).orderBy(asc(auditEvents.at), asc(auditEvents.id)),
    // Votes and clicks name their paper by id: the export adds its title.
    deps.db
      .select({ ...getTableColumns(profileVotes), title: papers.title })
      .from(profileVotes)
      .leftJoin(papers, eq(papers.id, profileVotes.paperId))
      .where(eq(profileVotes.subscriberId, id))
      .orderBy(asc(profileVotes.at), asc(profileVotes.paperId)),
    deps.db.select().from(profileRules).where(eq(profileRules.subscriberId, id)).orderBy(asc(profileRules.at), asc(profileRules.key)),
    deps.db
      .select({ ...getTableColumns(profileClicks), title: papers.title })
      .from(profileClicks)
      .leftJoin(papers, eq(papers.id, profileClicks.paperId))
      .where(eq(profileClicks.subscriberId, id))
      .orderBy(asc(profileClicks.at), asc(profileClicks.paperId)),
  ]);
  return { subscriber, deliveries: sent, auditEvents: events, profile: { votes, rules, clicks } };
}

export async function eraseSubscriber(deps: Pick<SubscriberDeps, 'db'>, id: string): Promise<void> {
  const gone = await deps.db.delete(subscribers).where(eq(subscribers.id, id)).returning({ id: subscribers.id });
  if (!gone.length) throw goneLink();
}
