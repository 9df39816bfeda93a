import type { ParsedEntries } from '../paper.ts';

/** Where papers come from. `day` is YYYY-MM-DD (UTC), the Daily Papers date. */
export interface PaperSource {
  readonly name: string;
  fetch(day?: string): Promise<SourceBatch>;
}

export interface SourceBatch extends ParsedEntries {
  /** Entries received, valid or not. */
  fetched: number;
}
