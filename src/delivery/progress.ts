/** Where a set of deliveries stands: the figures `paperboy send --wait` prints. */
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/rows.ts';
import type { DeliveryStatus } from '../db/schema.ts';

export type StatusCounts = Record<DeliveryStatus, number>;

export async function countByStatus(db: Db, ids: string[]): Promise<StatusCounts> {
  const counts: StatusCounts = { queued: 0, sending: 0, sent: 0, failed: 0, skipped: 0 };
  if (!ids.length) return counts;
  const rows = await queryRows<{ status: DeliveryStatus; n: number }>(
    db,
    sql`SELECT status, count(*)::int AS n FROM deliveries WHERE id = ANY(${sql.param(ids)}::uuid[]) GROUP BY status`,
    'status_counts',
  );
  for (const r of rows) counts[r.status] = Number(r.n);
  return counts;
}
