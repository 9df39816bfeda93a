/**
 * The composer's message is the generic render, byte for byte once decoded:
 * the HTML and text parts of the raw MIME equal personalise() of the same
 * digest for the same reader (links signed per card, pieces encoded once and
 * spliced), every line stays within 76 characters, and every feedback link
 * verifies for its reader, paper and action.
 */
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createDigestComposer } from '../../src/delivery/compose.ts';
import { recipientFor } from '../../src/digest/links.ts';
import { periodOfDate } from '../../src/digest/period.ts';
import { personalise } from '../../src/digest/render.ts';
import { emailContent } from '../../src/digest/view.ts';
import { verifyFeedback } from '../../src/profile/feedback-token.ts';
import { heavyPapers, makeDigestPaper, readerId } from '../helpers/digest.ts';

const secrets = { current: 'c'.repeat(40) };
const period = periodOfDate({ frequency: 'daily', timezone: 'UTC', sendHour: 7 }, '2025-12-08');
const now = new Date('2025-12-08T07:00:00Z');

describe('composing a digest', () => {
  for (const tracking of ['off', 'on'] as const) {
    it(`decodes to the personalised render for each reader (CLICK_TRACKING=${tracking})`, async () => {
      const config = loadConfig({ PUBLIC_URL: 'https://papers.example.org', MAIL_FROM: 'paperboy <digest@example.org>', CLICK_TRACKING: tracking });
      const composer = createDigestComposer(config, secrets);
      const papers = [
        ...heavyPapers(4),
        makeDigestPaper({ id: '2512.10001', title: 'No one to follow', authors: [], organizationName: null, organizationFullname: null }),
        makeDigestPaper({ id: '2512.10002', title: 'Ünïcode · “quotes” = signs', authors: ['Zoë Ça'], organizationFullname: null, organizationName: null, why: { topics: [], keywords: ['naïve = café'] } }),
      ];
      for (const [n, keywords] of [[1, []], [2, ['naïve = café']], [1, ['other']]] as const) {
        const mix = { topics: ['llm' as const], keywords: [...keywords] };
        const selection = { kind: 'digest' as const, subscriberId: readerId(n), period, mix, papers };
        const email = `reader${n}@example.org`;
        const mail = await composer.compose(selection, { id: `00000000-0000-4000-8000-0000000000a${n}` }, email, now);
        const expected = personalise(await composer.renderer.compile(emailContent(selection)), recipientFor(config, secrets, { id: readerId(n), email, topics: mix.topics }, period.localDate, now));
        const parsed = await simpleParser(mail.raw);
        expect(parsed.html).toBe(expected.html);
        expect(parsed.html).toBe(mail.html());
        expect(parsed.text).toBe(expected.text);
        const body = mail.raw.toString('latin1').split('\r\n\r\n').slice(1).join('\r\n\r\n');
        for (const line of body.split('\r\n')) expect(line.length, line).toBeLessThanOrEqual(76);
        const tokens = [...expected.html.matchAll(/href="https:\/\/papers\.example\.org\/feedback\?token=([\w.-]+)"/g)].map((m) => m[1]!);
        expect(tokens.length).toBe(3 * papers.length - 1);
        for (const t of tokens) {
          const check = verifyFeedback(secrets, t);
          expect(check).toMatchObject({ ok: true, subscriberId: readerId(n) });
          expect(expected.text).toContain(t);
        }
      }
    });
  }

  it('writes the same bytes for a digest after its why-lines were dropped and encoded again', async () => {
    const config = loadConfig({ PUBLIC_URL: 'https://papers.example.org', MAIL_FROM: 'paperboy <digest@example.org>' });
    // One why-line kept: every new one drops the others (and their encodings) first.
    const composer = createDigestComposer(config, secrets, { whyLinesKept: 1 });
    const digest = (reasons: string[]) => ({
      kind: 'digest' as const,
      subscriberId: readerId(1),
      period,
      mix: { topics: ['llm' as const], keywords: [] },
      papers: heavyPapers(reasons.length).map((p, i) => ({ ...p, reason: reasons[i]! })),
    });
    const send = (reasons: string[]) => composer.compose(digest(reasons), { id: '00000000-0000-4000-8000-0000000000b1' }, 'reader1@example.org', now);
    const liked = ["Because you liked 'Ünïcode · “quotes”…' (speculative decoding, quantization)", 'Trending: 150 upvotes', 'From NVIDIA, which you follow'];
    const first = await send(liked);
    const again = await send(liked);
    await send(['Trending: 3 upvotes', 'By Zoë Ça, whom you follow', "Because you opened 'Other = paper' (a, b)"]);
    const afterDrop = await send(liked);
    expect(again.raw.equals(first.raw)).toBe(true);
    expect(afterDrop.raw.equals(first.raw)).toBe(true);
    const parsed = await simpleParser(afterDrop.raw);
    // The text part wraps long why-lines.
    for (const reason of liked) expect(parsed.text!.replace(/\s+/g, ' ')).toContain(reason);
  });
});
