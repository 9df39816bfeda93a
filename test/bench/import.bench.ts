/**
 * CSV import and export of 50,000 subscribers on a real Postgres: a first
 * import (every row new, --confirmed so no mail), the same file again (every
 * row unchanged), and an export of them all.
 *
 *   npm run bench -- import
 */
import { importSubscribers } from '../../src/admin/csv-import.ts';
import { exportSubscribersCsv } from '../../src/admin/csv-export.ts';
import { createBenchDatabase, fmt, machineLine } from './bench-db.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 50_000);
const noMail = { enqueue() {}, async drain() {} };

const lines = ['email,topics,frequency,timezone,send_hour'];
for (let i = 0; i < ROWS; i++) lines.push(`bench${i}@example.org,${i % 3 ? 'llm;agents' : ''},${i % 7 ? 'daily' : 'weekly'},${i % 2 ? 'Europe/Berlin' : 'UTC'},${i % 24}`);
const csv = `${lines.join('\n')}\n`;

const database = await createBenchDatabase();
try {
  const deps = { db: database.db, now: () => new Date(), confirmations: noMail };
  const time = async <T>(fn: () => Promise<T>) => {
    const t = performance.now();
    const value = await fn();
    return { value, ms: performance.now() - t };
  };
  const first = await time(() => importSubscribers(deps, csv, { confirmed: true }));
  const again = await time(() => importSubscribers(deps, csv, { confirmed: true }));
  const exported = await time(async () => {
    let bytes = 0;
    for await (const chunk of exportSubscribersCsv(database.db)) bytes += chunk.length;
    return bytes;
  });
  console.log(machineLine());
  console.log(`import ${fmt(ROWS)} new rows:       ${fmt(first.ms)} ms (${fmt((ROWS / first.ms) * 1000)} rows/s) → ${JSON.stringify({ ...first.value, errors: undefined })}`);
  console.log(`import same file again:      ${fmt(again.ms)} ms (${fmt((ROWS / again.ms) * 1000)} rows/s) → ${JSON.stringify({ ...again.value, errors: undefined })}`);
  console.log(`export ${fmt(ROWS)} rows:            ${fmt(exported.ms)} ms (${fmt((ROWS / exported.ms) * 1000)} rows/s, ${fmt(exported.value / 1024)} KiB)`);
} finally {
  await database.drop();
}
