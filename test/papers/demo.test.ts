/**
 * The demo as a newcomer sees it: the seeds loaded the way `paperboy start`
 * loads them, then the home page, the email preview, the web edition and the
 * feed read with nothing invented (no "Author 1", no "▲ 0"), say they are demo
 * papers, and link to a title search rather than to whichever real paper has
 * the made-up id. `paperboy ingest --file seeds/papers.json` puts the
 * captured dates back; the next start moves them forward again.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/rows.ts';
import { upsertPapers } from '../../src/papers/ingest.ts';
import { runIngest } from '../../src/papers/ingest-run.ts';
import { DEMO_NOTE, DEMO_SEEDS, redateStaleDemo, redateToYesterday } from '../../src/papers/demo.ts';
import { fileSource } from '../../src/papers/sources/file-source.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { makePaper } from '../helpers/papers.ts';

const NOW = new Date('2026-12-01T09:00:00Z');
const TODAY = '2026-12-01';
let t: TestApp;
let demoIds: string[];

beforeAll(async () => {
  t = await createTestApp();
  t.clock.now = NOW;
  const { papers } = await fileSource(DEMO_SEEDS).fetch();
  demoIds = papers.map((p) => p.id);
  await upsertPapers(t.database.db, redateToYesterday(papers, NOW));
});
afterAll(() => t.close());

const get = (url: string) => t.app.inject({ url });
const escaped = (s: string) => s.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');

function expectNothingInvented(body: string, where: string) {
  expect(body, where).not.toMatch(/Author \d+/);
  expect(body, where).not.toMatch(/▲(\s|&nbsp;)*0\b/);
  expect(body, where).not.toMatch(/\d(\s|&nbsp;)comments?\b/); // the seeds' comment counts are made up
  // No link to a real paper page by a made-up id.
  for (const id of demoIds) expect(body, `${where}: ${id}`).not.toContain(`huggingface.co/papers/${id}`);
}

describe('the demo', () => {
  it('the home page says they are demo papers, with counts and authors as the data has them', async () => {
    const res = await get('/');
    expect(res.body).toContain(escaped(DEMO_NOTE));
    expect(res.body).toContain('https://arxiv.org/search/?query=');
    expectNothingInvented(res.body, '/');
  });

  it('the demo email says so too, reads "25 authors" rather than invented names, and has no "▲ 0"', async () => {
    const html = await get('/preview?topics=llm,vision,audio,agents,reasoning');
    expect(html.statusCode).toBe(200);
    expect(html.body).toContain(escaped(DEMO_NOTE));
    expect(html.body).toContain('>arXiv search</a>');
    expectNothingInvented(html.body, '/preview');
    const text = await get('/preview?topics=llm,vision,audio,agents,reasoning&format=text');
    expect(text.body).toContain(DEMO_NOTE);
    expectNothingInvented(text.body, '/preview text');
    const feed = await get('/feed.xml');
    expectNothingInvented(feed.body, '/feed.xml');
    // 2025-11-18's paper (now 2026-11-03) has 25 placeholder authors in the seeds: the count is what shows.
    const web = await get('/digests/2026-11-03');
    expect(web.statusCode).toBe(200);
    expect(web.body).toContain('25 authors');
    expectNothingInvented(web.body, '/digests/2026-11-03');
  });

  it('the README’s example addresses work on the default demo', async () => {
    expect((await get(`/digests/${TODAY}?topics=vision,llm`)).statusCode).toBe(200);
    expect((await get(`/digests/${TODAY}`)).statusCode).toBe(200);
    expect((await get('/preview?topics=llm&keywords=agents')).statusCode).toBe(200);
  });

  it('survives `ingest --file seeds/papers.json`: the next start moves the papers forward again', async () => {
    await runIngest({ db: t.database.db, source: fileSource(DEMO_SEEDS), days: [undefined] });
    const newest = async () => (await queryRows<{ d: string }>(t.database.db, sql`SELECT max(daily_date)::text AS d FROM papers`))[0]!.d;
    expect(await newest()).toBe('2025-12-15'); // the captured dates are back: no digest could go out
    expect((await get('/preview?topics=llm')).statusCode).toBe(404);

    expect(await redateStaleDemo(t.database.db, NOW)).toBe(demoIds.length);
    expect(await newest()).toBe('2026-11-30');
    expect((await get('/preview?topics=llm')).statusCode).toBe(200);
    expect(await redateStaleDemo(t.database.db, NOW)).toBe(0); // already current: nothing moves

    // Real papers are never moved.
    await upsertPapers(t.database.db, [makePaper({ id: '2611.99999', title: 'A real paper', dailyAt: new Date('2026-11-01T00:00:00Z') })]);
    expect(await redateStaleDemo(t.database.db, new Date('2027-01-10T00:00:00Z'))).toBe(0);
  });
});
