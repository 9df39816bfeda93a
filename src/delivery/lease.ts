/**
 * The lease heartbeat of one send batch. A claim leases its deliveries for
 * SEND_LEASE_SECONDS; a batch can take longer than that (slow relay, low
 * SEND_CONCURRENCY, a big batch), and once a lease runs out the next planner
 * tick resumes the delivery and another runner claims it. So while the batch
 * works, its leases are renewed every third of the lease, and before each
 * email the batch asks `holds(id)`: it sends only deliveries whose lease is
 * still its own and not about to run out.
 *
 * Whose lease it is: every lease of a batch ends at the same instant (one
 * claim, one renewal statement), and a new claim by anyone else sets another
 * end. The renewal matches rows on the end it set last, so it extends the
 * batch's own leases only — even one that ran out unnoticed, if nobody claimed
 * it meanwhile — and Postgres' row lock orders a renewal and a competing claim:
 * whichever comes second sees the other's end and matches nothing.
 *
 * Writing outcomes goes through `settle`, which retries a failed write (the
 * database restarting, a dropped connection) for as long as the lease lasts:
 * an email the relay accepted must be marked sent, or its delivery would be
 * resumed and sent again once the lease ran out.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/rows.ts';
import type { Logger } from '../log.ts';

export interface BatchLease {
  /** May this batch still send `id`: its lease is the batch's own and lasts a while yet. */
  holds(id: string): boolean;
  /**
   * Writes these deliveries' outcomes with `write`, retried until it succeeds
   * or the lease ends (then its last error is thrown); they are renewed until
   * written, and no longer after.
   */
  settle<T>(ids: readonly string[], write: () => Promise<T>): Promise<T>;
  /** How many deliveries the batch found claimed by someone else. */
  readonly lost: number;
  /** Stops renewing (waits for a renewal in flight). */
  stop(): Promise<void>;
}

export interface LeaseOptions {
  leaseSeconds: number;
  now: () => Date;
  log: Logger;
  /** Renew this often (default: a third of the lease, so two renewals can fail before it runs out). */
  renewEveryMs?: number;
}

/**
 * A lease this close to its end no longer allows a new email: the handover to
 * the relay must finish well before another runner could claim the delivery.
 */
const SAFETY_FRACTION = 0.25;

/**
 * Starts renewing the leases a claim at `claimedAt` took on `ids`. If the
 * batch took a renewal period or more to get here (choosing and composing),
 * the first renewal happens at once, before any email.
 */
export async function holdLeases(db: Db, ids: readonly string[], claimedAt: Date, opts: LeaseOptions): Promise<BatchLease> {
  const leaseMs = opts.leaseSeconds * 1000;
  const held = new Set(ids);
  const lostIds = new Set<string>();
  // Being written by settle(): their outcome, not someone else's claim, may have ended their lease.
  const settling = new Set<string>();
  let until = new Date(claimedAt.getTime() + leaseMs);
  let renewing: Promise<void> | undefined;

  const renew = async () => {
    if (!held.size) return;
    const next = new Date(opts.now().getTime() + leaseMs);
    try {
      const rows = await queryRows<{ id: string }>(
        db,
        sql`UPDATE deliveries SET lease_until = ${next.toISOString()}::timestamptz
            WHERE id = ANY(${sql.param([...held])}::uuid[]) AND status = 'sending' AND lease_until = ${until.toISOString()}::timestamptz
            RETURNING id`,
        'lease_renew',
      );
      const renewed = new Set(rows.map((r) => r.id));
      const gone = [...held].filter((id) => !renewed.has(id) && !settling.has(id));
      for (const id of gone) {
        held.delete(id);
        lostIds.add(id);
      }
      if (gone.length) opts.log.warn({ lost: gone.length, deliveryIds: gone.slice(0, 10) }, 'send lease lost: another runner claimed these deliveries; this batch leaves them alone');
      // Every lease lost (or written): nothing lasts longer than before.
      if (renewed.size) until = next;
    } catch (err) {
      // Keep the old end: holds() turns false before it passes, so nothing is sent unleased.
      opts.log.warn({ err, leaseUntil: until.toISOString() }, 'send lease not renewed');
    }
  };

  const every = opts.renewEveryMs ?? Math.max(1000, leaseMs / 3);
  if (opts.now().getTime() - claimedAt.getTime() >= every) await renew();
  const timer = setInterval(() => {
    renewing ??= renew().finally(() => (renewing = undefined));
  }, every);
  timer.unref?.();

  return {
    holds(id) {
      return held.has(id) && opts.now().getTime() < until.getTime() - leaseMs * SAFETY_FRACTION;
    },
    async settle(done, write) {
      for (const id of done) settling.add(id);
      try {
        for (let attempt = 0; ; attempt++) {
          try {
            return await write();
          } catch (err) {
            const wait = Math.min(250 * 2 ** attempt, 2000);
            if (opts.now().getTime() + wait >= until.getTime()) throw err;
            opts.log.warn({ err, attempt: attempt + 1 }, 'delivery outcomes not written; trying again while the lease lasts');
            await sleep(wait);
          }
        }
      } finally {
        for (const id of done) {
          settling.delete(id);
          held.delete(id);
        }
      }
    },
    get lost() {
      return lostIds.size;
    },
    async stop() {
      clearInterval(timer);
      await renewing;
    },
  };
}
