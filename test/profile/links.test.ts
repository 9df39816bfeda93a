import { describe, expect, it } from 'vitest';
import { signFeedback, verifyFeedback } from '../../src/profile/feedback-token.ts';
import { feedbackUrls } from '../../src/profile/links.ts';
import { signToken } from '../../src/subscribers/tokens.ts';

const secrets = { current: 'current-secret-0123456789', previous: 'old-secret-0123456789' };
const subscriberId = '6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f';
const tokenOf = (url: string) => new URL(url).searchParams.get('token');

describe('feedbackUrls', () => {
  it('signs more, less and follow for this subscriber and paper', () => {
    const urls = feedbackUrls({ publicUrl: 'https://p.example', secrets, subscriberId, paper: { id: '2502.09927', organisation: 'NVIDIA', authors: ['A. One'] } });
    expect(urls.more.startsWith('https://p.example/feedback?token=')).toBe(true);
    expect(verifyFeedback(secrets, tokenOf(urls.more))).toMatchObject({ ok: true, action: 'more', subscriberId, paperId: '2502.09927' });
    expect(verifyFeedback(secrets, tokenOf(urls.less))).toMatchObject({ ok: true, action: 'less' });
    expect(urls.follow?.label).toBe('Follow NVIDIA');
    expect(verifyFeedback(secrets, tokenOf(urls.follow!.url))).toMatchObject({ ok: true, action: 'follow', target: { kind: 'organisation', value: 'NVIDIA' } });
  });

  it('follows the first author when there is no organisation, and nothing when there is neither', () => {
    const withAuthor = feedbackUrls({ publicUrl: 'http://x', secrets, subscriberId, paper: { id: '1', organisation: null, authors: ['Tri Dao', 'B'] } });
    expect(withAuthor.follow?.label).toBe('Follow Tri Dao');
    expect(verifyFeedback(secrets, tokenOf(withAuthor.follow!.url))).toMatchObject({ target: { kind: 'author', value: 'Tri Dao' } });
    expect(feedbackUrls({ publicUrl: 'http://x', secrets, subscriberId, paper: { id: '1', organisation: ' ', authors: [] } }).follow).toBeNull();
  });

  it('refuses tampered tokens, other secrets and subscriber tokens; accepts the previous secret', () => {
    const urls = feedbackUrls({ publicUrl: 'http://x', secrets, subscriberId, paper: { id: '1', organisation: 'NVIDIA', authors: [] } });
    const token = tokenOf(urls.more)!;
    const [payload, letter, mac] = token.split('.') as [string, string, string];
    expect(letter).toBe('m');
    // One MAC per card, a slice of it per action: a More link's slice does not sign Less or Follow.
    expect(verifyFeedback(secrets, `${payload}.l.${mac}`)).toEqual({ ok: false, reason: 'bad_signature' });
    const [followPayload, , followMac] = tokenOf(urls.follow!.url)!.split('.') as [string, string, string];
    expect(verifyFeedback(secrets, `${followPayload}.f.${mac}`)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyFeedback(secrets, `${payload}.f.${followMac}`)).toMatchObject({ ok: false });
    const edit = (p: string, from: string, to: string) => Buffer.from(Buffer.from(p, 'base64url').toString().replace(from, to)).toString('base64url');
    expect(verifyFeedback(secrets, `${edit(payload, '"1"', '"2"')}.m.${mac}`)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyFeedback(secrets, `${edit(followPayload, 'NVIDIA', 'Evil Corp')}.f.${followMac}`)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyFeedback(secrets, `${payload}.x.${mac}`)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyFeedback({ current: 'another-secret-0123456789' }, token)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyFeedback(secrets, signToken(secrets, 'preferences', subscriberId))).toMatchObject({ ok: false });
    expect(verifyFeedback({ current: 'rotated-0123456789', previous: secrets.current }, token)).toMatchObject({ ok: true, action: 'more' });
    expect(verifyFeedback(secrets, 'not a token')).toEqual({ ok: false, reason: 'malformed' });
  });

  it('still accepts the single-action tokens of emails sent before card tokens, and refuses them tampered', () => {
    const old = signFeedback(secrets, { action: 'follow', subscriberId, paperId: '1', target: { kind: 'author', value: 'Tri Dao' } });
    expect(verifyFeedback(secrets, old)).toMatchObject({ ok: true, action: 'follow', subscriberId, paperId: '1', target: { kind: 'author', value: 'Tri Dao' } });
    const [payload, mac] = old.split('.') as [string, string];
    const forged = Buffer.from(Buffer.from(payload, 'base64url').toString().replace('"follow"', '"more"')).toString('base64url');
    expect(verifyFeedback(secrets, `${forged}.${mac}`)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyFeedback(secrets, signFeedback(secrets, { action: 'click', subscriberId, paperId: '1' }))).toMatchObject({ ok: true, action: 'click' });
  });
});
