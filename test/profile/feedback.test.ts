/**
 * Feedback links against the real app and Postgres: a scanner opening every
 * link changes nothing; the POST the page sends records, its Undo removes;
 * follows; bad tokens and unknown papers are refused with a page naming why.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/rows.ts';
import { upsertPapers } from '../../src/papers/ingest.ts';
import { clickUrl } from '../../src/profile/click.ts';
import { feedbackUrls } from '../../src/profile/links.ts';
import { createTestApp, TEST_SECRET, type TestApp } from '../helpers/app.ts';
import { makePaper } from '../helpers/papers.ts';
import { activeSubscriber } from '../helpers/subscribers.ts';

const secrets = { current: TEST_SECRET };
let t: TestApp;
let base: string;

beforeAll(async () => {
  t = await createTestApp({ env: { CLICK_TRACKING: 'on' } });
  await upsertPapers(t.database.db, [
    makePaper({ id: '2512.20001', title: 'FlashDecoding++: Faster Inference', organizationName: 'NVIDIA', aiKeywords: ['speculative decoding'] }),
    makePaper({ id: '2512.20002', title: 'Robots that read manuals', authors: ['Tri Dao'] }),
  ]);
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const addr = t.app.server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterAll(() => t?.close());

const linksFor = (subscriberId: string, paper: { id: string; organisation: string | null; authors: string[] }) =>
  feedbackUrls({ publicUrl: t.config.publicUrl, secrets, subscriberId, paper });
const local = (url: string) => url.replace(t.config.publicUrl, base);
const tokenOf = (url: string) => new URL(url).searchParams.get('token')!;
const profileRows = async (id: string) => ({
  votes: await queryRows<{ paper_id: string; vote: string }>(t.database.db, sql`SELECT paper_id, vote FROM profile_votes WHERE subscriber_id = ${id} ORDER BY paper_id`),
  rules: await queryRows<{ kind: string; value: string; stance: string }>(t.database.db, sql`SELECT kind, value, stance FROM profile_rules WHERE subscriber_id = ${id} ORDER BY kind, key`),
  clicks: await queryRows<{ paper_id: string; clicks: number }>(t.database.db, sql`SELECT paper_id, clicks FROM profile_clicks WHERE subscriber_id = ${id}`),
});
const post = (url: string, payload: Record<string, string>) => t.app.inject({ method: 'POST', url, payload: new URLSearchParams(payload).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

describe('feedback links', () => {
  it('a link scanner opening every link of a digest changes nothing', async () => {
    const s = await activeSubscriber(t);
    const urls = [
      ...Object.values(linksFor(s.id, { id: '2512.20001', organisation: 'NVIDIA', authors: [] })).flatMap((v) => (typeof v === 'string' ? [v] : v ? [v.url] : [])),
      ...Object.values(linksFor(s.id, { id: '2512.20002', organisation: null, authors: ['Tri Dao'] })).flatMap((v) => (typeof v === 'string' ? [v] : v ? [v.url] : [])),
      clickUrl({ config: t.config, secrets, subscriberId: s.id, paperId: '2512.20001' }),
    ];
    expect(urls).toHaveLength(7);
    for (const url of urls) {
      // What Safe Links and friends do: GET (following redirects, except off-machine) and HEAD.
      const got = await fetch(local(url), { redirect: "manual" });
      expect(got.status).toBe(200);
      expect(await got.text()).toContain('<form method="post"');
      expect((await fetch(local(url), { method: 'HEAD' })).status).toBe(200);
    }
    expect(await profileRows(s.id)).toEqual({ votes: [], rules: [], clicks: [] });
  });

  it('the page POST records More like this, says what changed, and Undo removes it', async () => {
    const s = await activeSubscriber(t);
    const { more, less } = linksFor(s.id, { id: '2512.20001', organisation: 'NVIDIA', authors: [] });
    const page = await t.app.inject({ url: more.replace(t.config.publicUrl, '') });
    expect(page.body).toContain('Show more papers like <strong>‘FlashDecoding++: Faster Inference’</strong>');
    const done = await post('/feedback', { token: tokenOf(more) });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Noted: more papers like ‘FlashDecoding++: Faster Inference’.');
    expect(done.body).toContain('action="/feedback/undo"');
    // Twice is still one vote.
    await post('/feedback', { token: tokenOf(more) });
    expect((await profileRows(s.id)).votes).toEqual([{ paper_id: '2512.20001', vote: 'more' }]);
    // Less replaces More; undoing the earlier More then leaves the Less alone.
    await post('/feedback', { token: tokenOf(less) });
    await post('/feedback/undo', { token: tokenOf(more) });
    expect((await profileRows(s.id)).votes).toEqual([{ paper_id: '2512.20001', vote: 'less' }]);
    const undone = await post('/feedback/undo', { token: tokenOf(less) });
    expect(undone.body).toContain('Undone: ‘FlashDecoding++: Faster Inference’ no longer counts as Less like this.');
    expect((await profileRows(s.id)).votes).toEqual([]);
  });

  it('Follow follows the organisation, or the first author when there is none; Undo unfollows', async () => {
    const s = await activeSubscriber(t);
    const org = linksFor(s.id, { id: '2512.20001', organisation: 'NVIDIA', authors: [] }).follow!;
    const author = linksFor(s.id, { id: '2512.20002', organisation: null, authors: ['Tri Dao'] }).follow!;
    expect((await post('/feedback', { token: tokenOf(org.url) })).body).toContain('Noted: you follow NVIDIA.');
    await post('/feedback', { token: tokenOf(author.url) });
    expect((await profileRows(s.id)).rules).toEqual([
      { kind: 'author', value: 'Tri Dao', stance: 'follow' },
      { kind: 'organisation', value: 'NVIDIA', stance: 'follow' },
    ]);
    expect((await post('/feedback/undo', { token: tokenOf(org.url) })).body).toContain('Undone: you no longer follow NVIDIA.');
    expect((await profileRows(s.id)).rules).toEqual([{ kind: 'author', value: 'Tri Dao', stance: 'follow' }]);
  });

  it('a click counts only through the POST the redirect page sends, and only with CLICK_TRACKING=on', async () => {
    const s = await activeSubscriber(t);
    const url = clickUrl({ config: t.config, secrets, subscriberId: s.id, paperId: '2512.20001' });
    const page = await t.app.inject({ url: url.replace(t.config.publicUrl, '') });
    expect(page.body).toContain('href="https://huggingface.co/papers/2512.20001"');
    expect((await post('/r', { token: tokenOf(url) })).statusCode).toBe(204);
    await post('/r', { token: tokenOf(url) });
    expect((await profileRows(s.id)).clicks).toEqual([{ paper_id: '2512.20001', clicks: 2 }]);
    // Off: the paper link is the paper itself.
    expect(clickUrl({ config: { ...t.config, CLICK_TRACKING: 'off' }, secrets, subscriberId: s.id, paperId: '2512.20001' })).toBe('https://huggingface.co/papers/2512.20001');
  });

  it('refuses a tampered link, a feedback token used as a click and an unknown paper, with a page saying why', async () => {
    const s = await activeSubscriber(t);
    const { more } = linksFor(s.id, { id: '2512.20001', organisation: null, authors: [] });
    const tampered = await post('/feedback', { token: `${tokenOf(more).slice(0, -3)}AAA` });
    expect(tampered.statusCode).toBe(401);
    expect(tampered.headers['content-type']).toContain('text/html');
    expect(tampered.body).toContain('This link is not valid');
    expect((await post('/r', { token: tokenOf(more) })).statusCode).toBe(401);
    const gone = linksFor(s.id, { id: '2512.99999', organisation: null, authors: [] }).more;
    const missing = await post('/feedback', { token: tokenOf(gone) });
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('No paper 2512.99999 is stored');
    expect(await profileRows(s.id)).toEqual({ votes: [], rules: [], clicks: [] });
  });
});
