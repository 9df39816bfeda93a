/**
 * What an ESP's webhook reports, reduced to what paperboy acts on, and the
 * one way it is applied: by recipient address (the request is authenticated
 * as the ESP's), through the same rules as every other bounce source.
 */
import type { Db } from '../../db/client.ts';
import { recordBounce, type BounceType } from '../../delivery/bounces.ts';
import type { Logger } from '../../log.ts';
import type { BounceMetrics, BounceSource } from '../handle.ts';

export interface EspEvent {
  email: string;
  type: BounceType;
  reason?: string;
}

export interface EspDeps {
  db: Db;
  limit: number;
  log: Pick<Logger, 'info'>;
  metrics?: BounceMetrics;
}

export async function applyEspEvents(deps: EspDeps, source: Exclude<BounceSource, 'smtp'>, events: EspEvent[], ignored = 0): Promise<void> {
  for (let i = 0; i < ignored; i++) deps.metrics?.report(source, 'other');
  for (const e of events) {
    const result = await recordBounce(deps.db, { email: e.email }, e.type, {
      limit: deps.limit,
      via: 'bounce',
      detail: { source, ...(e.reason ? { reason: e.reason.slice(0, 300) } : {}) },
    });
    deps.metrics?.report(source, result ? e.type : 'unmatched');
    deps.log.info({ source, type: e.type, known: Boolean(result), suppressed: result?.suppressed ?? false }, 'bounce report');
  }
}
