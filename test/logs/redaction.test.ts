/**
 * Link tokens and admin credentials are passwords: the request log, read by
 * more people and kept longer than the database, must never hold them. This
 * runs the real server process at the info level (JSON lines, as in a
 * container), sends the kinds of requests that carry secrets, and reads what
 * it wrote.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPaperboy } from '../helpers/cli.ts';
import { freePort } from '../helpers/ports.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';

const ADMIN_TOKEN = 'admin-token-that-must-never-be-logged-0123';
const LINK_TOKEN = 'link.token.that.must.never.be.logged';

let database: TestDatabase & { drop(): Promise<void> };
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

it('writes request lines with every token, Authorization and cookie replaced', { timeout: 60_000 }, async () => {
  const port = await freePort();
  const { child, exited, output } = await startPaperboy(['serve'], { DATABASE_URL: database.url, SECRET: 's'.repeat(40), ADMIN_TOKEN, PORT: String(port), LOG_LEVEL: 'info' });
  try {
    const base = `http://127.0.0.1:${port}`;
    await fetch(`${base}/preferences?token=${LINK_TOKEN}&tab=topics`);
    await fetch(`${base}/api/preferences?TOKEN=${encodeURIComponent(LINK_TOKEN)}`);
    await fetch(`${base}/unsubscribe?x=1&token=${LINK_TOKEN}`, { method: 'POST' });
    await fetch(`${base}/api/admin/stats`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    await fetch(`${base}/admin`, { headers: { cookie: `paperboy_admin=${ADMIN_TOKEN}` } });
    await expect.poll(() => output().split('\n').filter((l) => l.includes('"url":"/admin"')).length, { timeout: 10_000 }).toBeGreaterThan(0);
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
  const out = output();

  const lines = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { req?: { url?: string } });
  const urls = lines.map((l) => l.req?.url).filter((u): u is string => typeof u === 'string');
  // The requests were logged, with the URL's shape kept for debugging…
  expect(urls).toContain('/preferences?token=[redacted]&tab=topics');
  expect(urls).toContain('/api/preferences?TOKEN=[redacted]');
  expect(urls).toContain('/unsubscribe?x=1&token=[redacted]');
  expect(urls).toContain('/api/admin/stats');
  // …and no secret appears anywhere in the output, in any form.
  expect(out).not.toContain(LINK_TOKEN);
  expect(out).not.toContain(encodeURIComponent(LINK_TOKEN));
  expect(out).not.toContain(ADMIN_TOKEN);
});
