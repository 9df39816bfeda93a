/** `paperboy bounces` as an operator runs it: a process receiving DSNs by SMTP into the real database. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { eq } from 'drizzle-orm';
import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveries, subscribers } from '../../src/db/schema.ts';
import { runPaperboy } from '../helpers/cli.ts';
import { freePort } from '../helpers/ports.ts';
import { createTestDatabase } from '../helpers/postgres.ts';
import { spawnWorker } from '../helpers/worker-process.ts';
import { dsn } from './reports.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

async function sendWhenListening(port: number, to: string, raw: string) {
  for (let i = 0; ; i++) {
    const t = createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    try {
      return await t.sendMail({ envelope: { from: '', to }, raw });
    } catch (err) {
      if ((err as { code?: string }).code !== 'ESOCKET' || i > 100) throw err;
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      t.close();
    }
  }
}

describe('paperboy bounces', () => {
  it('refuses to start without BOUNCE_ADDRESS', async () => {
    const r = await runPaperboy(['bounces', '--port', '0'], { DATABASE_URL: database.url });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('BOUNCE_ADDRESS is not set');
  });

  it('receives a DSN by SMTP and suppresses the subscriber, then stops on SIGTERM', async () => {
    const [sub] = await database.db.insert(subscribers).values({ email: 'gone@receiver.example', status: 'active' }).returning();
    const [d] = await database.db.insert(deliveries).values({ subscriberId: sub!.id, period: '2025-12-16', status: 'sent', scheduledFor: new Date() }).returning();
    const port = await freePort();
    const child = spawn(process.execPath, ['src/bin.js', 'bounces', '--port', String(port)], {
      env: { ...process.env, DATABASE_URL: database.url, SECRET: 's'.repeat(40), BOUNCE_ADDRESS: 'bounces@mx.example.org', METRICS_PORT: '0', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    try {
      const sent = await sendWhenListening(port, `bounces+digest.${d!.id}@mx.example.org`, dsn({ recipient: 'gone@receiver.example', action: 'failed', status: '5.1.1' }));
      expect(sent.response).toMatch(/^250/);
      const [after] = await database.db.select().from(subscribers).where(eq(subscribers.id, sub!.id));
      expect(after).toMatchObject({ status: 'bounced', hardBounces: 1 });
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });

  it('also runs inside paperboy worker when BOUNCE_SMTP_PORT is set', async () => {
    const [sub] = await database.db.insert(subscribers).values({ email: 'worker-gone@receiver.example', status: 'active' }).returning();
    const [d] = await database.db.insert(deliveries).values({ subscriberId: sub!.id, period: '2025-12-16', status: 'sent', scheduledFor: new Date() }).returning();
    const port = await freePort();
    const child = spawnWorker({
      DATABASE_URL: database.url,
      REDIS_PREFIX: `pb-bounce-${process.pid}`,
      BOUNCE_ADDRESS: 'bounces@mx.example.org',
      BOUNCE_SMTP_PORT: String(port),
      METRICS_PORT: '0',
    });
    try {
      await sendWhenListening(port, 'bounces@mx.example.org', dsn({ recipient: 'worker-gone@receiver.example', action: 'failed', status: '5.1.1', originalHeaders: `Message-ID: <digest.${d!.id}@example.org>` }));
      const [after] = await database.db.select().from(subscribers).where(eq(subscribers.id, sub!.id));
      expect(after).toMatchObject({ status: 'bounced', hardBounces: 1 });
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });
});
