/**
 * The newcomer's path: `paperboy start` with nothing configured runs on the
 * embedded database, loads the demo papers, serves the pages, writes mail to
 * the outbox, and stops cleanly on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';

let dataDir: string;
afterAll(() => rm(dataDir, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

it('starts on PGlite with the demo papers, takes a subscription into the outbox, and exits 0 on SIGTERM', async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'paperboy-start-'));
  const port = await freePort();
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' };
  const child = spawn(process.execPath, ['src/bin.js', 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await expect.poll(() => out, { timeout: 45_000, interval: 200 }).toContain('paperboy is running');
    expect(out).toMatch(/loaded \d+ demo papers/);
    expect(out).toContain(`open http://localhost:${port}/ in your browser`);
    expect(out).toContain(path.join(dataDir, 'outbox'));

    const home = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    expect(home).toContain('Latest papers (from Dec 15)');
    const res = await fetch(`http://127.0.0.1:${port}/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=newcomer%40example.org&topics=llm',
    });
    expect(res.status).toBe(200);
    await expect.poll(async () => (await readdir(path.join(dataDir, 'outbox')).catch(() => [])).length, { timeout: 10_000 }).toBe(2);
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
});
