/**
 * Header lines stay within RFC 5322 (78 preferred, 998 never) whatever the
 * titles, and address headers decode exactly — checked with mailparser and
 * Python's email parser — in digests and in confirmations alike.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { simpleParser, type AddressObject } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createDigestComposer } from '../../src/delivery/compose.ts';
import { periodOfDate } from '../../src/digest/period.ts';
import { foldHeader, HeaderError } from '../../src/mail/fold.ts';
import { createOutboxMailer } from '../../src/mail/outbox.ts';
import { renderConfirmationMail } from '../../src/subscribers/confirm-mail.ts';
import { makeDigestPaper } from '../helpers/digest.ts';

const FROM = '"Paperboy, Über-Digest" <papers@example.org>';
const CJK = '大規模言語モデルにおける長文脈推論の効率化と評価基準の再検討：多言語ベンチマークによる実証的研究';
const EMOJI = '🚀🤖 Scaling 🧠 Reasoning 🔥 with 👁️‍🗨️ Vision-Language-Action Models 🦾🌍 for Everyone 🎉';

const config = loadConfig({
  PUBLIC_URL: 'https://papers.example.org',
  MAIL_FROM: FROM,
  UNSUBSCRIBE_MAILTO: `unsubscribe-${'x'.repeat(60)}@lists.example.org`,
  MAIL_HEADERS: JSON.stringify({ 'X-Campaign': `Zusammenfassung für ${CJK}`, Precedence: 'bulk' }),
});

/** Header block lines, and the fields unfolded. */
function headerLines(raw: Buffer | string): string[] {
  return raw.toString().split('\r\n\r\n')[0]!.split('\r\n');
}

function expectFolded(raw: Buffer | string) {
  for (const line of headerLines(raw)) {
    expect(line.length).toBeLessThanOrEqual(998);
    // Over 78 only when the line is one unbreakable token (a long URL).
    if (line.length > 78) expect(line.trim()).not.toMatch(/\s/);
    expect(line).toMatch(/^[\x20-\x7e]*$/);
  }
}

const run = promisify(execFile);
/** Python's email package (policy=default), decoding what mailparser leaves encoded in unknown headers. */
async function python(raw: Buffer): Promise<{ from: [string, string]; subject: string; campaign: string }> {
  const script = `import sys, email, email.policy, json
m = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)
a = m['From'].addresses[0]
print(json.dumps({"from": [a.display_name, a.addr_spec], "subject": str(m['Subject']), "campaign": str(m['X-Campaign'])}))`;
  const child = run('/usr/bin/python3', ['-c', script], { encoding: 'utf8' });
  child.child.stdin!.end(raw);
  return JSON.parse((await child).stdout) as { from: [string, string]; subject: string; campaign: string };
}

describe('digest headers', () => {
  const composer = createDigestComposer(config, { current: 'k'.repeat(40) });
  const period = periodOfDate({ frequency: 'daily', timezone: 'UTC', sendHour: 7 }, '2025-12-08');
  const compose = (title: string) =>
    composer.compose(
      { kind: 'digest', subscriberId: '00000000-0000-4000-8000-000000000001', period, mix: { topics: ['llm'], keywords: [] }, papers: [makeDigestPaper({ id: '2512.00001', title })] },
      { id: '00000000-0000-4000-8000-0000000000aa' },
      'ada@example.org',
      new Date('2025-12-08T07:00:00Z'),
    );

  for (const [what, title] of [['CJK', CJK.repeat(3)], ['emoji', EMOJI.repeat(3)]] as const) {
    it(`folds every header of a digest with a long ${what} title, and the subject decodes exactly`, async () => {
      const mail = await compose(title);
      expectFolded(mail.raw);
      const parsed = await simpleParser(mail.raw);
      expect(parsed.subject).toBe(mail.subject);
      expect(mail.subject).toContain(title.slice(0, 20));
      const py = await python(mail.raw);
      expect(py.subject).toBe(mail.subject);
      expect(py.campaign).toBe(`Zusammenfassung für ${CJK}`);
      // List-Unsubscribe folds between its two URIs and stays whole.
      const unsub = parsed.headerLines.find((h) => h.key === 'list-unsubscribe')!.line;
      expect(unsub.replace(/\r\n[ \t]/g, ' ')).toBe(
        `List-Unsubscribe: <${'https://papers.example.org/unsubscribe?token='}${/token=([^>]+)>/.exec(unsub)![1]}>, <mailto:${config.UNSUBSCRIBE_MAILTO}?subject=unsubscribe>`,
      );
      expect(unsub).toContain('\r\n');
    });
  }

  it('builds From from MAIL_FROM so a comma and an umlaut decode exactly, with Feedback-ID and auto-reply suppression', async () => {
    const mail = await compose('Granite Vision');
    const parsed = await simpleParser(mail.raw);
    expect((parsed.from as AddressObject).value).toEqual([{ name: 'Paperboy, Über-Digest', address: 'papers@example.org' }]);
    expect((await python(mail.raw)).from).toEqual(['Paperboy, Über-Digest', 'papers@example.org']);
    expect(parsed.headers.get('feedback-id')).toBe('digest:daily:2025-12-08:example.org');
    expect(parsed.headers.get('x-auto-response-suppress')).toBe('OOF, AutoReply');
    expect(parsed.headers.get('precedence')).toBe('bulk');
  });
});

describe('confirmation headers', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'paperboy-headers-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('gets the same From, folded headers and Feedback-ID', async () => {
    const mailer = createOutboxMailer({ dir, from: FROM, mailHeaders: config.MAIL_HEADERS });
    const sent = await mailer.send(await renderConfirmationMail('ada@example.org', 'https://papers.example.org/confirm?token=abc'));
    const raw = await readFile(sent.response);
    expectFolded(raw);
    const parsed = await simpleParser(raw);
    expect((parsed.from as AddressObject).value).toEqual([{ name: 'Paperboy, Über-Digest', address: 'papers@example.org' }]);
    const py = await python(raw);
    expect(py.from).toEqual(['Paperboy, Über-Digest', 'papers@example.org']);
    expect(parsed.headers.get('feedback-id')).toMatch(/^confirm:once:\d{4}-\d\d-\d\d:example\.org$/);
    expect(py.campaign).toBe(`Zusammenfassung für ${CJK}`);
  });
});

describe('foldHeader', () => {
  it('refuses what it cannot fold under 998 and line breaks in values', () => {
    expect(foldHeader('X-Long', `${'a '.repeat(100)}`).split('\r\n').every((l) => l.length <= 78)).toBe(true);
    expect(() => foldHeader('X-Long', 'a'.repeat(999))).toThrow(HeaderError);
    expect(() => foldHeader('X-Bad', 'a\r\nBcc: x@example.org')).toThrow(/line break/);
    expect(() => foldHeader('Bad Name', 'x')).toThrow(/header name/);
  });

  it('refuses MAIL_HEADERS that would replace ours or are not JSON', () => {
    expect(() => loadConfig({ MAIL_HEADERS: '{"From":"x@example.org"}' })).toThrow(/MAIL_HEADERS.*sets this header itself/);
    expect(() => loadConfig({ MAIL_HEADERS: 'X-A: b' })).toThrow(/MAIL_HEADERS: must be a JSON object/);
  });
});
