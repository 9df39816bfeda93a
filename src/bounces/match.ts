/**
 * Which delivery a bounce report is about: by the VERP tag of the address it
 * was sent to, or by the Message-ID it quotes — both `digest.<delivery id>`.
 * Only these count: a delivery id is unguessable, so mail that merely names
 * a subscriber's address cannot suppress them.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/rows.ts';
import { messageIdLocalPart } from '../mail/envelope.ts';

const TAG = /^digest\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** `digest.<uuid>` (a VERP tag or a Message-ID's local part) → the delivery id. */
export function deliveryIdOf(tagOrMessageId: string | undefined): string | undefined {
  if (!tagOrMessageId) return undefined;
  return TAG.exec(messageIdLocalPart(tagOrMessageId))?.[1]?.toLowerCase();
}

export interface MatchedDelivery {
  deliveryId: string;
  subscriberId: string;
}

export async function matchDelivery(db: Db, clues: { verpTag?: string; messageId?: string }): Promise<MatchedDelivery | null> {
  const ids = [deliveryIdOf(clues.verpTag), deliveryIdOf(clues.messageId)].filter((id): id is string => Boolean(id));
  for (const id of new Set(ids)) {
    const rows = await queryRows<{ subscriber_id: string }>(db, sql`SELECT subscriber_id FROM deliveries WHERE id = ${id}`);
    if (rows[0]) return { deliveryId: id, subscriberId: rows[0].subscriber_id };
  }
  return null;
}
