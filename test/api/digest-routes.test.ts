import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscribers } from '../../src/db/schema.ts';
import { upsertPapers } from '../../src/papers/ingest.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { makePaper } from '../helpers/papers.ts';

const TOKEN = 'p'.repeat(32);
const admin = { authorization: `Bearer ${TOKEN}` };

describe('digest web routes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { ADMIN_TOKEN: TOKEN } }); // clock: 2025-12-16T09:00Z
    await upsertPapers(t.database.db, [
      makePaper({ id: '2512.10001', title: 'A vision transformer for image segmentation', dailyAt: new Date('2025-12-15T08:00:00Z'), upvotes: 80 }),
      makePaper({ id: '2512.10002', title: 'Large language model reasoning <b>bold</b> & more', dailyAt: new Date('2025-12-15T09:00:00Z'), upvotes: 40 }),
      makePaper({ id: '2512.10003', title: 'Robot grasping with a humanoid', dailyAt: new Date('2025-12-14T09:00:00Z'), upvotes: 10, authors: [] }),
      makePaper({ id: '2512.10004', title: 'Tomorrow paper about language models', dailyAt: new Date('2025-12-16T12:00:00Z'), upvotes: 999 }),
    ]);
    await t.database.db.insert(subscribers).values({ email: 'Reader@Example.org', status: 'active', topics: ['vision'], keywords: [], timezone: 'UTC', sendHour: 7 });
  });
  afterAll(() => t.close());

  it('serves the web edition for a day and a topic mix, without personal links', async () => {
    const all = await t.app.inject({ url: '/digests/2025-12-15' });
    expect(all.statusCode).toBe(200);
    expect(all.headers['content-type']).toMatch(/^text\/html/);
    expect(all.body).toContain('Monday, December 15, 2025');
    expect(all.body).toContain('https://huggingface.co/papers/2512.10001');
    expect(all.body).toContain('https://huggingface.co/papers/2512.10003');
    expect(all.body).toContain('Large language model reasoning &lt;b&gt;bold&lt;/b&gt; &amp; more');
    expect(all.body).not.toMatch(/unsubscribe|preferences\?token|pbslot/i);
    const vision = await t.app.inject({ url: '/digests/2025-12-15?topics=vision' });
    expect(vision.statusCode).toBe(200);
    expect(vision.body).toContain('2512.10001');
    expect(vision.body).not.toContain('2512.10002');
    expect(vision.body).toContain('in Computer vision');
  });

  it('answers 400 on a bad date or topic and 404 on a day without papers or in the future', async () => {
    for (const url of ['/digests/2025-13-01', '/digests/yesterday', '/digests/2025-02-30', '/digests/2025-12-15?topics=vision,nope']) {
      const res = await t.app.inject({ url });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error).toMatch(/validation_failed|bad_request/);
    }
    for (const url of ['/digests/0000-01-01', '/digests/0001-01-01', '/digests/1969-12-31', '/preview?date=0001-01-01', '/preview?topics=llm&date=0099-06-01']) {
      const res = await t.app.inject({ url });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().message, url).toMatch(/before 1970-01-01/);
    }
    expect((await t.app.inject({ url: '/digests/2019-01-01' })).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/digests/2025-12-20' })).statusCode).toBe(404);
  });

  it('serves JSON Feed 1.1 with the required fields, per topic too', async () => {
    const res = await t.app.inject({ url: '/feed.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/feed\+json/);
    const feed = res.json();
    expect(feed).toMatchObject({ version: 'https://jsonfeed.org/version/1.1', title: expect.any(String), home_page_url: 'http://paperboy.test/', feed_url: 'http://paperboy.test/feed.json' });
    expect(feed.author).toBeUndefined();
    expect(feed.authors[0].name).toBeTruthy();
    // Today's paper appeared after the clock: not yet in the feed.
    expect(feed.items.map((i: { id: string }) => i.id)).toEqual([
      'https://huggingface.co/papers/2512.10001',
      'https://huggingface.co/papers/2512.10002',
      'https://huggingface.co/papers/2512.10003',
    ]);
    for (const item of feed.items) {
      expect(typeof item.id).toBe('string');
      expect(item.content_html.length).toBeGreaterThan(0);
      expect(new Date(item.date_published).toISOString()).toBe(item.date_published);
      expect(item.url).toMatch(/^https:\/\/huggingface\.co\/papers\//);
    }
    const robotics = (await t.app.inject({ url: '/feed.json?topic=robotics' })).json();
    expect(robotics.items.map((i: { id: string }) => i.id)).toEqual(['https://huggingface.co/papers/2512.10003']);
    expect(robotics.feed_url).toBe('http://paperboy.test/feed.json?topic=robotics');
    expect((await t.app.inject({ url: '/feed.json?topic=nope' })).statusCode).toBe(400);
  });

  it('serves an Atom feed with escaped titles', async () => {
    const res = await t.app.inject({ url: '/feed.xml?topic=llm' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/atom\+xml/);
    expect(res.body).toContain('<feed xmlns="http://www.w3.org/2005/Atom">');
    expect(res.body).toContain('Large language model reasoning &lt;b&gt;bold&lt;/b&gt; &amp; more');
    expect(res.body).not.toContain('2512.10001');
  });

  it('previews the email of a stored subscriber or a topic mix, and the text part', async () => {
    const stored = await t.app.inject({ url: '/preview?email=reader@example.org&date=2025-12-16', headers: admin });
    expect(stored.statusCode).toBe(200);
    expect(stored.body).toContain('2512.10001');
    expect(stored.body).not.toContain('2512.10002');
    expect(stored.body).toContain('Reader@Example.org');
    expect(stored.body).toMatch(/href="http:\/\/paperboy\.test\/unsubscribe\?token=[\w.-]+"/);
    const mix = await t.app.inject({ url: '/preview?topics=llm&keywords=humanoid&date=2025-12-16&format=text' });
    expect(mix.statusCode).toBe(200);
    expect(mix.body).toMatch(/^Subject: Daily Papers · Dec 16 — /);
    expect(mix.body).toContain('Mentions your keyword “humanoid”');
    expect(mix.body).toContain('http://paperboy.test/preferences?token=');
    expect((await t.app.inject({ url: '/preview?email=nobody@example.org', headers: admin })).statusCode).toBe(404);
    const skip = await t.app.inject({ url: '/preview?topics=medical&date=2025-12-16' });
    expect(skip.statusCode).toBe(404);
    expect(skip.json()).toMatchObject({ error: 'no_digest' });
  });

  it("shows a subscriber's preview to an admin only, answering everyone else the same whether the address is stored", async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token-of-some-length' }, { 'x-forwarded-for': '127.0.0.1' }]) {
      const [known, unknown] = await Promise.all(
        ['reader@example.org', 'nobody@example.org'].map((email) => t.app.inject({ url: `/preview?email=${email}&date=2025-12-16`, headers })),
      );
      // No session: the login form (303); a wrong token: 401. Never the email, never a difference.
      expect([303, 401], JSON.stringify(headers)).toContain(known!.statusCode);
      expect(known!.body).not.toContain('token=');
      expect({ status: unknown!.statusCode, body: unknown!.body, location: unknown!.headers.location }).toEqual({
        status: known!.statusCode,
        body: known!.body,
        location: known!.headers.location,
      });
    }
  });

  it('turns topic previews off in production; an admin still previews a subscriber', async () => {
    const prod = await createTestApp({ env: { NODE_ENV: 'production', ADMIN_TOKEN: TOKEN } });
    try {
      expect((await prod.app.inject({ url: '/preview?topics=llm' })).statusCode).toBe(404);
      expect((await prod.app.inject({ url: '/preview?email=nobody@example.org' })).headers.location).toBe('/admin/login');
      expect((await prod.app.inject({ url: '/preview?email=nobody@example.org', headers: admin })).statusCode).toBe(404);
    } finally {
      await prod.close();
    }
  });
});
