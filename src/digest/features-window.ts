/**
 * One candidate window per send run: every paper that appeared on Daily Papers
 * in the window before an as-of moment, ranked, with its features (words
 * parsed by Postgres once). Subscribers with the same frequency and send
 * moment share a window, so a run reads a few windows (one per time zone and
 * send hour in use), never one per preference mix or per subscriber.
 */
import type { Db } from '../db/client.ts';
import { paperFeatures } from '../profile/features.ts';
import { queryWindow, type WindowRow } from './candidates.ts';
import type { PaperFeatures } from './features.ts';

/** What a card needs from a paper (the features carry what selection needs). */
export type PaperRow = Omit<WindowRow, 'lexemes' | 'aiKeywords'>;

export interface CandidateWindow {
  /** Trending order as of the window's moment. */
  papers: readonly PaperFeatures[];
  row(id: string): PaperRow | undefined;
  features(id: string): PaperFeatures | undefined;
}

export interface WindowKey {
  asOf: Date;
  windowDays: number;
  gravity: number;
}

// The same features a voted paper's are made of (profile/features.ts), plus the words as Postgres parsed them.
const toFeatures = (r: WindowRow): PaperFeatures => paperFeatures({ ...r, lexemes: new Map(Object.entries(r.lexemes)) });

export async function loadWindow(db: Db, key: WindowKey): Promise<CandidateWindow> {
  const rows = await queryWindow(db, key);
  const byId = new Map(
    rows.map((r) => {
      const { lexemes: _lexemes, aiKeywords: _aiKeywords, ...row } = r;
      return [r.id, { row: row as PaperRow, features: toFeatures(r) }];
    }),
  );
  return {
    papers: [...byId.values()].map((p) => p.features),
    row: (id) => byId.get(id)?.row,
    features: (id) => byId.get(id)?.features,
  };
}

/** The windows of one send run, loaded once each; a handful at most, so unbounded. */
export class WindowCache {
  private readonly windows = new Map<string, Promise<CandidateWindow>>();

  get(db: Db, key: WindowKey): Promise<CandidateWindow> {
    const k = `${key.asOf.getTime()}|${key.windowDays}|${key.gravity}`;
    let w = this.windows.get(k);
    if (!w) {
      w = loadWindow(db, key);
      this.windows.set(k, w);
      // A failed read must not stay cached.
      w.catch(() => this.windows.delete(k));
    }
    return w;
  }
}
