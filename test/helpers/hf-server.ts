/**
 * A local stand-in for the Hugging Face Daily Papers API: serves the recorded
 * responses in test/fixtures/hf/ (`<date>.p<N>.json`; a missing page is `[]`)
 * and can be told to fail the next requests for a date first.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedFailure {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface FakeHfApi {
  url: string;
  requests: string[];
  /** Answer the next requests for `date` with these, in order, before the fixture. */
  failNext(date: string, ...failures: ScriptedFailure[]): void;
  close(): Promise<void>;
}

const FIXTURES = new URL('../fixtures/hf/', import.meta.url);

export async function startFakeHfApi(): Promise<FakeHfApi> {
  const scripted = new Map<string, ScriptedFailure[]>();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    requests.push(`${u.pathname}${u.search}`);
    if (u.pathname !== '/api/daily_papers') {
      res.writeHead(404).end('not found');
      return;
    }
    const date = u.searchParams.get('date') ?? '';
    const failure = scripted.get(date)?.shift();
    if (failure) {
      res.writeHead(failure.status, failure.headers).end(failure.body ?? '{"error":"scripted"}');
      return;
    }
    const file = new URL(`${date}.p${u.searchParams.get('p') ?? '0'}.json`, FIXTURES);
    const body = existsSync(file) ? readFileSync(file, 'utf8') : '[]';
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(date, ...failures) {
      scripted.set(date, [...(scripted.get(date) ?? []), ...failures]);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
