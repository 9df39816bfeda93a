/**
 * Bounces and complaints. A hard bounce counts against the address; at
 * BOUNCE_LIMIT the subscriber is suppressed (status `bounced`). One complaint
 * suppresses at once (`complained`). Suppressed subscribers are never planned
 * again, because the planner only picks `active` ones. A soft bounce is only
 * recorded: the delivery's own retries deal with it.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/rows.ts';
import type { AuditVia, SubscriberStatus } from '../db/schema.ts';

export type BounceType = 'hard' | 'soft' | 'complaint';

export interface BounceResult {
  subscriberId: string;
  status: SubscriberStatus;
  suppressed: boolean;
}

/** Finds the subscriber by address (case-insensitive) or id; null if unknown. */
export async function recordBounce(
  db: Db,
  who: { email: string } | { subscriberId: string },
  type: BounceType,
  opts: { limit: number; via: AuditVia; detail?: Record<string, unknown> },
): Promise<BounceResult | null> {
  const match = 'email' in who ? sql`lower(email) = lower(${who.email})` : sql`id = ${who.subscriberId}`;
  const update =
    type === 'complaint'
      ? sql`status = CASE WHEN s.status IN ('active', 'paused', 'pending') THEN 'complained' ELSE s.status END`
      : type === 'hard'
        ? sql`hard_bounces = s.hard_bounces + 1,
              status = CASE WHEN s.hard_bounces + 1 >= ${opts.limit} AND s.status IN ('active', 'paused', 'pending')
                            THEN 'bounced' ELSE s.status END`
        : sql`status = s.status`;
  const rows = await queryRows<{ id: string; status: SubscriberStatus; before: SubscriberStatus }>(
    db,
    sql`WITH old AS (SELECT id, status FROM subscribers WHERE ${match} FOR UPDATE)
        UPDATE subscribers s SET ${update}, updated_at = now()
        FROM old WHERE s.id = old.id
        RETURNING s.id, s.status, old.status AS before`,
  );
  const row = rows[0];
  if (!row) return null;
  const suppressed = row.status !== row.before;
  await db.execute(sql`
    INSERT INTO audit_events (subscriber_id, action, via, detail)
    VALUES (${row.id}, ${suppressed ? `suppressed:${row.status}` : `bounce:${type}`}, ${opts.via},
            ${JSON.stringify({ type, ...opts.detail })}::jsonb)`);
  return { subscriberId: row.id, status: row.status, suppressed };
}
