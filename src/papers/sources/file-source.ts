/** Reads a JSON array of Daily Papers API entries from disk (seeds, backfills). */
import { readFile } from 'node:fs/promises';
import { parseEntries } from '../paper.ts';
import type { PaperSource, SourceBatch } from './source.ts';

export class FileSourceError extends Error {
  override name = 'FileSourceError';
}

export function fileSource(file: string): PaperSource {
  return {
    name: `file:${file}`,
    async fetch(day?: string): Promise<SourceBatch> {
      let raw: unknown;
      try {
        raw = JSON.parse(await readFile(file, 'utf8'));
      } catch (err) {
        throw new FileSourceError(`${file}: ${(err as Error).message}`);
      }
      if (!Array.isArray(raw)) throw new FileSourceError(`${file}: expected a JSON array of entries`);
      return { fetched: raw.length, ...parseEntries(raw, day ?? null) };
    },
  };
}
