/**
 * Both emails as SpamAssassin (run offline, `spamassassin -L -t`) sees them:
 * the hidden preheader and the rest of the markup score nothing, and neither
 * email loads a remote font.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createDigestComposer } from '../../src/delivery/compose.ts';
import { periodOfDate } from '../../src/digest/period.ts';
import { headerPolicy } from '../../src/mail/headers.ts';
import { composeMail } from '../../src/mail/message.ts';
import { renderConfirmationMail } from '../../src/subscribers/confirm-mail.ts';
import { makeDigestPaper } from '../helpers/digest.ts';

const run = promisify(execFile);

/** The rules that fired, with their points. */
async function spamRules(raw: Buffer): Promise<Record<string, number>> {
  const child = run('spamassassin', ['-L', '-t'], { encoding: 'utf8', maxBuffer: 16 << 20 });
  child.child.stdin!.end(raw);
  const { stdout } = await child;
  const report = stdout.slice(stdout.indexOf('Content analysis details'));
  return Object.fromEntries([...report.matchAll(/^\s*(-?\d+\.\d+)\s+([A-Z0-9_]+)\s/gm)].map((m) => [m[2]!, Number(m[1])]));
}

const config = loadConfig({ PUBLIC_URL: 'https://papers.example.org', MAIL_FROM: 'paperboy <digest@example.org>' });

describe('SpamAssassin', () => {
  it('scores the confirmation email 0, preheader included, with no remote fonts', async () => {
    const mail = await renderConfirmationMail('ada@example.org', 'https://papers.example.org/confirm?token=abc.def');
    expect(mail.html).toContain('One click to start getting trending AI papers');
    expect(mail.html).not.toMatch(/fonts\.googleapis|@import|<link[^>]+stylesheet/);
    const rules = await spamRules(composeMail(headerPolicy({ from: config.MAIL_FROM }), mail).raw);
    expect(Object.entries(rules).filter(([, points]) => points > 0)).toEqual([]);
  });

  it('scores a digest 0, preheader included', async () => {
    const period = periodOfDate({ frequency: 'daily', timezone: 'UTC', sendHour: 7 }, '2025-12-08');
    const papers = [1, 2, 3].map((i) => makeDigestPaper({ id: `2512.0000${i}`, title: `Granite Vision ${i}: a lightweight open multimodal model` }));
    const mail = await createDigestComposer(config, { current: 'k'.repeat(40) }).compose(
      { kind: 'digest', subscriberId: '00000000-0000-4000-8000-000000000001', period, mix: { topics: ['llm'], keywords: [] }, papers },
      { id: '00000000-0000-4000-8000-0000000000aa' },
      'ada@example.org',
      new Date('2025-12-08T07:00:00Z'),
    );
    expect(mail.html()).toMatch(/<div class="pb-preheader" style="display:none;[^"]*">3 papers today/);
    expect(mail.raw.toString()).not.toMatch(/fonts\.googleapis/);
    const rules = await spamRules(mail.raw);
    expect(Object.entries(rules).filter(([, points]) => points > 0)).toEqual([]);
  });
});
